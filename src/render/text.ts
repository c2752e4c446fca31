// The human-readable report for a terminal: headline first, then the facts, then the stacks.

import type { CallTrace, CrashReport, Frame, StackContext } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import type { RenderedFinding } from '../rules/engine';
import { t, type Lang, type Label } from './i18n';
import type { Paint } from './color';
import { findingsText, wrapParagraph } from './findings';

/** A fact line wrapped to the width, continuation lines indented under it. */
function hanging(text: string): string[] {
  return wrapParagraph(text, '    ').map((l, i) => (i === 0 ? '  ' + l.trimStart() : l));
}

const WIDTH = 80;

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

function traceLines(tr: CallTrace, lang: Lang, p: Paint, indent: string): string[] {
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

function sameKernel(a: CrashReport['kernel'], b: CrashReport['kernel']): boolean {
  return a.release === b.release && a.arch === b.arch && (a.taint?.raw ?? null) === (b.taint?.raw ?? null);
}

function reportLines(r: CrashReport, i: number, n: number, lang: Lang, p: Paint, inputKernel: CrashReport['kernel']): string[] {
  const out: string[] = [];
  const tag = n > 1 ? `${t(lang, 'report')} ${i + 1} ${t(lang, 'of')} ${n}: ` : '';
  out.push(p.bold(p.red(`${tag}${r.title}`)));
  const facts: string[] = [];
  facts.push(`${t(lang, 'line')} ${r.startLine}-${r.endLine}`);
  facts.push(`${t(lang, 'type')} ${r.type}`);
  if (r.corrupted) facts.push(p.yellow(`${t(lang, 'corrupted')}${r.corruptedReason ? ` (${r.corruptedReason})` : ''}`));
  out.push(`  ${facts.join(', ')}`);
  if (r.comm !== null || r.pid !== null || r.cpu !== null) {
    const who = [r.comm ?? '?', r.pid !== null ? `pid ${r.pid}` : null].filter(Boolean).join(', ');
    out.push(`  ${t(lang, 'task')}: ${who}${r.cpu !== null ? `, ${t(lang, 'onCpu')} ${r.cpu}` : ''}`);
  }
  if ((r.kernel.release || r.kernel.taint) && !sameKernel(r.kernel, inputKernel)) out.push(`  ${t(lang, 'kernel')}: ${kernelText(r.kernel, lang)}`);
  if (r.hardware) out.push(...hanging(`${t(lang, 'hardware')}: ${r.hardware}`));
  if (r.frame) out.push(`  ${t(lang, 'guiltyFrame')}: ${r.frame}`);
  if (r.guiltyFile) out.push(`  ${t(lang, 'guiltyFile')}: ${r.guiltyFile}`);
  if (r.registers?.ip) out.push(...hanging(`${t(lang, 'ip')}: ${r.registers.ip.text.replace(/\s+/g, ' ')} [${t(lang, 'line')} ${r.registers.ip.line}]`));
  if (r.instruction) {
    out.push(`  ${t(lang, 'instruction')}: ${r.instruction.att} ${p.dim(`[${t(lang, 'line')} ${r.instruction.line}]`)}`);
    for (const n of r.instruction.notes) out.push(...wrapParagraph(n[lang], '    ').map((l) => p.dim(l)));
  }
  if (r.modules.length > 0) {
    const words = r.modules.map((m) => (m.taint || m.state ? `${m.name}(${m.taint}${m.state})` : m.name));
    const tainted = r.modules.filter((m) => m.taint);
    const shown = words.length > 12 ? [...words.filter((_, k) => r.modules[k].taint || r.modules[k].state), `(+${words.length - tainted.length} ${t(lang, 'more')})`] : words;
    out.push(...hanging(`${t(lang, 'modules')}: ${shown.join(' ')}`));
    if (r.lastUnloaded) out.push(`  ${t(lang, 'lastUnloaded')}: ${r.lastUnloaded}`);
  }
  for (const tr of r.traces) out.push(...traceLines(tr, lang, p, '  '));
  return out;
}

export function kernelText(k: CrashReport['kernel'], lang: Lang): string {
  const parts: string[] = [k.release ?? t(lang, 'unknown')];
  if (k.arch) parts.push(`(${k.arch})`);
  if (k.taint) parts.push(k.taint.flags.length > 0 ? `${t(lang, 'taint')} ${k.taint.flags.join('')} [${k.taint.raw.replace(/\s+/g, ' ')}]` : t(lang, 'notTainted'));
  return parts.join(' ');
}

export function renderText(a: Analysis, lang: Lang, p: Paint): string {
  const out: string[] = [];
  const title = `== ${a.input} (${a.lineCount} ${t(lang, 'lines')}) ==`;
  if (title.length <= WIDTH) out.push(p.bold(title));
  else out.push(p.bold(`== ${a.input}`), p.bold(`   (${a.lineCount} ${t(lang, 'lines')})`));
  for (const note of a.notes) out.push(p.yellow(`${t(lang, 'notes')}: ${note}`));
  if (a.kernel.release || a.kernel.taint) out.push(`${t(lang, 'kernel')}: ${kernelText(a.kernel, lang)}`);
  if (a.reports.length === 0) out.push(t(lang, 'noReport'));
  if (a.findings.length > 0) {
    out.push('');
    out.push(p.bold(`${t(lang, 'diagnosis')}:`));
    out.push(...findingsText(a.findings as RenderedFinding[], lang, p));
    out.push('');
    out.push(p.bold(`${t(lang, 'details')}:`));
  }
  a.reports.forEach((r, i) => {
    out.push('');
    out.push(...reportLines(r, i, a.reports.length, lang, p, a.kernel));
  });
  if (a.backtraces.length > 0) {
    out.push('');
    out.push(p.bold(`${t(lang, 'backtraces')}:`));
    for (const tr of a.backtraces) out.push(...traceLines(tr, lang, p, '  '));
  }
  return out.join('\n') + '\n';
}
