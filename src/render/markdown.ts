// The Markdown report: the same content as the text form, for tickets and wikis.

import type { CallTrace, CrashReport } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import { t, type Lang } from './i18n';
import { contextLabel, frameText, kernelText } from './text';
import { findingsMarkdown } from './findings';
import type { RenderedFinding } from '../rules/engine';

function mdEscape(s: string): string {
  return s.replace(/([\\`*_[\]|<>])/g, '\\$1');
}

function traceMd(tr: CallTrace, lang: Lang): string[] {
  const out: string[] = [];
  out.push(`**${mdEscape(tr.label ?? t(lang, 'trace'))}** (${t(lang, 'line')} ${tr.startLine}-${tr.endLine})`, '', '```');
  for (const seg of tr.segments) {
    out.push(`<${t(lang, contextLabel(seg.context))}${seg.exceptionRip ? `, ${t(lang, 'exceptionAt')} ${seg.exceptionRip}` : ''}>`);
    for (const f of seg.frames) out.push(`  ${f.reliable ? '  ' : '? '}${frameText(f)}`);
  }
  out.push('```', '');
  return out;
}

function reportMd(r: CrashReport, i: number, lang: Lang): string[] {
  const out: string[] = [`## ${i + 1}. ${mdEscape(r.title)}`, ''];
  const row = (k: string, v: string | number | null | undefined): void => {
    if (v !== null && v !== undefined && v !== '') out.push(`| ${k} | ${mdEscape(String(v))} |`);
  };
  out.push('| | |', '|---|---|');
  row(t(lang, 'line'), `${r.startLine}-${r.endLine}`);
  row(t(lang, 'type'), r.type);
  if (r.corrupted) row(t(lang, 'corrupted'), r.corruptedReason ?? 'yes');
  row(t(lang, 'task'), [r.comm, r.pid !== null ? `pid ${r.pid}` : null, r.cpu !== null ? `CPU ${r.cpu}` : null].filter(Boolean).join(', '));
  if (r.kernel.release || r.kernel.taint) row(t(lang, 'kernel'), kernelText(r.kernel, lang));
  row(t(lang, 'hardware'), r.hardware);
  row(t(lang, 'guiltyFrame'), r.frame);
  row(t(lang, 'guiltyFile'), r.guiltyFile);
  row(t(lang, 'ip'), r.registers?.ip?.text);
  if (r.instruction) row(t(lang, 'instruction'), `${r.instruction.att} (${r.instruction.notes.map((n) => n[lang]).join(' ')})`);
  if (r.modules.length > 0) row(t(lang, 'modules'), r.modules.map((m) => (m.taint || m.state ? `${m.name}(${m.taint}${m.state})` : m.name)).join(' '));
  row(t(lang, 'lastUnloaded'), r.lastUnloaded);
  out.push('');
  for (const tr of r.traces) out.push(...traceMd(tr, lang));
  return out;
}

export function renderMarkdown(a: Analysis, lang: Lang): string {
  const out: string[] = [`# ${mdEscape(a.input)}`, ''];
  for (const n of a.notes) out.push(`> ${mdEscape(n)}`, '');
  if (a.kernel.release || a.kernel.taint) out.push(`${t(lang, 'kernel')}: ${mdEscape(kernelText(a.kernel, lang))}`, '');
  if (a.reports.length === 0) out.push(t(lang, 'noReport'), '');
  if (a.findings.length > 0) out.push(`## ${t(lang, 'diagnosis')}`, '', ...findingsMarkdown(a.findings as RenderedFinding[], lang, mdEscape));
  a.reports.forEach((r, i) => out.push(...reportMd(r, i, lang)));
  if (a.backtraces.length > 0) {
    out.push(`## ${t(lang, 'backtraces')}`, '');
    for (const tr of a.backtraces) out.push(...traceMd(tr, lang));
  }
  return out.join('\n') + '\n';
}
