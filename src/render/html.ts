// One self-contained HTML page per input: findings with their evidence highlighted, then each report's stacks by context.

import type { CallTrace, CrashReport } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import type { RenderedFinding } from '../rules/engine';
import { pick, t, type OutLang } from './i18n';
import { contextLabel, frameText, hasKernel, kernelText, modulesText, repeatsOf, reportTotal, TALLIES_SHOWN } from './text';
import { commandOf, count, culpritText, repeatText, sourceLines, stepParts } from './findings';
import { machineOf } from '../machine';
import { machineHtml, machineWorthShowing } from './machine';
import { esc } from './escape';

const CSS = `
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#fafafa;color:#1d1d1f}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:#555}
.finding{background:#fff;border:1px solid #ddd;border-left:5px solid #c0392b;border-radius:6px;padding:12px 16px;margin:12px 0}
.finding.secondary{border-left-color:#e67e22}
.tag{display:inline-block;font:12px ui-monospace,monospace;background:#eee;border-radius:4px;padding:1px 6px;margin-right:6px}
.cls{background:#fdecea;color:#a93226}
table.ev{border-collapse:collapse;width:100%;margin:8px 0;font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace}
table.ev td{padding:2px 6px;vertical-align:top} td.no{color:#888;text-align:right;width:4em}
td.line{background:#fff8d6;white-space:pre-wrap;word-break:break-all} td.note{color:#7a4d00}
.why p{margin:6px 0}
ul.steps li{margin:3px 0}
ul.steps code{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f1f1;border-radius:3px;padding:0 4px}
.report{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:12px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0} dt{color:#666} dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.stack{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;margin:6px 0}
.seg{border-left:4px solid #999;padding:2px 10px;margin:4px 0}
.seg.task{border-color:#2e86c1}.seg.irq{border-color:#c0392b}.seg.softirq{border-color:#e67e22}.seg.nmi{border-color:#8e44ad}.seg.exception{border-color:#d4ac0d}
.seg .ctx{font-weight:600;color:#444}
.frame.unreliable{color:#999}
.frame.cited{background:#fff8d6}
.note{color:#7a4d00;background:#fff8d6;padding:6px 10px;border-radius:4px}
.again{font-weight:600;margin:6px 0}
ul.steps li div{white-space:pre-wrap;word-break:break-word}
.input{margin-bottom:40px}
.error{color:#a93226;background:#fdecea;padding:6px 10px;border-radius:4px}
nav ul{margin:4px 0 16px}
`;

function findingHtml(f: RenderedFinding, i: number, lang: OutLang, id: string): string {
  const who = culpritText(f);
  const culprit = who ? `<span class="tag">${esc(t(lang, 'culprit'))}: ${esc(who)}</span>` : '';
  const again = repeatText(f, lang);
  const ev = f.evidence
    .map((e) => `<tr><td class="no">${e.line}</td><td class="line">${esc(e.text)}</td></tr><tr><td></td><td class="note">= ${esc(e.note)}</td></tr>`)
    .join('');
  // Each command of a step on its own line.
  const steps = f.nextSteps
    .map((s) => {
      const lines = stepParts(s).map((part) => {
        const c = commandOf(part);
        return c ? `<div><code>${esc(c.command)}</code>${c.comment ? ` ${esc(c.comment)}` : ''}</div>` : `<div>${esc(part)}</div>`;
      });
      return `<li>${lines.join('')}</li>`;
    })
    .join('');
  const src = sourceLines(f, lang)
    .map((l) => `<tr><td class="${l.kind === 'finding' ? 'line' : 'note'}">${l.kind === 'trace' ? '&nbsp;&nbsp;' : ''}${esc(l.kind === 'help' ? `= help: ${l.text}` : l.text)}</td></tr>`)
    .join('');
  return `<section class="finding${i > 0 ? ' secondary' : ''}" id="${id}finding-${i + 1}">
<h3>${i + 1}. ${esc(f.summary)}</h3>
<div><span class="tag cls">${esc(f.rootCauseClass)}</span><span class="tag">${esc(f.rule)}</span><span class="tag">${esc(t(lang, 'confidence'))} ${Math.round(f.confidence * 100)}%</span>${culprit}</div>
${again ? `<div class="again">${esc(again)}</div>` : ''}
${f.evidence.length > 0 ? `<h4>${esc(t(lang, 'evidence'))}</h4><table class="ev">${ev}</table>` : ''}
${src ? `<h4>${esc(t(lang, 'inSource'))}</h4><table class="ev">${src}</table>` : ''}
<h4>${esc(t(lang, 'why'))}</h4><div class="why">${f.explanation.split(/\n\n+/).map((p) => `<p>${esc(p)}</p>`).join('')}</div>
${f.nextSteps.length > 0 ? `<h4>${esc(t(lang, 'nextSteps'))}</h4><ul class="steps">${steps}</ul>` : ''}
</section>`;
}

function traceHtml(tr: CallTrace, lang: OutLang, cited: ReadonlySet<number>): string {
  const segs = tr.segments
    .map((s) => {
      const frames = s.frames
        .map((f) => `<div class="frame${f.reliable ? '' : ' unreliable'}${cited.has(f.line) ? ' cited' : ''}" title="${esc(t(lang, 'line'))} ${f.line}">${f.reliable ? '&nbsp;&nbsp;' : '?&nbsp;'}${esc(frameText(f))}</div>`)
        .join('');
      const exc = s.exceptionRip ? `, ${esc(t(lang, 'exceptionAt'))} ${esc(s.exceptionRip)}` : '';
      return `<div class="seg ${s.context}"><div class="ctx">&lt;${esc(t(lang, contextLabel(s.context)))}${exc}&gt;</div>${frames}</div>`;
    })
    .join('');
  return `<div class="stack"><div class="meta">${esc(tr.label ?? t(lang, 'trace'))} (${esc(t(lang, 'line'))} ${tr.startLine}-${tr.endLine})</div>${segs}</div>`;
}

function reportHtml(r: CrashReport, i: number, lang: OutLang, cited: ReadonlySet<number>, id: string, sameAs: number | null): string {
  const rows: Array<[string, string | null]> = [
    [t(lang, 'line'), `${r.startLine}-${r.endLine}`],
    [t(lang, 'type'), r.type],
    [t(lang, 'corrupted'), r.corrupted ? r.corruptedReason ?? 'yes' : null],
    [t(lang, 'task'), [r.comm, r.pid !== null ? `pid ${r.pid}` : null, r.cpu !== null ? `CPU ${r.cpu}` : null].filter(Boolean).join(', ') || null],
  ];
  if (sameAs === null) {
    rows.push(
      [t(lang, 'kernel'), r.kernel.release || r.kernel.taint ? kernelText(r.kernel, lang) : null],
      [t(lang, 'hardware'), r.hardware],
      [t(lang, 'guiltyFrame'), r.frame],
      [t(lang, 'guiltyFile'), r.guiltyFile],
      [t(lang, 'ip'), r.registers?.ip?.text ?? null],
      [t(lang, 'instruction'), r.instruction ? `${r.instruction.att} — ${r.instruction.notes.map((n) => pick(n, lang)).join(' ')}` : null],
      [t(lang, 'modules'), r.modules.length > 0 ? modulesText(r, lang) : null],
      [t(lang, 'lastUnloaded'), r.lastUnloaded],
    );
  }
  const dl = rows.filter(([, v]) => v).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v as string)}</dd>`).join('');
  const body = sameAs === null ? r.traces.map((tr) => traceHtml(tr, lang, cited)).join('') : `<p class="meta">${esc(t(lang, 'sameTitleAs'))} <a href="#${id}report-${sameAs + 1}">${sameAs + 1}</a>; ${esc(t(lang, 'notRepeated'))}</p>`;
  return `<section class="report" id="${id}report-${i + 1}"><h3>${i + 1}. ${esc(r.title)}</h3><dl>${dl}</dl>${body}</section>`;
}

function talliesHtml(a: Analysis, lang: OutLang): string {
  const more = a.moreReports ?? [];
  if (more.length === 0) return '';
  const omitted = more.reduce((n, x) => n + x.count, 0);
  const items = more
    .slice(0, TALLIES_SHOWN)
    .map((x) => `<li>${lang === 'en' ? `x ${count(x.count)}` : `${count(x.count)} ${esc(t(lang, 'times'))}`} ${esc(x.title || t(lang, 'otherTitles'))}, ${esc(t(lang, 'lineRange'))} ${count(x.firstLine)}-${count(x.lastLine)}</li>`)
    .join('');
  const rest = more.length > TALLIES_SHOWN ? `<li>... ${count(more.length - TALLIES_SHOWN)} ${esc(t(lang, 'moreTitles'))}</li>` : '';
  return `<p>${count(omitted)} ${esc(t(lang, 'moreReports'))}:</p><ul>${items}${rest}</ul>`;
}

/** One input's part of a page; `id` prefixes its anchors so that several inputs share a page. */
function inputHtml(a: Analysis, lang: OutLang, id: string, heading: 'h1' | 'h2'): string {
  const findings = a.findings as RenderedFinding[];
  const cited = new Set(findings.flatMap((f) => f.evidence.map((e) => e.line)));
  const parts: string[] = [];
  parts.push(`<${heading}>${esc(a.input)}</${heading}><div class="meta">${count(a.lineCount)} ${esc(t(lang, 'lines'))}${hasKernel(a.kernel) ? ` · ${esc(t(lang, 'kernel'))}: ${esc(kernelText(a.kernel, lang))}` : ''}</div>`);
  for (const n of a.notes) parts.push(`<p class="note">${esc(n)}</p>`);
  const total = reportTotal(a);
  if (total === 0) parts.push(`<p>${esc(t(lang, 'noReport'))}</p>`);
  if (findings.length > 0) parts.push(`<h2>${esc(t(lang, 'diagnosis'))}</h2>${findings.map((f, i) => findingHtml(f, i, lang, id)).join('')}`);
  const machine = machineOf(a);
  if (machineWorthShowing(machine)) parts.push(machineHtml(machine, lang));
  const steps = a.investigation ?? [];
  if (steps.length > 0) {
    const body = steps.map((s) => `<div class="step"><code>crash&gt; ${esc(s.command)}</code> <span class="meta">${esc(t(lang, 'round'))} ${s.round}, ${esc(t(lang, 'answerLine'))} ${s.line}</span><pre>${esc([...s.answer, ...(s.more > 0 ? [`... ${s.more} ${t(lang, 'moreAnswer')}`] : [])].join('\n'))}</pre></div>`).join('');
    parts.push(`<h2>${esc(t(lang, 'investigation'))}</h2><section class="investigation">${body}</section>`);
  }
  const same = repeatsOf(a.reports);
  if (a.reports.length > 0) parts.push(`<h2>${esc(t(lang, 'details'))}</h2>${a.reports.map((r, i) => reportHtml(r, i, lang, cited, id, same[i])).join('')}${talliesHtml(a, lang)}`);
  if (a.backtraces.length > 0) parts.push(`<h2>${esc(t(lang, 'backtraces'))}</h2><section class="report">${a.backtraces.map((tr) => traceHtml(tr, lang, cited)).join('')}</section>`);
  return parts.join('\n');
}

function page(title: string, lang: OutLang, body: string): string {
  const tag = lang === 'en' ? 'en' : lang === 'zh-Hant' ? 'zh-Hant' : 'zh-CN';
  return `<!DOCTYPE html>
<html lang="${tag}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ktriage: ${esc(title)}</title><style>${CSS}</style></head>
<body><main>${body}</main></body></html>
`;
}

export function renderHtml(a: Analysis, lang: OutLang): string {
  return page(a.input, lang, inputHtml(a, lang, '', 'h1'));
}

/** An input that could not be read, as it appears on a page of several inputs. */
export interface UnreadableInput {
  input: string;
  error: string;
}

/** One page for several inputs: a list of them, then a section each. */
export function renderHtmlPage(inputs: ReadonlyArray<Analysis | UnreadableInput>, lang: OutLang): string {
  if (inputs.length === 1 && !('error' in inputs[0])) return renderHtml(inputs[0], lang);
  const toc = inputs
    .map((a, k) => {
      const what = 'error' in a ? a.error : reportTotal(a) === 0 ? t(lang, 'noReportShort') : `${count(reportTotal(a))} ${t(lang, 'reportsShort')}${a.findings[0] ? ` · ${a.findings[0].summary}` : ''}`;
      return `<li><a href="#in${k + 1}">${esc(a.input)}</a> — ${esc(what)}</li>`;
    })
    .join('');
  const sections = inputs.map((a, k) => `<section class="input" id="in${k + 1}">${'error' in a ? `<h2>${esc(a.input)}</h2><p class="error">${esc(a.error)}</p>` : inputHtml(a, lang, `in${k + 1}-`, 'h2')}</section>`);
  return page(`${inputs.length} ${t(lang, 'contents')}`, lang, `<h1>ktriage</h1><nav><h2>${esc(t(lang, 'contents'))}</h2><ul>${toc}</ul></nav>\n${sections.join('\n')}`);
}
