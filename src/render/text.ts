// The human-readable report for a terminal: headline first, then the facts, then the stacks.

import type { CallTrace, CrashReport, Frame, KernelInfo, StackContext } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import type { RenderedFinding } from '../rules/engine';
import { pick, t, type OutLang, type Label } from './i18n';
import type { Paint } from './color';
import { append, count, findingsText, wrapParagraph } from './findings';
import { machineOf } from '../machine';
import { machineBlocks, machineWorthShowing } from './machine';

/** A fact line wrapped to the width, continuation lines indented under it. */
function hanging(text: string): string[] {
  return wrapParagraph(text, '    ').map((l, i) => (i === 0 ? '  ' + l.trimStart() : l));
}

const WIDTH = 80;
/** Titles listed for the reports that were counted rather than kept. */
export const TALLIES_SHOWN = 20;

export function frameText(f: Frame): string {
  let s = f.function ?? f.address ?? '?';
  if (f.function && f.offset !== null) s += `+0x${f.offset.toString(16)}`;
  if (f.function && f.size !== null) s += `/0x${f.size.toString(16)}`;
  if (f.module) s += ` [${f.module}]`;
  if (f.source) s += ` ${f.source}`;
  if (f.inlined) s += ' [inline]';
  return s;
}

export function contextLabel(c: StackContext): Label {
  return `ctx_${c}` as Label;
}

function traceLines(tr: CallTrace, lang: OutLang, p: Paint, indent: string): string[] {
  const out: string[] = [];
  const head = tr.task
    ? `${tr.task.comm ?? '?'} (pid ${tr.task.pid ?? '?'})${tr.task.cpu !== null ? `, ${t(lang, 'onCpu')} ${tr.task.cpu}` : ''}`
    : `${t(lang, 'trace')}${tr.label && !/^Call [Tt]race/.test(tr.label) ? ` (${tr.label.replace(/:$/, '')})` : ''}`;
  out.push(`${indent}${p.bold(head)} ${p.dim(`[${t(lang, 'line')} ${tr.startLine}-${tr.endLine}]`)}`);
  for (const seg of tr.segments) {
    const exc = seg.exceptionRip ? `, ${t(lang, 'exceptionAt')} ${seg.exceptionRip}` : '';
    out.push(`${indent}  ${p.cyan(`<${t(lang, contextLabel(seg.context))}${exc}>`)}`);
    for (const f of seg.frames) {
      const mark = f.reliable ? '  ' : '? ';
      const s = `${indent}    ${mark}${frameText(f)}`;
      out.push(f.reliable ? s : p.dim(s));
    }
  }
  return out;
}

function sameKernel(a: KernelInfo, b: KernelInfo): boolean {
  return a.release === b.release && a.arch === b.arch && (a.taint?.raw ?? null) === (b.taint?.raw ?? null);
}

/** The report's place and kind: `line 12-40, type ATOMIC_SLEEP`. */
function placeLine(r: CrashReport, lang: OutLang, p: Paint): string {
  const facts: string[] = [`${t(lang, 'line')} ${r.startLine}-${r.endLine}`, `${t(lang, 'type')} ${r.type}`];
  if (r.corrupted) facts.push(p.yellow(`${t(lang, 'corrupted')}${r.corruptedReason ? ` (${r.corruptedReason})` : ''}`));
  return `  ${facts.join(', ')}`;
}

function taskLine(r: CrashReport, lang: OutLang): string | null {
  if (r.comm === null && r.pid === null && r.cpu === null) return null;
  const who = [r.comm ?? '?', r.pid !== null ? `pid ${r.pid}` : null].filter(Boolean).join(', ');
  return `  ${t(lang, 'task')}: ${who}${r.cpu !== null ? `, ${t(lang, 'onCpu')} ${r.cpu}` : ''}`;
}

/** `Report 3 of 20,000: ` when there are several. */
export function reportTag(i: number, n: number, lang: OutLang): string {
  return n > 1 ? `${t(lang, 'report')} ${count(i + 1)} ${t(lang, 'of')} ${count(n)}: ` : '';
}

function reportLines(r: CrashReport, tag: string, lang: OutLang, p: Paint, inputKernel: KernelInfo, sameAs: number | null): string[] {
  const out: string[] = [];
  wrapParagraph(`${tag}${r.title}`, '  ').forEach((l, i) => out.push(p.bold(p.red(i === 0 ? l.trimStart() : l))));
  append(out, hanging(placeLine(r, lang, p).trimStart()));
  const task = taskLine(r, lang);
  if (task) out.push(task);
  if (sameAs !== null) {
    out.push(`  ${t(lang, 'sameTitleAs')} ${sameAs + 1}; ${t(lang, 'notRepeated')}`);
    return out;
  }
  if ((r.kernel.release || r.kernel.taint) && !sameKernel(r.kernel, inputKernel)) out.push(`  ${t(lang, 'kernel')}: ${kernelText(r.kernel, lang)}`);
  if (r.hardware) append(out, hanging(`${t(lang, 'hardware')}: ${r.hardware}`));
  if (r.frame) out.push(`  ${t(lang, 'guiltyFrame')}: ${r.frame}`);
  if (r.guiltyFile) out.push(`  ${t(lang, 'guiltyFile')}: ${r.guiltyFile}`);
  if (r.registers?.ip) append(out, hanging(`${t(lang, 'ip')}: ${r.registers.ip.text.replace(/\s+/g, ' ')} [${t(lang, 'line')} ${r.registers.ip.line}]`));
  if (r.instruction) {
    out.push(`  ${t(lang, 'instruction')}: ${r.instruction.att} ${p.dim(`[${t(lang, 'line')} ${r.instruction.line}]`)}`);
    for (const n of r.instruction.notes) append(out, wrapParagraph(pick(n, lang), '    ').map((l) => p.dim(l)));
  }
  if (r.modules.length > 0) {
    append(out, hanging(`${t(lang, 'modules')}: ${modulesText(r, lang)}`));
    if (r.lastUnloaded) out.push(`  ${t(lang, 'lastUnloaded')}: ${r.lastUnloaded}`);
  }
  for (const tr of r.traces) append(out, traceLines(tr, lang, p, '  '));
  return out;
}

/** The module list; a long one keeps the tainted and (un)loading modules and counts the rest. */
export function modulesText(r: CrashReport, lang: OutLang): string {
  const words = r.modules.map((m) => (m.taint || m.state ? `${m.name}(${m.taint}${m.state})` : m.name));
  if (words.length <= 12) return words.join(' ');
  const marked = words.filter((_, k) => r.modules[k].taint || r.modules[k].state);
  return [...marked, `(+${words.length - marked.length} ${t(lang, 'more')})`].join(' ');
}

/** The release, or the era the log's format shows when no release is printed; arch; taint. */
export function kernelText(k: KernelInfo, lang: OutLang): string {
  const parts: string[] = [k.release ?? (k.era ? `${pick(k.era.label, lang)}${lang === 'en' ? ', ' : '，'}${t(lang, 'eraInferred')}` : t(lang, 'unknown'))];
  if (k.arch) parts.push(`(${k.arch})`);
  if (k.taint) parts.push(k.taint.flags.length > 0 ? `${t(lang, 'taint')} ${k.taint.flags.join('')} [${k.taint.raw.replace(/\s+/g, ' ')}]` : t(lang, 'notTainted'));
  return parts.join(' ');
}

/** Whether the input's kernel line has anything to say. */
export function hasKernel(k: KernelInfo): boolean {
  return Boolean(k.release || k.taint || k.era);
}

/** For each kept report, the index of an earlier kept report of the same title (its details are not repeated). */
export function repeatsOf(reports: readonly CrashReport[]): Array<number | null> {
  const first = new Map<string, number>();
  return reports.map((r, i) => {
    const k = first.get(r.title);
    if (k === undefined) first.set(r.title, i);
    return k ?? null;
  });
}

/** How many reports there are in all: the kept ones and those counted by title. */
export function reportTotal(a: Analysis): number {
  return a.reportCount ?? a.reports.length;
}

/** Lines on the reports that were counted rather than kept. */
export function talliesText(a: Analysis, lang: OutLang): string[] {
  const more = a.moreReports ?? [];
  if (more.length === 0) return [];
  const omitted = more.reduce((n, x) => n + x.count, 0);
  const out: string[] = [`${count(omitted)} ${t(lang, 'moreReports')}:`];
  for (const x of more.slice(0, TALLIES_SHOWN)) {
    const span = lang === 'en' ? `${t(lang, 'lineRange')} ${count(x.firstLine)}-${count(x.lastLine)}` : `第 ${count(x.firstLine)}-${count(x.lastLine)} ${t(lang, 'lineRange')}`;
    out.push(`  ${lang === 'en' ? `x ${count(x.count)}` : `${count(x.count)} ${t(lang, 'times')}`} ${x.title || t(lang, 'otherTitles')}, ${span}`);
  }
  if (more.length > TALLIES_SHOWN) out.push(`  ... ${count(more.length - TALLIES_SHOWN)} ${t(lang, 'moreTitles')}`);
  return out;
}

/** The commands an investigation ran in the dump, each with the start of its answer. */
function investigationText(a: Analysis, lang: OutLang, p: Paint): string[] {
  const steps = a.investigation ?? [];
  if (steps.length === 0) return [];
  const out = ['', p.bold(`${t(lang, 'investigation')}:`)];
  for (const s of steps) {
    out.push(`  crash> ${s.command}   (${t(lang, 'round')} ${s.round}, ${t(lang, 'answerLine')} ${s.line})`);
    for (const l of s.answer) out.push(p.dim(`    ${l.length > WIDTH - 4 ? `${l.slice(0, WIDTH - 5)}…` : l}`));
    if (s.more > 0) out.push(p.dim(`    ... ${count(s.more)} ${t(lang, 'moreAnswer')}`));
  }
  return out;
}

export function renderText(a: Analysis, lang: OutLang, p: Paint): string {
  const out: string[] = [];
  const title = `== ${a.input} (${count(a.lineCount)} ${t(lang, 'lines')}) ==`;
  if (title.length <= WIDTH) out.push(p.bold(title));
  else out.push(p.bold(`== ${a.input}`), p.bold(`   (${count(a.lineCount)} ${t(lang, 'lines')})`));
  for (const note of a.notes) append(out, wrapParagraph(`${t(lang, 'notes')}: ${note}`, '  ').map((l, i) => p.yellow(i === 0 ? l.trimStart() : l)));
  if (hasKernel(a.kernel)) append(out, wrapParagraph(`${t(lang, 'kernel')}: ${kernelText(a.kernel, lang)}`, '  ').map((l, i) => (i === 0 ? l.trimStart() : l)));
  const total = reportTotal(a);
  if (total === 0) out.push(t(lang, 'noReport'));
  if (a.findings.length > 0) {
    out.push('');
    out.push(p.bold(`${t(lang, 'diagnosis')}:`));
    append(out, findingsText(a.findings as RenderedFinding[], lang, p));
    const machine = machineOf(a);
    if (machineWorthShowing(machine)) {
      out.push('');
      out.push(p.bold(`${t(lang, 'machine')}:`));
      append(out, machineBlocks(machine, lang));
    }
    append(out, investigationText(a, lang, p));
    out.push('');
    out.push(p.bold(`${t(lang, 'details')}:`));
  }
  const same = repeatsOf(a.reports);
  a.reports.forEach((r, i) => {
    out.push('');
    append(out, reportLines(r, reportTag(i, total, lang), lang, p, a.kernel, same[i]));
  });
  const tallies = talliesText(a, lang);
  if (tallies.length > 0) {
    out.push('');
    append(out, tallies);
  }
  if (a.backtraces.length > 0) {
    out.push('');
    out.push(p.bold(`${t(lang, 'backtraces')}:`));
    for (const tr of a.backtraces) append(out, traceLines(tr, lang, p, '  '));
  }
  return out.join('\n') + '\n';
}
