// Pieces every common-kind rule needs: the reports of a kind, the guilty frame as a culprit, the fault address, crash commands.

import type { CrashReport, Frame, LogLine } from '../model/types';
import { decodePfError, type PfErrorDecode } from '../decode/pf-error';
import { framesOf } from './stacks';
import type { Blame } from './blame';
import type { EvidenceDraft, L10n, RuleContext } from './types';

export function t(en: string, zh: string): L10n {
  return { en, zh };
}

export function ev(line: number, en: string, zh: string): EvidenceDraft {
  return { line, note: { en, zh } };
}

/** Joins the non-empty paragraphs of both languages. */
export function paragraphs(parts: ReadonlyArray<L10n | null | false | undefined>): L10n {
  const kept = parts.filter((p): p is L10n => !!p && p.en !== '');
  return { en: kept.map((p) => p.en).join('\n\n'), zh: kept.map((p) => p.zh).join('\n\n') };
}

export interface ReportHit {
  report: CrashReport;
  index: number;
  header: LogLine;
  /** The header's match against the rule's pattern. */
  match: RegExpExecArray;
}

/** Reports whose header line (or, failing that, a line of the report) matches `re`. */
export function reportsWhere(ctx: RuleContext, re: RegExp, searchBody = false): ReportHit[] {
  const out: ReportHit[] = [];
  ctx.analysis.reports.forEach((report, index) => {
    const header = ctx.line(report.headerLine);
    if (!header) return;
    const m = re.exec(header.text);
    if (m) {
      out.push({ report, index, header, match: m });
      return;
    }
    if (!searchBody) return;
    const hit = linesOf(ctx, report, re, 1)[0];
    if (hit) out.push({ report, index, header: hit, match: re.exec(hit.text) as RegExpExecArray });
  });
  return out;
}

/** Lines of a report matching `re`, in order. */
export function linesOf(ctx: RuleContext, r: CrashReport, re: RegExp, limit = 20, from = r.startLine, to = r.endLine): LogLine[] {
  const out: LogLine[] = [];
  for (let no = from; no <= to && out.length < limit; no++) {
    const l = ctx.line(no);
    if (l && re.test(l.text)) out.push(l);
  }
  return out;
}

/** All frames of the report's stacks that are not alloc/free tracks, innermost first. */
export function mainFrames(r: CrashReport): Frame[] {
  return r.traces.filter((tr) => !/(?:^|\] )(?:Allocated|Freed|Last potentially|Second to last)/i.test(tr.label ?? '')).flatMap(framesOf);
}

/** The culprit as rules print it: the blame walk's answer (function, module, line, location). */
export type Culprit = Pick<Blame, 'function' | 'module' | 'line' | 'location'>;

/** "func [mod]" for sentences. */
export function who(c: Culprit): string {
  if (!c.function) return c.module ? `[${c.module}]` : 'the faulting code';
  return c.module ? `${c.function} [${c.module}]` : c.function;
}

export function whoZh(c: Culprit): string {
  if (!c.function) return c.module ? `[${c.module}]` : '出错代码';
  return c.module ? `${c.function} [${c.module}]` : c.function;
}

/** Evidence for the culprit frame, when it has a line. */
export function culpritEvidence(c: Culprit, en: string, zh: string): EvidenceDraft[] {
  return c.line !== null ? [ev(c.line, en, zh)] : [];
}

/** Standard crash steps: disassemble the culprit location, then the full stack. */
export function disStep(c: Culprit, whyEn: string, whyZh: string): L10n | null {
  if (!c.location) return null;
  return t(`crash> dis -l ${c.location}     (${whyEn})`, `crash> dis -l ${c.location}（${whyZh}）`);
}

export function steps(...s: ReadonlyArray<L10n | null | undefined | false>): L10n[] {
  return s.filter((x): x is L10n => !!x);
}

/** The CPU/task that printed the report, for sentences. */
export function taskOf(r: CrashReport): string {
  const parts: string[] = [];
  if (r.comm) parts.push(r.pid !== null ? `${r.comm}/${r.pid}` : r.comm);
  if (r.cpu !== null) parts.push(`CPU ${r.cpu}`);
  return parts.join(', ');
}

export function modulesSuffix(r: CrashReport): L10n {
  const suspects = r.modules.filter((m) => /[OEP]/.test(m.taint)).map((m) => m.name);
  if (suspects.length === 0) return t('', '');
  return t(
    `Out-of-tree or unsigned modules are loaded (${suspects.join(', ')}); check them first if the culprit code calls into them.`,
    `系统加载了树外或未签名模块（${suspects.join(', ')}）；如果出错代码会调用到它们，先查它们。`,
  );
}

/** A hex number as a bigint, or null. */
export function hexValue(s: string | null | undefined): bigint | null {
  if (!s) return null;
  const m = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(s.trim());
  return m ? BigInt('0x' + m[1]) : null;
}

export function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

/** Where a fault report says the bad access went, and its error code (read once by the parse layer). */
export type FaultDetails = CrashReport['fault'];

export function faultDetails(r: CrashReport): FaultDetails {
  return r.fault;
}

/** The decoded page-fault error code, or null when it cannot be read. */
export function safePf(code: string): PfErrorDecode | null {
  try {
    return decodePfError(code);
  } catch {
    return null;
  }
}
