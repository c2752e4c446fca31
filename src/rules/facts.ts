// Facts several rules derive from the same report: the scheduling-while-atomic count, inferred panics, eras.

import type { CrashReport, LogLine } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import { EXIT_WITH_IRQ_COUNT, MODULE_LOAD_NOISE, PANIC_CALLERS } from '../knowledge/functions';
import { inRange, parseRelease, versionOf } from '../knowledge/release';
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

const panicsOf = new WeakMap<RuleContext, InferredPanic[]>();

/** Panics whose message follows from the function that called panic() (do_exit, the watchdogs...). */
export function inferredPanics(ctx: RuleContext): InferredPanic[] {
  // Rules ask this once per report: the stacks are read once per input.
  const known = panicsOf.get(ctx);
  if (known) return known;
  const out: InferredPanic[] = [];
  panicsOf.set(ctx, out);
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
    if (!pc.plausible && !pc.underflow) out.push({ line: bug.header.no, why: `impossible preempt count ${bug.raw}` });
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

export interface ModuleMessage {
  no: number;
  text: string;
  module: string;
}

/**
 * The last message a suspect module (out-of-tree, unsigned, proprietary or unloading) printed
 * shortly before a report: where in its code things went wrong.
 */
export function moduleMessageBefore(ctx: RuleContext, r: CrashReport, beforeLine: number, window = 30): ModuleMessage | null {
  const suspects = r.modules.filter((m) => /[OEP]/.test(m.taint) || m.state.includes('-')).map((m) => m.name);
  if (suspects.length === 0) return null;
  const words = suspects.map((m) => ({ m, re: new RegExp(`(?:^|[^a-z0-9_])${m.toLowerCase().replace(/[^a-z0-9_]/g, '')}(?:[^a-z0-9_]|$)`) }));
  for (let no = beforeLine - 1; no >= Math.max(1, beforeLine - window); no--) {
    const l = ctx.line(no);
    if (!l || MODULE_LOAD_NOISE.some((p) => p.test(l.text)) || /Modules linked in/.test(l.text)) continue;
    const lower = l.text.toLowerCase();
    const mod = words.find((w) => w.re.test(lower))?.m;
    if (mod) return { no, text: l.text.trim(), module: mod };
  }
  return null;
}

/** What the kernel does when a task exits with an interrupt count, for the kernel's version (null when unknown). */
export function exitWithIrqCount(release: string | null): (typeof EXIT_WITH_IRQ_COUNT)[number] | null {
  const rel = release ? parseRelease(release) : null;
  if (!rel) return null;
  return EXIT_WITH_IRQ_COUNT.find((row) => inRange(versionOf(rel), row.range)) ?? null;
}
