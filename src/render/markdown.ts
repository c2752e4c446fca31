// The Markdown report: the same content as the text form, for tickets and wikis.

import type { CallTrace, CrashReport } from '../model/types';
import { machineOf } from '../machine';
import { machineLines, machineWorthShowing } from './machine';
import type { Analysis } from '../analyze/analyze';
import { pick, t, type OutLang } from './i18n';
import { contextLabel, frameText, hasKernel, kernelText, modulesText, repeatsOf, reportTotal, TALLIES_SHOWN } from './text';
import { append, count, findingsMarkdown, type MdText } from './findings';
import type { RenderedFinding } from '../rules/engine';

/**
 * Prose from the log or the rules: HTML is written as entities (a renderer must show `<IRQ>`, not
 * swallow it as a tag), and what Markdown would read as markup is backslash-escaped, no more (an
 * underscore inside a word, as in `spin_lock_bh`, is no emphasis, and stays as it is).
 */
export function mdEscape(s: string, lineStart = true): string {
  const inline = s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')).replace(/[\\`*~|]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_|\](?=[([:])/g, '\\$&');
  if (!lineStart) return inline;
  // At the start of a line: a heading, a list item, a link definition.
  return inline.replace(/^(\s*)(?:([#+-])(?=\s|$)|(\d{1,9})\.(?=\s|$)|\[)/, (_m, sp: string, mark?: string, num?: string) => (mark ? `${sp}\\${mark}` : num ? `${sp}${num}\\.` : `${sp}\\[`));
}

/** A line the rules wrote: escaped as prose, but their own list items (`- ...`) stay lists. */
export function mdRuleLine(s: string): string {
  return /^\s*- /.test(s) ? s.replace(/^(\s*- )(.*)$/, (_m, head: string, rest: string) => head + mdEscape(rest)) : mdEscape(s);
}

/** An inline code span that no backtick in `s` can close early. */
export function mdCode(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((x) => x.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A fenced block that no line of `lines` can close early. */
export function mdBlock(lines: readonly string[]): string[] {
  let longest = 0;
  for (const l of lines) for (const m of l.match(/`{3,}/g) ?? []) longest = Math.max(longest, m.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence, ...lines, fence];
}

const MD: MdText = { esc: (x) => mdEscape(x), line: mdRuleLine, code: mdCode, block: mdBlock };

function traceMd(tr: CallTrace, lang: OutLang): string[] {
  const out: string[] = [];
  out.push(`**${mdEscape(tr.label ?? t(lang, 'trace'))}** (${mdEscape(t(lang, 'line'))} ${tr.startLine}-${tr.endLine})`, '');
  const rows: string[] = [];
  for (const seg of tr.segments) {
    rows.push(`<${t(lang, contextLabel(seg.context))}${seg.exceptionRip ? `, ${t(lang, 'exceptionAt')} ${seg.exceptionRip}` : ''}>`);
    for (const f of seg.frames) rows.push(`  ${f.reliable ? '  ' : '? '}${frameText(f)}`);
  }
  append(out, mdBlock(rows));
  out.push('');
  return out;
}

function reportMd(r: CrashReport, i: number, lang: OutLang, sameAs: number | null): string[] {
  const out: string[] = [`## ${i + 1}. ${mdEscape(r.title)}`, ''];
  const row = (k: string, v: string | number | null | undefined): void => {
    if (v !== null && v !== undefined && v !== '') out.push(`| ${mdEscape(k)} | ${mdEscape(String(v))} |`);
  };
  out.push('| | |', '|---|---|');
  row(t(lang, 'line'), `${r.startLine}-${r.endLine}`);
  row(t(lang, 'type'), r.type);
  if (r.corrupted) row(t(lang, 'corrupted'), r.corruptedReason ?? 'yes');
  row(t(lang, 'task'), [r.comm, r.pid !== null ? `pid ${r.pid}` : null, r.cpu !== null ? `CPU ${r.cpu}` : null].filter(Boolean).join(', '));
  if (sameAs !== null) {
    out.push('', `${mdEscape(`${t(lang, 'sameTitleAs')} ${sameAs + 1}; ${t(lang, 'notRepeated')}`)}`, '');
    return out;
  }
  if (r.kernel.release || r.kernel.taint) row(t(lang, 'kernel'), kernelText(r.kernel, lang));
  row(t(lang, 'hardware'), r.hardware);
  row(t(lang, 'guiltyFrame'), r.frame);
  row(t(lang, 'guiltyFile'), r.guiltyFile);
  row(t(lang, 'ip'), r.registers?.ip?.text);
  if (r.instruction) row(t(lang, 'instruction'), `${r.instruction.att} (${r.instruction.notes.map((n) => pick(n, lang)).join(' ')})`);
  if (r.modules.length > 0) row(t(lang, 'modules'), modulesText(r, lang));
  row(t(lang, 'lastUnloaded'), r.lastUnloaded);
  out.push('');
  for (const tr of r.traces) append(out, traceMd(tr, lang));
  return out;
}

function talliesMd(a: Analysis, lang: OutLang): string[] {
  const more = a.moreReports ?? [];
  if (more.length === 0) return [];
  const omitted = more.reduce((n, x) => n + x.count, 0);
  const out = [`${count(omitted)} ${mdEscape(t(lang, 'moreReports'))}:`, ''];
  for (const x of more.slice(0, TALLIES_SHOWN)) {
    out.push(`- ${lang === 'en' ? `x ${count(x.count)}` : `${count(x.count)} ${t(lang, 'times')}`} ${mdEscape(x.title || t(lang, 'otherTitles'))}, ${mdEscape(t(lang, 'lineRange'))} ${count(x.firstLine)}-${count(x.lastLine)}`);
  }
  if (more.length > TALLIES_SHOWN) out.push(`- ... ${count(more.length - TALLIES_SHOWN)} ${mdEscape(t(lang, 'moreTitles'))}`);
  out.push('');
  return out;
}

export function renderMarkdown(a: Analysis, lang: OutLang): string {
  const out: string[] = [`# ${mdEscape(a.input)}`, ''];
  for (const n of a.notes) out.push(`> ${mdEscape(n)}`, '');
  if (hasKernel(a.kernel)) out.push(`${mdEscape(t(lang, 'kernel'))}: ${mdEscape(kernelText(a.kernel, lang))}`, '');
  const total = reportTotal(a);
  if (total === 0) out.push(mdEscape(t(lang, 'noReport')), '');
  if (a.findings.length > 0) {
    out.push(`## ${mdEscape(t(lang, 'diagnosis'))}`, '');
    append(out, findingsMarkdown(a.findings as RenderedFinding[], lang, MD));
  }
  const machine = machineOf(a);
  if (machineWorthShowing(machine)) {
    // A fenced block: the table's columns stay aligned and nothing from the log is read as Markdown.
    out.push(`## ${mdEscape(t(lang, 'machine'))}`, '', '```text', ...machineLines(machine, lang, '').map((l) => l.replace(/`{3,}/g, '` ` `')), '```', '');
  }
  if ((a.investigation ?? []).length > 0) {
    // Commands and answers as crash printed them, in a fenced block nothing from the dump can close.
    const body = (a.investigation ?? []).flatMap((s) => [`crash> ${s.command}   (${t(lang, 'round')} ${s.round}, ${t(lang, 'answerLine')} ${s.line})`, ...s.answer.map((l) => `  ${l}`), ...(s.more > 0 ? [`  ... ${s.more} ${t(lang, 'moreAnswer')}`] : [])]);
    out.push(`## ${mdEscape(t(lang, 'investigation'))}`, '', '```text', ...body.map((l) => l.replace(/`{3,}/g, '` ` `')), '```', '');
  }
  const same = repeatsOf(a.reports);
  a.reports.forEach((r, i) => append(out, reportMd(r, i, lang, same[i])));
  append(out, talliesMd(a, lang));
  if (a.backtraces.length > 0) {
    out.push(`## ${mdEscape(t(lang, 'backtraces'))}`, '');
    for (const tr of a.backtraces) append(out, traceMd(tr, lang));
  }
  return out.join('\n') + '\n';
}
