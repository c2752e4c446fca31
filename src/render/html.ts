// One self-contained HTML page per input: findings with their evidence highlighted, then each report's stacks by context.

import type { CallTrace, CrashReport } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import type { RenderedFinding } from '../rules/engine';
import { t, type Lang } from './i18n';
import { contextLabel, frameText, kernelText } from './text';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

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
ul.steps li{font:12.5px ui-monospace,monospace;margin:3px 0;white-space:pre-wrap}
.report{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:12px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0} dt{color:#666} dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.stack{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;margin:6px 0}
.seg{border-left:4px solid #999;padding:2px 10px;margin:4px 0}
.seg.task{border-color:#2e86c1}.seg.irq{border-color:#c0392b}.seg.softirq{border-color:#e67e22}.seg.nmi{border-color:#8e44ad}.seg.exception{border-color:#d4ac0d}
.seg .ctx{font-weight:600;color:#444}
.frame.unreliable{color:#999}
.frame.cited{background:#fff8d6}
.note{color:#7a4d00;background:#fff8d6;padding:6px 10px;border-radius:4px}
`;

function findingHtml(f: RenderedFinding, i: number, lang: Lang): string {
  const culprit = f.culprit && (f.culprit.function || f.culprit.module) ? `<span class="tag">${esc(t(lang, 'culprit'))}: ${esc([f.culprit.function, f.culprit.module ? `[${f.culprit.module}]` : null].filter(Boolean).join(' '))}</span>` : '';
  const ev = f.evidence
    .map((e) => `<tr><td class="no">${e.line}</td><td class="line">${esc(e.text)}</td></tr><tr><td></td><td class="note">= ${esc(e.note)}</td></tr>`)
    .join('');
  return `<section class="finding${i > 0 ? ' secondary' : ''}" id="finding-${i + 1}">
<h3>${i + 1}. ${esc(f.summary)}</h3>
<div><span class="tag cls">${esc(f.rootCauseClass)}</span><span class="tag">${esc(f.rule)}</span><span class="tag">${esc(t(lang, 'confidence'))} ${Math.round(f.confidence * 100)}%</span>${culprit}</div>
${f.evidence.length > 0 ? `<h4>${esc(t(lang, 'evidence'))}</h4><table class="ev">${ev}</table>` : ''}
<h4>${esc(t(lang, 'why'))}</h4><div class="why">${f.explanation.split(/\n\n+/).map((p) => `<p>${esc(p)}</p>`).join('')}</div>
${f.nextSteps.length > 0 ? `<h4>${esc(t(lang, 'nextSteps'))}</h4><ul class="steps">${f.nextSteps.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}
</section>`;
}

function traceHtml(tr: CallTrace, lang: Lang, cited: ReadonlySet<number>): string {
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

function reportHtml(r: CrashReport, i: number, lang: Lang, cited: ReadonlySet<number>): string {
  const rows: Array<[string, string | null]> = [
    [t(lang, 'line'), `${r.startLine}-${r.endLine}`],
    [t(lang, 'type'), r.type],
    [t(lang, 'corrupted'), r.corrupted ? r.corruptedReason ?? 'yes' : null],
    [t(lang, 'task'), [r.comm, r.pid !== null ? `pid ${r.pid}` : null, r.cpu !== null ? `CPU ${r.cpu}` : null].filter(Boolean).join(', ') || null],
    [t(lang, 'kernel'), r.kernel.release || r.kernel.taint ? kernelText(r.kernel, lang) : null],
    [t(lang, 'hardware'), r.hardware],
    [t(lang, 'guiltyFrame'), r.frame],
    [t(lang, 'guiltyFile'), r.guiltyFile],
    [t(lang, 'ip'), r.registers?.ip?.text ?? null],
    [t(lang, 'instruction'), r.instruction ? `${r.instruction.att} — ${r.instruction.notes.map((n) => n[lang]).join(' ')}` : null],
    [t(lang, 'modules'), r.modules.length > 0 ? r.modules.map((m) => (m.taint || m.state ? `${m.name}(${m.taint}${m.state})` : m.name)).join(' ') : null],
    [t(lang, 'lastUnloaded'), r.lastUnloaded],
  ];
  const dl = rows.filter(([, v]) => v).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v as string)}</dd>`).join('');
  return `<section class="report" id="report-${i + 1}"><h3>${i + 1}. ${esc(r.title)}</h3><dl>${dl}</dl>${r.traces.map((tr) => traceHtml(tr, lang, cited)).join('')}</section>`;
}

export function renderHtml(a: Analysis, lang: Lang): string {
  const findings = a.findings as RenderedFinding[];
  const cited = new Set(findings.flatMap((f) => f.evidence.map((e) => e.line)));
  const parts: string[] = [];
  parts.push(`<h1>${esc(a.input)}</h1><div class="meta">${a.lineCount} ${esc(t(lang, 'lines'))}${a.kernel.release || a.kernel.taint ? ` · ${esc(t(lang, 'kernel'))}: ${esc(kernelText(a.kernel, lang))}` : ''}</div>`);
  for (const n of a.notes) parts.push(`<p class="note">${esc(n)}</p>`);
  if (a.reports.length === 0) parts.push(`<p>${esc(t(lang, 'noReport'))}</p>`);
  if (findings.length > 0) parts.push(`<h2>${esc(t(lang, 'diagnosis'))}</h2>${findings.map((f, i) => findingHtml(f, i, lang)).join('')}`);
  if (a.reports.length > 0) parts.push(`<h2>${esc(t(lang, 'details'))}</h2>${a.reports.map((r, i) => reportHtml(r, i, lang, cited)).join('')}`);
  if (a.backtraces.length > 0) parts.push(`<h2>${esc(t(lang, 'backtraces'))}</h2><section class="report">${a.backtraces.map((tr) => traceHtml(tr, lang, cited)).join('')}</section>`);
  return `<!DOCTYPE html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ktriage: ${esc(a.input)}</title><style>${CSS}</style></head>
<body><main>${parts.join('\n')}</main></body></html>
`;
}
