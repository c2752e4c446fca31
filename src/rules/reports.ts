// Pieces every common-kind rule needs: the reports of a kind, the guilty frame as a culprit, the fault address, crash commands.

import type { CrashReport, Frame, LogLine } from '../model/types';
import { decodePfError, type PfErrorDecode } from '../decode/pf-error';
import { decodeCode } from '../decode/code';
import { MODULE_PHASES, type ModulePhaseRow } from '../knowledge/module-phases';
import { framesOf } from './stacks';
import { baseName, type Blame } from './blame';
import { messenger } from './messages';
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
const CRASH_TASK_HEADER = /^ {0,16}PID: {1,8}\d{1,10} {1,8}TASK: {1,4}[0-9a-f]{8,16} {1,8}CPU: /;

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
    // A report read from a crash `bt` alone starts at its task header: what it reports is its title.
    if (CRASH_TASK_HEADER.test(header.text)) {
      const t = re.exec(report.title);
      if (t) {
        out.push({ report, index, header: { ...header, text: report.title }, match: t });
        return;
      }
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

/** "func [mod]" of a culprit, or null when it names nothing: a value for a message's placeholder. */
export function culpritLabel(c: Pick<Blame, 'function' | 'module'>): string | null {
  if (!c.function) return c.module ? `[${c.module}]` : null;
  return c.module ? `${c.function} [${c.module}]` : c.function;
}

/** Headers of page-fault reports (x86 "unable to handle", arm "Unable to handle kernel ...", "#PF:" lines). */
const PAGE_FAULT_HEADER = /unable to handle (?:kernel )?(?:paging request|page fault|NULL pointer)|Unable to handle kernel |NULL pointer dereference|page fault for address|#PF: /;
const NOT_PAGE_FAULT = /general protection fault|stack segment|invalid opcode|double fault|divide error/;

/** Whether the report is a page fault: only then is CR2 the faulting address. */
export function isPageFault(ctx: RuleContext, r: CrashReport): boolean {
  const header = ctx.line(r.headerLine)?.text ?? '';
  if (PAGE_FAULT_HEADER.test(header)) return true;
  if (NOT_PAGE_FAULT.test(header)) return false;
  return r.fault.errorCode !== null && linesOf(ctx, r, PAGE_FAULT_HEADER, 1, r.startLine, Math.min(r.endLine, r.startLine + 6)).length > 0;
}

/**
 * The address the report says was accessed: from the header, or from CR2 in a page-fault report. In any other
 * report CR2 holds the last page fault the CPU took, long before, and is never the fault address.
 */
export function faultAddressOf(ctx: RuleContext, r: CrashReport): { value: string; line: number | null } | null {
  const f = r.fault;
  if (!f.address) return null;
  const fromCr2 = f.addressLine === null || /\bCR2: ?[0-9a-f]/.test(ctx.line(f.addressLine)?.text ?? '');
  if (fromCr2 && !isPageFault(ctx, r)) return null;
  return { value: f.address, line: f.addressLine };
}

export type FaultAccess = 'read' | 'write' | 'fetch';

const decodedMemo = new WeakMap<CrashReport, ReturnType<typeof decodeCode> | null>();

function decodedFault(r: CrashReport): ReturnType<typeof decodeCode> | null {
  if (decodedMemo.has(r)) return decodedMemo.get(r) ?? null;
  let d: ReturnType<typeof decodeCode> | null = null;
  const c = r.code;
  if (c && c.unit === 1 && c.fault >= 0 && c.bytes.length <= 256 && (r.kernel.arch === null || r.kernel.arch === 'x86_64')) {
    try {
      d = decodeCode({ bytes: c.bytes, fault: c.fault }, { regs: r.registers?.values ?? {} });
    } catch {
      d = null;
    }
  }
  decodedMemo.set(r, d);
  return d;
}

/**
 * What the faulting access was: the page-fault error code (bit 1 write, bit 4 fetch), arm64's WnR bit, or the
 * memory operand of the decoded faulting instruction (a destination in memory is a write).
 */
export function faultAccessOf(ctx: RuleContext, r: CrashReport): { access: FaultAccess; line: number; from: 'error-code' | 'esr' | 'instruction' } | null {
  if (r.fault.errorCode && r.fault.errorCodeLine !== null && isPageFault(ctx, r)) {
    const pf = safePf(r.fault.errorCode);
    if (pf) return { access: pf.instructionFetch ? 'fetch' : pf.write ? 'write' : 'read', line: r.fault.errorCodeLine, from: 'error-code' };
  }
  const wnr = linesOf(ctx, r, /\bWnR = [01]\b/, 1, r.startLine, Math.min(r.endLine, r.startLine + 20))[0];
  if (wnr) return { access: /WnR = 1/.test(wnr.text) ? 'write' : 'read', line: wnr.no, from: 'esr' };
  const d = decodedFault(r);
  const mem = d?.memory.find((m) => m.access !== 'none') ?? null;
  if (mem && r.code) return { access: mem.access === 'read' ? 'read' : 'write', line: r.code.line, from: 'instruction' };
  return null;
}

/** The exception frame's IP when it is kernel code: a user-space `RIP: 0033:` is where the task was, not the fault. */
export function kernelIp(r: CrashReport): NonNullable<CrashReport['registers']>['ip'] {
  const ip = r.registers?.ip ?? null;
  if (!ip || /\b(?:RIP|EIP): 00(?:33|2b|23|73):/.test(ip.text)) return null;
  return ip;
}

export interface ModulePhase {
  phase: ModulePhaseRow['phase'];
  /** The module's init or exit function (the frame just inside the loader's call). */
  frame: Frame;
  module: string;
}

/** A stack that runs a module's init or exit function (do_one_initcall, delete_module): where in its life it failed. */
export function modulePhaseOf(frames: readonly Frame[]): ModulePhase | null {
  for (let i = 1; i < frames.length; i++) {
    const f = frames[i];
    if (!f.reliable || !f.function) continue;
    const row = MODULE_PHASES.find((p) => p.entries.includes(baseName(f.function as string)));
    if (!row) continue;
    for (let j = i - 1; j >= 0; j--) {
      const inner = frames[j];
      if (inner.reliable && inner.function && inner.module) return { phase: row.phase, frame: inner, module: inner.module };
    }
    return null;
  }
  return null;
}

/** "comm/pid, CPU n" of the task that printed the report, or null when the report does not say. */
export function taskLabel(r: CrashReport): string | null {
  return taskOf(r) || null;
}

/** The out-of-tree, unsigned or proprietary modules loaded, as a list for a sentence, or null when there are none. */
export function suspectModuleNames(r: CrashReport): string | null {
  const names = r.modules.filter((m) => /[OEP]/.test(m.taint)).map((m) => m.name);
  return names.length > 0 ? names.join(', ') : null;
}

/** The phrases a module's init or exit path gets; rules that name it spread these into their own messages. */
export const modulePhaseMessages = {
  evPhase: { en: '{{fn}}: the {{module}} module\'s {{phase}} function', zh: '{{fn}}：{{module}} 模块的{{phase}}函数' },
  phaseNameInit: { en: 'init', zh: '初始化' },
  phaseNameExit: { en: 'exit', zh: '退出' },
} satisfies Record<string, L10n>;

const phaseMsg = messenger(modulePhaseMessages);

/** The values a module-phase message shows, and the evidence line naming the module's init or exit function. */
export function modulePhaseData(phase: ModulePhase | null): { data: { module: string; fn: string | null; phase: L10n }; evidence: EvidenceDraft } | null {
  if (!phase) return null;
  const data = { module: phase.module, fn: phase.frame.function, phase: phaseMsg(phase.phase === 'init' ? 'phaseNameInit' : 'phaseNameExit') };
  return { data, evidence: { line: phase.frame.line, note: phaseMsg('evPhase', data) } };
}

const REPORTED_IN = /\bin ([A-Za-z_.][\w.]{0,127})\+0x([0-9a-f]{1,8})\/0x[0-9a-f]{1,8}(?: \[([\w-]{1,64})\])?/;

/**
 * The function a sanitizer's header says the bad access was in ("BUG: KASAN: ... in func+0x1/0x2 [mod]"): where the
 * blame walk starts, rather than syzkaller's guilty frame, which may lie further out.
 */
export function reportedIn(header: LogLine): { function: string; module: string | null; offset: number; line: number } | null {
  const m = REPORTED_IN.exec(header.text);
  return m ? { function: m[1], module: m[3] ?? null, offset: Number.parseInt(m[2], 16), line: header.no } : null;
}
