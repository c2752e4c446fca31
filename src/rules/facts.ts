// Facts several rules derive from the same report: the scheduling-while-atomic count, inferred panics, eras, sampled stacks.

import type { CallTrace, CrashReport, Frame, LogLine } from '../model/types';
import { buildReport, type Analysis } from '../analyze/analyze';
import { parseSymbolOffset } from '../parse/frames';
import { EXIT_WITH_IRQ_COUNT, IPI_WAITERS, MODULE_LOAD_NOISE, PANIC_CALLERS } from '../knowledge/functions';
import { matchesAny } from '../knowledge/contexts';
import { inRange, parseRelease, versionOf } from '../knowledge/release';
import { ERA_MARKERS } from '../knowledge/eras';
import type { VersionRange } from '../knowledge/release';
import { decodeAddr, decodePreempt } from '../decode';
import { allStacks, framesOf, named, type StackView } from './stacks';
import { baseName, isRole, type BlameOptions } from './blame';
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
    // Printed with or without the panic prefix (pasted logs often drop it).
    const printed = ctx.findLines(known.message, 1);
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

/** A report the rule looks at: one the title layer found, or one read from the lines after a header it does not know yet. */
export interface Sighting {
  report: CrashReport;
  /** Index in analysis.reports; null when the report was read here from the lines after its header. */
  index: number | null;
  header: LogLine;
  match: RegExpExecArray;
}

/** How far a report read from its header line may run, in lines. */
const OWN_REPORT_LINES = 160;
/** Lines that end a report read from its header: the end-of-trace markers. */
const REPORT_END = /---\[ end (?:trace|Kernel panic)|^\s*<\/TASK>\s*$/;

/** The kept region holding a line, and the line's index in it. */
function regionOf(ctx: RuleContext, no: number): { lines: LogLine[]; at: number } | null {
  for (const region of ctx.analysis.regions) {
    if (region.length === 0 || no < region[0].no || no > region[region.length - 1].no) continue;
    const guess = no - region[0].no;
    const at = region[guess]?.no === no ? guess : region.findIndex((l) => l.no === no);
    return at < 0 ? null : { lines: region, at };
  }
  return null;
}

/**
 * A report read from the lines that follow a header the title layer does not cut out yet: up to the next
 * report, the next line matching `stop`, an end-of-trace marker, or OWN_REPORT_LINES, parsed like any report.
 */
export function reportFromLines(ctx: RuleContext, header: LogLine, title: string, stop: RegExp | null = null): CrashReport | null {
  const where = regionOf(ctx, header.no);
  if (!where) return null;
  const starts = new Set(ctx.analysis.reports.map((r) => r.startLine));
  let end = where.at;
  for (let i = where.at + 1; i < where.lines.length && i <= where.at + OWN_REPORT_LINES; i++) {
    const l = where.lines[i];
    if (starts.has(l.no) || (stop !== null && stop.test(l.text))) break;
    end = i;
    if (REPORT_END.test(l.text)) break;
  }
  const lines = where.lines.slice(where.at, end + 1);
  return buildReport(lines, { title, altTitles: [], type: 'HANG', corrupted: false, corruptedReason: null, frame: null, guiltyFile: null, start: 0, end: lines.length - 1 });
}

/**
 * Every report whose header (or, with searchBody, a line of its body) matches `re`, then every matching line
 * outside all reports, read as a report of its own: one sighting per report, never two.
 */
export function sightings(ctx: RuleContext, re: RegExp, opts: { title: string; searchBody?: boolean; stop?: RegExp | null; limit?: number }): Sighting[] {
  const out: Sighting[] = [];
  const reports = ctx.analysis.reports;
  reports.forEach((report, index) => {
    const header = ctx.line(report.headerLine);
    if (!header) return;
    let m = re.exec(header.text);
    let at: LogLine | null = m ? header : null;
    if (!m && opts.searchBody) {
      for (let no = report.startLine; no <= report.endLine && no < report.startLine + 400; no++) {
        const l = ctx.line(no);
        if (l && (m = re.exec(l.text))) {
          at = l;
          break;
        }
      }
    }
    if (m && at) out.push({ report, index, header: at, match: m });
  });
  const inReport = (no: number): boolean => reports.some((r) => no >= r.startLine && no <= r.endLine);
  for (const l of ctx.findLines(re, opts.limit ?? 20)) {
    if (inReport(l.no)) continue;
    const m = re.exec(l.text);
    if (!m) continue;
    const report = reportFromLines(ctx, l, opts.title, opts.stop === undefined ? re : opts.stop);
    if (report) out.push({ report, index: null, header: l, match: m });
  }
  return out.sort((x, y) => x.header.no - y.header.no);
}

/** The frames of the context a watchdog or an NMI interrupted, and the instruction it was sampled at. */
export interface SampledStack {
  frames: Frame[];
  detectedIn: BlameOptions['detectedIn'];
}

const KERNEL_SYMBOL = /^[A-Za-z_.$][\w.$]{0,255}\+/;

/** The instruction pointer of a segment's exception frame, unless it is user space or a bare address. */
function segmentIp(r: CrashReport | null, rip: string | null, line: number | null): BlameOptions['detectedIn'] {
  if (!rip || !KERNEL_SYMBOL.test(rip)) return null;
  const s = parseSymbolOffset(rip);
  if (!s) return null;
  const ip = r?.registers?.ip ?? null;
  const sameAsIp = ip !== null && ip.function !== null && baseName(ip.function) === baseName(s.function);
  return { function: s.function, module: s.module ?? (sameAsIp ? ip.module : null), offset: s.offset, line: sameAsIp ? ip.line : line };
}

/** A frame of the stall or lockup reporting path, or of the interrupt entry that ran it. */
function isReportingPath(f: Frame): boolean {
  return f.function !== null && isRole(f.function, 'reporting', 'entry');
}

/**
 * What the CPU was running when it was sampled, from one stack: the frames after the interrupt or NMI that
 * printed it (the segment that starts with the interrupted instruction), without the reporting path.
 */
export function sampledStackOf(trace: CallTrace, r: CrashReport | null): SampledStack {
  const segs = trace.segments;
  const k = segs.findIndex((s) => segmentIp(r, s.exceptionRip, s.registerLines[0] ?? null) !== null);
  if (k >= 0) {
    const frames: Frame[] = [];
    for (const s of segs.slice(k)) {
      if (s !== segs[k] && s.exceptionRip && !KERNEL_SYMBOL.test(s.exceptionRip)) break;
      frames.push(...s.frames);
    }
    return { frames, detectedIn: segmentIp(r, segs[k].exceptionRip, segs[k].registerLines[0] ?? null) };
  }
  const all = framesOf(trace);
  // Without a marked exception frame: drop the reporting path and the interrupt entry that ran it.
  let from = 0;
  if (all.length > 0 && all[0].function !== null && isRole(all[0].function, 'reporting')) {
    let last = -1;
    for (let i = 0; i < all.length; i++) if (all[i].reliable && isReportingPath(all[i])) last = i;
    else if (all[i].reliable && all[i].function !== null) break;
    from = last + 1;
  }
  const frames = all.slice(from);
  const ip = r?.registers?.ip ?? null;
  if (ip?.function) return { frames, detectedIn: { function: ip.function, module: ip.module, offset: ip.offset, line: ip.line } };
  // No sampled instruction printed: the report's own detection site (the title's frame), when it is on this stack.
  return withDetectionAt({ frames, detectedIn: null }, r?.frame ?? null);
}

/**
 * A sample as the blame walk compares it with others: the sampled instruction's function first, then the
 * frames. When every sample stopped in the same function, that function is the one that kept running.
 */
export function sampleFrames(stack: SampledStack): Frame[] {
  const ip = stack.detectedIn;
  if (!ip?.function) return stack.frames;
  const first = stack.frames.find((f) => f.reliable && f.function !== null);
  if (first?.function && baseName(first.function) === baseName(ip.function)) return stack.frames;
  const ipFrame: Frame = { function: ip.function, offset: ip.offset, size: null, module: ip.module, address: null, reliable: true, source: null, inlined: false, line: ip.line ?? 0 };
  return [ipFrame, ...stack.frames];
}

/** A stack without a sampled instruction, detected at the named frame (a report's title frame) when that frame is on it. */
export function withDetectionAt(stack: SampledStack, frame: string | null): SampledStack {
  if (stack.detectedIn || !frame) return stack;
  const f = stack.frames.find((x) => x.reliable && x.function !== null && baseName(x.function) === baseName(frame));
  return f ? { frames: stack.frames, detectedIn: { function: f.function, module: f.module, offset: f.offset, line: f.line } } : stack;
}

/** The IPI-wait primitive a sampled stack sits in (its sampled instruction, else its innermost frame), if any. */
export function ipiWaitIn(stack: SampledStack): string | null {
  const innermost = stack.frames.find((f) => f.reliable && f.function !== null)?.function ?? null;
  return [stack.detectedIn?.function ?? null, innermost].find((f): f is string => f !== null && matchesAny(baseName(f), IPI_WAITERS)) ?? null;
}

/** A CPU's stack printed in answer to an NMI or a task dump ("NMI backtrace for cpu N", "Task dump for CPU N:"). */
export interface CpuBacktrace {
  cpu: number;
  line: number;
  comm: string | null;
  pid: number | null;
  stack: SampledStack;
  /** The backtrace read as a report (its registers, for a spin-lock look). */
  report: CrashReport;
}

/** How many lines after a report its CPU backtraces are looked for. */
const BACKTRACE_WINDOW = 3000;
const CPU_BACKTRACE = /NMI backtrace for cpu (\d{1,5})|Task dump for CPU (\d{1,5}):/;
const BACKTRACE_END = /NMI backtrace for cpu \d|Task dump for CPU \d|Sending NMI from CPU|Kernel panic - not syncing|---\[ end /;

/** The CPU backtraces printed between two lines (bounded), each read as a small report of its own. */
export function cpuBacktraces(ctx: RuleContext, from: number, to: number, limit = 16): CpuBacktrace[] {
  const out: CpuBacktrace[] = [];
  // Backtraces answer the report they follow: a window, never the whole of a long log.
  const last = Math.min(to, from + BACKTRACE_WINDOW);
  for (let no = from; no <= last && out.length < limit; no++) {
    const l = ctx.line(no);
    const m = l ? CPU_BACKTRACE.exec(l.text) : null;
    if (!l || !m) continue;
    const where = regionOf(ctx, no);
    if (!where) continue;
    let end = where.at;
    for (let i = where.at + 1; i < where.lines.length && i <= where.at + 120 && where.lines[i].no <= to + 120; i++) {
      if (BACKTRACE_END.test(where.lines[i].text)) break;
      end = i;
      if (/^\s*<\/TASK>\s*$/.test(where.lines[i].text)) break;
    }
    const lines = where.lines.slice(where.at, end + 1);
    const report = buildReport(lines, { title: l.text.trim(), altTitles: [], type: 'HANG', corrupted: false, corruptedReason: null, frame: null, guiltyFile: null, start: 0, end: lines.length - 1 });
    const trace = report.traces.find((t) => t.segments.some((s) => s.frames.length > 0)) ?? null;
    const stack = trace ? sampledStackOf(trace, report) : { frames: [], detectedIn: report.registers?.ip?.function ? { function: report.registers.ip.function, module: report.registers.ip.module, offset: report.registers.ip.offset, line: report.registers.ip.line } : null };
    out.push({ cpu: Number(m[1] ?? m[2]), line: no, comm: report.comm, pid: report.pid, stack, report });
  }
  return out;
}

/** The 2.6-era `bad: scheduling while atomic!`, printed without the task or the count. */
export const COUNTLESS_SCHEDULE_BUG = /^\s*bad: scheduling while atomic!/;

/** `Kernel panic - not syncing: Aiee, killing interrupt handler!` as printed. */
export const AIEE_PANIC = /Kernel panic - not syncing: Aiee, killing interrupt handler!/;

/** Frames of the path an oopsing task takes to its exit: a report printed from them repeats the oops. */
const OOPS_EXIT_FRAMES = new Set(['oops_end', 'die', '__die', 'make_task_dead', 'rewind_stack_do_exit', 'rewind_stack_and_make_dead', 'bad_page_fault', 'die_kernel_fault', 'do_kernel_fault', 'arm64_notify_die']);

/** The report was printed while the task that oopsed exited (its stack goes through die/oops_end/make_task_dead). */
export function onOopsExitPath(r: CrashReport): boolean {
  for (const t of r.traces) for (const s of t.segments) for (const f of s.frames) if (f.function && OOPS_EXIT_FRAMES.has(baseName(f.function))) return true;
  return false;
}

/** Report titles of a kernel oops: a fault or a failed BUG() that kills the task. */
export const OOPS_TITLE = /unable to handle|paging request|general protection fault|NULL pointer dereference|kernel BUG|invalid opcode|Oops|Unable to handle kernel|divide error|stack segment|double fault|KASAN|page fault/;

/** The last oops of the same task before a line, when there is one. */
export function earlierOops(ctx: RuleContext, beforeLine: number, task: { pid: number | null; comm: string | null }): { report: CrashReport; index: number } | null {
  let found: { report: CrashReport; index: number } | null = null;
  ctx.analysis.reports.forEach((report, index) => {
    if (report.headerLine >= beforeLine || !OOPS_TITLE.test(report.title)) return;
    const same = task.pid !== null && report.pid !== null ? task.pid === report.pid : task.comm !== null && report.comm === task.comm;
    if (same || (task.pid === null && task.comm === null)) found = { report, index };
  });
  return found;
}

/** The oops ran in interrupt context: its faulting segment is an IRQ/softirq one, or the panic says so. */
export function oopsInInterrupt(ctx: RuleContext, r: CrashReport): boolean {
  const first = r.traces[0]?.segments.find((s) => s.frames.length > 0) ?? null;
  if (first && (first.context === 'irq' || first.context === 'softirq')) return true;
  for (let no = r.startLine; no <= r.endLine && no < r.startLine + 400; no++) {
    const t = ctx.line(no)?.text ?? '';
    if (/Fatal exception in interrupt|<IRQ>|<SOFTIRQ>/.test(t)) return true;
  }
  return false;
}

/** Earlier reports that leave a count or a lock behind in the task that printed them (data). */
const LEAVES_COUNT = /scheduling while atomic|workqueue leaked lock|lock held when returning to user space|leaked lock or atomic|exited with preempt_count/;

/** The last report of the same task before a line that left a count or lock behind: a later atomic report repeats its state. */
export function earlierLeakOfTask(ctx: RuleContext, beforeLine: number, task: { pid: number | null; comm: string | null }): CrashReport | null {
  let found: CrashReport | null = null;
  for (const r of ctx.analysis.reports) {
    if (r.headerLine >= beforeLine) break;
    const same = task.pid !== null && r.pid !== null ? r.pid === task.pid : task.comm !== null && r.comm === task.comm;
    if (!same) continue;
    if (LEAVES_COUNT.test(`${ctx.line(r.headerLine)?.text ?? ''} ${r.title}`)) found = r;
  }
  return found;
}
