// Facts several rules derive from the same report: the scheduling-while-atomic count, inferred panics, eras.

import type { CrashReport, LogLine } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import { PANIC_CALLERS } from '../knowledge/functions';
import { ERA_MARKERS } from '../knowledge/eras';
import type { VersionRange } from '../knowledge/release';
import { decodeAddr, decodePreempt } from '../decode';
import { allStacks, framesOf, named, type StackView } from './stacks';
import type { RuleContext } from './types';

export interface ScheduleBug {
  report: CrashReport;
  index: number;
  header: LogLine;
  comm: string;
  pid: number;
  value: number;
  raw: string;
}

const SCHEDULE_BUG = /scheduling while atomic: ?(.{1,64}?)\/(\d{1,10})\/(0x[0-9a-f]{1,16})/;

/** Every `BUG: scheduling while atomic: comm/pid/0x...` report with its printed preempt count. */
export function scheduleBugs(ctx: RuleContext): ScheduleBug[] {
  const out: ScheduleBug[] = [];
  ctx.analysis.reports.forEach((report, index) => {
    const header = ctx.line(report.headerLine);
    if (!header) return;
    const m = SCHEDULE_BUG.exec(header.text);
    if (!m) return;
    out.push({ report, index, header, comm: m[1], pid: Number(m[2]), value: Number.parseInt(m[3].slice(2), 16), raw: m[3] });
  });
  return out;
}

export interface InferredPanic {
  stack: StackView;
  /** The panic() frame and the frame that called it. */
  panicLine: number;
  callerLine: number;
  caller: string;
  message: string;
  when: string;
  /** True when the log does not print the message and it was inferred from the caller. */
  inferred: boolean;
}

/** Panics whose message follows from the function that called panic() (do_exit, the watchdogs...). */
export function inferredPanics(ctx: RuleContext): InferredPanic[] {
  const out: InferredPanic[] = [];
  for (const s of allStacks(ctx.analysis)) {
    const frames = framesOf(s.trace);
    const i = frames.findIndex((f) => f.function === 'panic' || f.function === 'nmi_panic');
    if (i < 0) continue;
    // The caller is the next frame outwards that is not panic plumbing itself.
    const caller = frames.slice(i + 1).find((f) => f.function !== 'nmi_panic' && f.function !== 'panic');
    if (!caller || !caller.function) continue;
    const known = PANIC_CALLERS.find((p) => named(caller, [p.caller]));
    if (!known) continue;
    const printed = ctx.findLines(`Kernel panic - not syncing: ${known.message}`, 1);
    out.push({
      stack: s,
      panicLine: frames[i].line,
      callerLine: caller.line,
      caller: caller.function,
      message: `Kernel panic - not syncing: ${known.message}`,
      when: known.when,
      inferred: printed.length === 0,
    });
  }
  return out;
}

/** The release of the report's kernel, else of the input. */
export function releaseOf(a: Analysis, r: CrashReport | null): string | null {
  return r?.kernel.release ?? a.kernel.release;
}

/** The release to decode version-dependent values with: the printed one, else the era the log shows. */
export function decodingRelease(ctx: RuleContext, r: CrashReport | null): string | null {
  return releaseOf(ctx.analysis, r) ?? eraOf(ctx)?.representative ?? null;
}

/** The line of the report that printed `CPU: ... Tainted:` (or `Pid: ..., comm:`), for evidence. */
export function taintLine(ctx: RuleContext, r: CrashReport): LogLine | null {
  for (let no = r.startLine; no <= r.endLine; no++) {
    const l = ctx.line(no);
    if (l && /(?:^|\s)(?:CPU: ?\d+ |Pid: \d+, comm:).{0,200}(?:Tainted:|Not tainted)/.test(l.text)) return l;
  }
  return null;
}

export interface EraGuess {
  label: { en: string; zh: string };
  range: VersionRange;
  representative: string;
  line: number;
}

/** Dates the log from marker lines when the release is not printed. */
export function eraOf(ctx: RuleContext): EraGuess | null {
  for (const m of ERA_MARKERS) {
    const hit = ctx.findLines(m.pattern, 1)[0];
    if (hit) return { label: m.label, range: m.range, representative: m.representative, line: hit.no };
  }
  return null;
}

/** Lines showing that a kernel stack overflowed or its thread_info was overwritten. */
export function stackCorruptionLines(ctx: RuleContext): Array<{ line: number; why: string }> {
  const out: Array<{ line: number; why: string }> = [];
  for (const bug of scheduleBugs(ctx)) {
    const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
    if (!pc.plausible) out.push({ line: bug.header.no, why: `impossible preempt count ${bug.raw}` });
  }
  for (const l of ctx.findLines(/kernel stack overflow|corrupted stack end|stack guard page was hit|thread overran stack|stack-protector: Kernel stack is corrupted|double fault/, 5)) {
    out.push({ line: l.no, why: l.text.trim() });
  }
  return out;
}

export interface AddressClass {
  region: string;
  label: { en: string; zh: string };
}

/** Where an address lives for the kernel's era (user, modules, direct map...), for rules. */
export function addressClass(value: string, release: string | null): AddressClass {
  const d = decodeAddr(value, { release });
  return { region: d.region, label: d.regionText };
}
