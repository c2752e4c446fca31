// Reads lockdep's reports into one model (the lock taken, the locks held, usage states, every dependency edge, held-lock lists) and blames their printed sites.
//
// Lockdep's lines are read wherever the console wrapped or indented them: the report's lines are joined into
// one text (with a map back to line numbers) and lock references, `at:` sites and task names are matched
// across the joins. The spinlock debug checks ("BUG: spinlock recursion", ".owner:") are read here too.

import type { CrashReport, Frame, LogLine } from '../model/types';
import { parseFrame } from '../parse/frames';
import type { RuleContext } from './types';
import { baseName, blameOfFrame, blameOfSite, blameReport, dispatcherOf, isDebugFacility, isOwnFrame, roleOf, type Blame } from './blame';
import {
  DISPATCHER_PSEUDO_LOCK, IRQ_STATES, LEAK_POINTS, LOCKDEP_HEADERS, PSEUDO_LOCK_NAME, SLEEPING_LOCK_NAME, USAGE_STATE, USAGE_STATES,
  type IrqState, type LeakPoint, type LockdepKind,
} from '../knowledge/lockdep';

export type { LockdepKind, IrqState, LeakPoint } from '../knowledge/lockdep';

export interface LockSite {
  /** The symbol as printed (`do_ipv6_setsockopt.isra.8`), for `dis -l`; sentences use its base name (`siteName`). */
  function: string;
  offset: number | null;
  module: string | null;
  line: number | null;
}

export interface LockRef {
  /** The class name as printed, e.g. `&rxnet->call_lock`, `hugetlb_lock`, `(wq_completion)events`. */
  name: string;
  address: string | null;
  /** Usage bits `{+.-.}`. */
  usage: string | null;
  /** `-{a:b}` (5.7+), the outer wait type a: 2 is a spinning lock, 3 a spinlock_t (or a sleeping lock without PROVE_RAW_LOCK_NESTING), 4 a sleeping lock, 0/1 pseudo-locks. */
  waitType: number | null;
  /** b of `-{a:b}`: the inner wait type (what the lock itself may do while held). */
  waitTypeInner?: number | null;
  at: LockSite | null;
  line: number;
  /** `#N:` in a held-lock list. */
  index?: number;
}

export interface DependencyEdge {
  /** N of `-> #N`. */
  n: number;
  lock: string;
  ref: LockRef | null;
  line: number;
  /** The stack under the edge, innermost first. */
  frames: Frame[];
}

export interface HeldLockList {
  /** `comm/pid` as printed. */
  task: string | null;
  pid: number | null;
  /** N of "N locks held by"; the list holds at most that many entries. */
  count: number;
  line: number;
  locks: LockRef[];
}

/** A stack lockdep printed under a heading ("{X} state was registered at:", "which became X-irq-safe at:"). */
export interface PrintedStack {
  line: number;
  frames: Frame[];
}

/** One usage state of `inconsistent {A} -> {B} usage`: `SOFTIRQ-ON-W` is (SOFTIRQ, enabled, write). */
export interface UsageState {
  text: string;
  state: IrqState;
  /** `IN-X`: taken in that context; otherwise taken with X enabled. */
  inContext: boolean;
  write: boolean;
}

export interface LockdepReport {
  kind: LockdepKind;
  /** `comm/pid` of the task the report is about, when printed. */
  task: string | null;
  /** `[HC0[0]:SC1[1]:HE1:SE0]`: in hardirq / softirq, hardirqs / softirqs enabled. */
  context: { hardirq: boolean; softirq: boolean; hardirqsEnabled: boolean; softirqsEnabled: boolean; line: number } | null;
  /** The lock being taken ("is trying to acquire", "takes:", "just changed the state of lock:", the lock being released). */
  acquiring: LockRef | null;
  /** The lock(s) already held ("but task is already holding", "and this task is already holding"). */
  holding: LockRef[];
  /** `inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage`. */
  usage: { from: string; to: string; fromState: UsageState | null; toState: UsageState | null; line: number } | null;
  /** Stack under "{X} state was registered at:", innermost first. */
  registered: Frame[];
  registeredLine: number | null;
  /** For irq-order and irq-inversion reports: the irq-safe and the irq-unsafe lock, and the state. */
  irqSafe: LockRef | null;
  irqUnsafe: LockRef | null;
  irqState: IrqState | null;
  /** "which became X-irq-safe at:" / "which became X-irq-unsafe at:". */
  becameSafe: PrintedStack | null;
  becameUnsafe: PrintedStack | null;
  /** Every `-> #N` edge, in printed order (highest N first). */
  edges: DependencyEdge[];
  /** "Chain exists of: A --> B --> C". */
  chain: { locks: string[]; line: number } | null;
  heldLists: HeldLockList[];
  /** "no locks held by comm/pid.": lockdep tracks no lock of the task (a leaked count is then a bare disable). */
  noLocksHeld: { task: string; line: number } | null;
  /** "is freeing memory A-B, with a lock still held there!". */
  freeing: { line: number; range: string | null } | null;
  /** "workqueue leaked lock or atomic: comm/0x.../pid" and its "last function:". */
  workqueue: { line: number; task: string; preemptCount: string | null; pid: number | null; lastFunction: string | null; lastFunctionModule: string | null; lastFunctionLine: number | null } | null;
  /** Where a leak check ran (held-at-return reports). */
  leakPoint: LeakPoint | null;
  /** "lock: NAME, .magic: ..., .owner: comm/pid, .owner_cpu: N" of the spinlock debug checks. */
  spinDebug: { lock: string; owner: string | null; ownerCpu: number | null; line: number } | null;
  /** "context-{a:b}" of an invalid-wait-context report: the wait type the context itself allows. */
  waitContext: { outer: number; inner: number; line: number } | null;
  /** The line of the report's lockdep header. */
  headerLine: number | null;
}

/** A lock reference: `[addr ](name){usage}[-{a:b}][, at: [<ip>] func+0x1/0x2 [mod]]`, across wrapped lines. */
const LOCK_REF =
  /(?:([0-9a-f]{8,16}) )?\(([^\s{}]{1,200}?)\)\{([-+.?a-zA-Z]{1,12})\}(?:-\{(\d):(\d)\})?(?:,? at: (?:\[<[0-9a-f]{1,16}>\] ?)?([A-Za-z_.$][\w.$]{0,200})\+0x([0-9a-f]{1,16})\/0x[0-9a-f]{1,16}(?: \[([\w-]{1,64})\])?)?/g;

/** A printed site: `[<ip>] func+0x1/0x2 [mod]` or `func+0x1/0x2 [mod]`. */
const SITE = /^(?:\[<[0-9a-f]{1,16}>\] ?)?([A-Za-z_.$][\w.$]{0,200})\+0x([0-9a-f]{1,16})\/0x[0-9a-f]{1,16}(?: \[([\w-]{1,64})\])?/;

interface Joined {
  text: string;
  /** Character offset where each kept line starts, and its line number and index in the report's lines. */
  starts: number[];
  lines: number[];
  index: number[];
}

function join(ls: readonly LogLine[]): Joined {
  const parts: string[] = [];
  const starts: number[] = [];
  const lines: number[] = [];
  const index: number[] = [];
  let pos = 0;
  ls.forEach((l, i) => {
    const t = l.text.trim().replace(/\s+/g, ' ');
    if (t === '') return;
    starts.push(pos);
    lines.push(l.no);
    index.push(i);
    parts.push(t);
    pos += t.length + 1;
  });
  return { text: parts.join(' '), starts, lines, index };
}

function slotAtOffset(j: Joined, off: number): number {
  let lo = 0;
  let hi = j.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (j.starts[mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function lineAtOffset(j: Joined, off: number): number {
  return j.lines[slotAtOffset(j, off)] ?? 0;
}

/** Index (into the report's lines) of the line holding character `off` of the joined text. */
function indexAtOffset(j: Joined, off: number): number {
  return j.index[slotAtOffset(j, off)] ?? 0;
}

type PlacedRef = LockRef & { offset: number; end: number };

function lockRefs(j: Joined): PlacedRef[] {
  const out: PlacedRef[] = [];
  LOCK_REF.lastIndex = 0;
  for (let m = LOCK_REF.exec(j.text); m && out.length < 2000; m = LOCK_REF.exec(j.text)) {
    out.push({
      name: m[2],
      address: m[1] ?? null,
      usage: m[3],
      waitType: m[4] !== undefined ? Number(m[4]) : null,
      waitTypeInner: m[5] !== undefined ? Number(m[5]) : null,
      at: m[6] ? { function: m[6], offset: Number.parseInt(m[7], 16), module: m[8] ?? null, line: lineAtOffset(j, m.index + m[0].lastIndexOf(m[6])) } : null,
      line: lineAtOffset(j, m.index + (m[1] ? m[1].length + 1 : 0)),
      offset: m.index,
      end: m.index + m[0].length,
    });
  }
  return out;
}

/** A printed site starting at `off` of the joined text (after "at:"). */
function siteAt(j: Joined, off: number): LockSite | null {
  const rest = j.text.slice(off, off + 300).replace(/^ /, '');
  const m = SITE.exec(rest);
  if (!m) return null;
  const start = off + (j.text[off] === ' ' ? 1 : 0) + m[0].indexOf(m[1]);
  return { function: m[1], offset: Number.parseInt(m[2], 16), module: m[3] ?? null, line: lineAtOffset(j, start) };
}

/** Frames printed after line `fromIndex` up to the next section of the report, innermost first. */
function framesAfter(ls: readonly LogLine[], fromIndex: number, limit = 80): Frame[] {
  const out: Frame[] = [];
  for (let i = fromIndex + 1; i < ls.length && out.length < limit; i++) {
    const text = ls[i].text;
    if (SECTION.test(text)) break;
    const f = parseFrame(text.replace(/^\s+/, ' '), ls[i].no);
    if (f) {
      out.push(f);
      continue;
    }
    // A module name the console wrapped onto its own line belongs to the frame above it.
    const wrappedModule = /^\s*\[([\w-]{1,64})\]\s*$/.exec(text);
    const last = out[out.length - 1];
    if (wrappedModule && last && last.module === null) {
      out[out.length - 1] = { ...last, module: wrappedModule[1] };
      continue;
    }
    if (out.length > 0 && !/^\s*(?:\.\.\.|\S{1,40}\+0x)/.test(text) && !/^\s*\[/.test(text) && text.trim() !== '' && !/^\s*\w[\w.]*$/.test(text.trim())) break;
  }
  return out;
}

const SECTION =
  /^\s*(?:-> #\d+|-> \(|other info|the existing dependency|Chain exists|Possible (?:interrupt )?unsafe|\*\*\* DEADLOCK|stack backtrace|\d+ locks? held by|no locks held|\{[A-Za-z_-]+\} state was registered|irq event stamp|\.\.\. which became|which would create|but this new dependency|to a [A-Z_]+(?:-READ)?-irq-unsafe lock|the dependencies between|the shortest dependencies|and this task is already holding|but this lock (?:took|was taken)|and interrupts could|other info that might|Call Trace|CPU: |[A-Z_-]+ at:|INITIAL (?:READ )?USE at:)/;

const TASK = /(?:^| )([^\s]{1,80}?\/\d{1,10}) (?:\[HC\d\[\d\]:SC\d\[\d\]:HE\d:SE\d\] )?(?:is trying to (?:acquire|release)|takes:|is exiting|is freeing|just changed the state|is leaving the kernel|still has locks held)/;

const ACQUIRING_INTRO = /(?:is trying to acquire(?: lock)?:?|is trying to lock:|\] takes:|(?:^| )takes:|just changed the state of lock:|is freeing memory [^!]{0,120}with a lock still held there!)/;

const HOLDING_INTRO = /(?:but task is already holding(?: lock)?:?|and this task is already holding:?)/;

/** `comm/pid` of a held-lock list: the comm may itself contain `/` and `:` (`kworker/5:21/7596`). */
const HELD_HEADER = /(\d{1,4}) locks? held by (.{1,80}?)\/(\d{1,10}):(?= |$)/g;

const cache = new WeakMap<CrashReport, LockdepReport>();

/** Reads the lockdep parts of report `r` (kind `other` when it is not a lockdep report; held-lock lists are read anyway). */
export function readLockdep(ctx: RuleContext, r: CrashReport): LockdepReport {
  const hit = cache.get(r);
  if (hit) return hit;
  const report = read(ctx, r);
  cache.set(r, report);
  return report;
}

function read(ctx: RuleContext, r: CrashReport): LockdepReport {
  const ls: LogLine[] = [];
  for (let no = r.startLine; no <= lastLine(ctx, r) && ls.length < 3000; no++) {
    const l = ctx.line(no);
    if (l) ls.push(l);
  }
  let kind: LockdepKind = 'other';
  let headerLine: number | null = null;
  const head = ls.slice(0, 8).find((l) => LOCKDEP_HEADERS.some((x) => x.re.test(l.text))) ?? ls.find((l) => LOCKDEP_HEADERS.some((x) => x.re.test(l.text)));
  if (head) {
    kind = (LOCKDEP_HEADERS.find((x) => x.re.test(head.text)) as { kind: LockdepKind }).kind;
    headerLine = head.no;
  }
  const j = join(ls);
  const refs = lockRefs(j);
  const refAt = (at: number, within = 120): PlacedRef | null => refs.find((x) => x.offset >= at && x.offset - at < within) ?? null;
  const refAfter = (intro: RegExp): PlacedRef | null => {
    const m = intro.exec(j.text);
    return m ? refAt(m.index + m[0].length) : null;
  };
  const indexOfIntro = (intro: RegExp): number => ls.findIndex((l) => intro.test(l.text));

  const taskMatch = TASK.exec(j.text);
  const ctxMatch = /\[HC(\d)\[\d\]:SC(\d)\[\d\]:HE(\d):SE(\d)\]/.exec(j.text);
  const usageRe = /inconsistent \{([A-Za-z_-]{1,24})\} -> \{([A-Za-z_-]{1,24})\} usage/;
  const usageLine = ls.find((l) => usageRe.test(l.text)) ?? null;
  const um = usageLine ? usageRe.exec(usageLine.text) : null;

  let acquiring: LockRef | null = refAfter(ACQUIRING_INTRO);
  if (kind === 'bad-unlock') acquiring = releasedLock(j) ?? acquiring;
  const holding: LockRef[] = [];
  const held = refAfter(HOLDING_INTRO);
  if (held) holding.push(held);

  const registeredIndex = indexOfIntro(/state was registered at:/);
  const registered = registeredIndex >= 0 ? framesAfter(ls, registeredIndex) : [];

  const edges: DependencyEdge[] = [];
  const edgeRe = /(?:^| )-> #(\d{1,3}) /g;
  for (let m = edgeRe.exec(j.text); m && edges.length < 32; m = edgeRe.exec(j.text)) {
    const ref = refAt(m.index + m[0].length, 4);
    if (!ref) continue;
    const endIndex = indexAtOffset(j, ref.end - 1);
    edges.push({ n: Number(m[1]), lock: ref.name, ref, line: ref.line, frames: framesAfter(ls, endIndex) });
  }

  const chainIndex = ls.findIndex((l) => /Chain exists of:/.test(l.text));
  let chain: LockdepReport['chain'] = null;
  if (chainIndex >= 0) {
    const next = ls.slice(chainIndex + 1, chainIndex + 4).find((l) => /-->/.test(l.text));
    if (next) chain = { locks: next.text.trim().split(/ --> /).map((s) => s.trim()).filter(Boolean).slice(0, 32), line: next.no };
  }

  const heldLists = readHeldLists(j, refs);
  const noLocks = /no locks held by (.{1,80}?\/\d{1,10})\.?(?= |$)/.exec(j.text);

  let irqSafe: LockRef | null = null;
  let irqUnsafe: LockRef | null = null;
  let irqState: IrqState | null = null;
  if (kind === 'irq-order') {
    const safe = /connects a ([A-Z_]{4,12})(?:-READ)?-irq-safe lock:/.exec(j.text);
    irqState = safe ? stateOf(safe[1]) : null;
    irqSafe = safe ? refAt(safe.index + safe[0].length) : null;
    irqUnsafe = refAfter(/to a [A-Z_]{4,12}(?:-READ)?-irq-unsafe lock:/);
  } else if (kind === 'irq-inversion') {
    const other = /but this lock (took another|was taken by another), ([A-Z_]{4,12})(?:-READ)?-(?:irq-)?(?:unsafe|safe) lock in the past:/.exec(j.text);
    if (other) {
      const otherRef = refAt(other.index + other[0].length);
      irqState = stateOf(other[2]);
      // "took another X-unsafe lock": this lock is the safe one; "was taken by another X-safe lock": this one is unsafe.
      if (other[1] === 'took another') [irqSafe, irqUnsafe] = [acquiring, otherRef];
      else [irqSafe, irqUnsafe] = [otherRef, acquiring];
    }
  }
  if (!irqState && head && kind === 'irq-order') irqState = stateOf(/([A-Z_]{4,12})-(?:READ-)?safe -> /.exec(head.text)?.[1] ?? '');
  if (!irqState && um) irqState = parseUsageState(um[2])?.state ?? parseUsageState(um[1])?.state ?? null;
  const becameSafeIndex = indexOfIntro(/which became [A-Z_]{4,12}(?:-READ)?-irq-safe at:/);
  const becameUnsafeIndex = indexOfIntro(/which became [A-Z_]{4,12}(?:-READ)?-irq-unsafe at:/);

  const freeingLine = ls.find((l) => /is freeing memory .{0,120}with a lock still held there/.test(l.text)) ?? null;
  const freeingRange = freeingLine ? /is freeing memory ([0-9a-fx]{1,18}-[0-9a-fx]{1,18})/.exec(freeingLine.text)?.[1] ?? null : null;

  const waitCtx = kind === 'wait-context' ? /(?:^| )context-\{(\d):(\d)\}/.exec(j.text) : null;

  const leakLine = ls.find((l) => LEAK_POINTS.some((p) => p.re.test(l.text))) ?? null;
  const leakPoint = leakLine ? (LEAK_POINTS.find((p) => p.re.test(leakLine.text)) as { point: LeakPoint }).point : null;

  return {
    kind,
    task: taskMatch ? taskMatch[1] : null,
    context: ctxMatch
      ? { hardirq: ctxMatch[1] !== '0', softirq: ctxMatch[2] !== '0', hardirqsEnabled: ctxMatch[3] === '1', softirqsEnabled: ctxMatch[4] === '1', line: lineAtOffset(j, ctxMatch.index) }
      : null,
    acquiring: strip(acquiring),
    holding: holding.map((h) => strip(h) as LockRef),
    usage: um && usageLine ? { from: um[1], to: um[2], fromState: parseUsageState(um[1]), toState: parseUsageState(um[2]), line: usageLine.no } : null,
    registered,
    registeredLine: registeredIndex >= 0 ? ls[registeredIndex].no : null,
    irqSafe: strip(irqSafe),
    irqUnsafe: strip(irqUnsafe),
    irqState,
    becameSafe: becameSafeIndex >= 0 ? { line: ls[becameSafeIndex].no, frames: framesAfter(ls, becameSafeIndex) } : null,
    becameUnsafe: becameUnsafeIndex >= 0 ? { line: ls[becameUnsafeIndex].no, frames: framesAfter(ls, becameUnsafeIndex) } : null,
    edges,
    chain,
    heldLists,
    noLocksHeld: noLocks ? { task: noLocks[1], line: lineAtOffset(j, noLocks.index) } : null,
    freeing: freeingLine ? { line: freeingLine.no, range: freeingRange } : null,
    workqueue: readWorkqueueLeak(ls),
    leakPoint,
    spinDebug: readSpinDebug(ls),
    waitContext: waitCtx ? { outer: Number(waitCtx[1]), inner: Number(waitCtx[2]), line: lineAtOffset(j, waitCtx.index + (waitCtx[0].startsWith(' ') ? 1 : 0)) } : null,
    headerLine,
  };
}

/**
 * Where a lockdep report's text ends. Other CPUs' messages interleave with it and can make the report
 * look shorter than lockdep printed it: when the report stops right after a lockdep banner, the lines up to
 * the next report (at most 200) are still its own.
 */
function lastLine(ctx: RuleContext, r: CrashReport): number {
  const head = ctx.line(r.headerLine)?.text ?? '';
  if (!LOCKDEP_HEADERS.some((x) => x.re.test(head)) || r.endLine - r.headerLine > 12) return r.endLine;
  const next = ctx.analysis.reports.map((x) => x.startLine).filter((s) => s > r.endLine).reduce((m, s) => Math.min(m, s), Number.POSITIVE_INFINITY);
  return Math.min(next - 1, r.endLine + 200);
}

function strip(r: PlacedRef | LockRef | null): LockRef | null {
  if (!r) return null;
  const { name, address, usage, waitType, waitTypeInner, at, line, index } = r;
  const ref: LockRef = { name, address, usage, waitType, waitTypeInner: waitTypeInner ?? null, at, line };
  if (index !== undefined) ref.index = index;
  return ref;
}

function stateOf(s: string): IrqState | null {
  return (USAGE_STATES as readonly string[]).includes(s) ? (s as IrqState) : null;
}

/** `SOFTIRQ-ON-W` -> (SOFTIRQ, with softirqs enabled, write); `IN-HARDIRQ-R` -> (HARDIRQ, in hardirq, read). */
export function parseUsageState(text: string): UsageState | null {
  const m = USAGE_STATE.exec(text);
  if (!m) return null;
  const state = stateOf(m[2].toUpperCase());
  if (!state) return null;
  return { text, state, inContext: m[1] !== undefined, write: m[4].toUpperCase() === 'W' };
}

/** "is trying to release lock (NAME) at: [<ip>] func+0x1/0x2": the name has no usage bits there. */
function releasedLock(j: Joined): LockRef | null {
  const m = /is trying to release lock \(([^\s{}]{1,200}?)\) at:/.exec(j.text);
  if (!m) return null;
  return { name: m[1], address: null, usage: null, waitType: null, at: siteAt(j, m.index + m[0].length), line: lineAtOffset(j, m.index) };
}

/** Every "N locks held by comm/pid:" list with its `#k:` entries (at most N), across wrapped lines. */
function readHeldLists(j: Joined, refs: readonly PlacedRef[]): HeldLockList[] {
  const headers: Array<{ count: number; task: string; pid: number; offset: number; end: number }> = [];
  HELD_HEADER.lastIndex = 0;
  for (let m = HELD_HEADER.exec(j.text); m && headers.length < 512; m = HELD_HEADER.exec(j.text)) {
    headers.push({ count: Number(m[1]), task: `${m[2]}/${m[3]}`, pid: Number(m[3]), offset: m.index, end: m.index + m[0].length });
  }
  return headers.map((h, k) => {
    const limit = headers[k + 1]?.offset ?? stopAfter(j.text, h.end);
    const locks: LockRef[] = [];
    const entry = /(?:^| )#(\d{1,3}): /g;
    entry.lastIndex = h.end;
    for (let m = entry.exec(j.text); m && m.index < limit && locks.length < h.count && locks.length < 64; m = entry.exec(j.text)) {
      const ref = refs.find((x) => x.offset >= m.index + m[0].length && x.offset - (m.index + m[0].length) < 40 && x.offset < limit);
      if (ref) locks.push({ ...(strip(ref) as LockRef), index: Number(m[1]) });
    }
    return { task: h.task, pid: h.pid, count: h.count, line: lineAtOffset(j, h.offset), locks };
  });
}

/** Where a held-lock list ends when no other list follows: the stack dump, a new report, a banner. */
function stopAfter(text: string, from: number): number {
  const rest = text.slice(from);
  const m = /stack backtrace:|Call Trace:|CPU: \d|INFO: task |no locks held by|={8,}|Hardware name:/.exec(rest);
  return m ? from + m.index : text.length;
}

/** "BUG: workqueue leaked lock or atomic: comm/0x%08x/pid" (older) or "comm/0x%08x/rcu/pid", then "last function: fn". */
function readWorkqueueLeak(ls: readonly LogLine[]): LockdepReport['workqueue'] {
  const i = ls.findIndex((l) => /workqueue leaked (?:lock or atomic|atomic, lock or RCU)/.test(l.text));
  if (i < 0) return null;
  const text = ls[i].text;
  const old = /workqueue leaked lock or atomic: (.{1,80}?)\/(0x[0-9a-f]{1,8})(?:\/\d{1,10})?\/(\d{1,10})\s*$/.exec(text);
  const nu = /workqueue leaked atomic, lock or RCU: (.{1,80}?)\[(\d{1,10})\]/.exec(text);
  let lastFunction: string | null = null;
  let lastFunctionModule: string | null = null;
  let lastFunctionLine: number | null = null;
  let preemptCount = old ? old[2] : null;
  for (const l of ls.slice(i, i + 4)) {
    const m = /(?:last function|workfn)[:=] ?([A-Za-z_.$][\w.$]{0,200})(?: \[([\w-]{1,64})\])?/.exec(l.text);
    if (m) {
      lastFunction = baseName(m[1]);
      lastFunctionModule = m[2] ?? null;
      lastFunctionLine = l.no;
    }
    const p = /preempt=(0x[0-9a-f]{1,8})/.exec(l.text);
    if (p) preemptCount = p[1];
    if (lastFunction) break;
  }
  return {
    line: ls[i].no,
    task: old ? old[1] : nu ? nu[1] : '',
    preemptCount,
    pid: old ? Number(old[3]) : nu ? Number(nu[2]) : null,
    lastFunction,
    lastFunctionModule,
    lastFunctionLine,
  };
}

/** The spinlock debug line: `lock: 0xffff...|name+0x0/0x10, .magic: dead4ead, .owner: comm/pid, .owner_cpu: N`. */
function readSpinDebug(ls: readonly LogLine[]): LockdepReport['spinDebug'] {
  for (const l of ls.slice(0, 12)) {
    const m = /^\s*lock: ([^\s,]{1,120})(?: \[[\w-]{1,64}\])?, \.magic: [0-9a-f]{1,8}, \.owner: (.{1,80}?\/-?\d{1,10}), \.owner_cpu: (-?\d{1,10})/.exec(l.text);
    if (m) return { lock: m[1].replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, '').replace(/\.\d+$/, ''), owner: m[2], ownerCpu: Number(m[3]), line: l.no };
  }
  return null;
}

/** `-> #1 (fs_reclaim)...`, the held list's `#0: ... (lock)`: a sleeping lock by its wait type or its name. */
export function isSleepingLock(l: LockRef): boolean {
  const w = l.waitTypeInner ?? l.waitType;
  if (w !== null && w !== 3) return w >= 4;
  return SLEEPING_LOCK_NAME.test(l.name);
}

/** A pseudo-lock lockdep tracks but nothing spins or sleeps on (`(work_completion)`, `(wq_completion)`, RCU, timers). */
export function isPseudoLock(l: LockRef): boolean {
  return l.waitType === 0 || PSEUDO_LOCK_NAME.test(l.name);
}

/** Where a dependency edge was created: the first frame of its stack past lockdep, the lock primitive and allocators. */
export function edgeSite(e: { frames: readonly Frame[] }): { frame: Frame; index: number } | null {
  const i = e.frames.findIndex((f) => f.reliable && f.function !== null && (roleOf(f.function) === null || isDebugFacility(f.function)));
  return i < 0 ? null : { frame: e.frames[i], index: i };
}

/** A printed site's function by its base name, for sentences. */
export function siteName(site: LockSite): string {
  return baseName(site.function);
}

/** The lockdep blame of a printed `at:` site, unless it is plumbing. */
export function blameOfLockSite(site: LockSite | null | undefined): Blame | null {
  return site ? blameOfSite(site, 'printed') : null;
}

/** Who a step of a dependency cycle belongs to. */
export type CycleOwner =
  /** Recorded inside a debugging facility (KASAN's stack depot, kmemleak): a dependency the code under test never has. */
  | 'debug-facility'
  /** Driver code (a loadable module) took the lock, inside a framework callback. */
  | 'driver-takes-lock'
  /** Driver code called into the framework, which took the lock, while the driver held the other one. */
  | 'driver-calls-framework'
  /** The framework took its own lock. */
  | 'framework';

export interface CycleStep {
  /** N of `-> #N`; the current acquisition is 0. */
  n: number;
  /** The lock taken at this step. */
  lock: string;
  /** The lock held while it was taken: the previous step's lock, and for #0 the lock the task already holds. */
  held: string | null;
  /** Where `held` was taken, when lockdep printed it (the current acquisition only). */
  heldAt: LockSite | null;
  line: number;
  /** The function that took `lock`: the first frame past lockdep, lock primitives and allocators, or the printed `at:`. */
  site: { function: string; module: string | null; line: number | null; offset: number | null } | null;
  /** The driver frame on the step's stack: the site itself when in a module, else the innermost module frame outward. */
  driver: { function: string; module: string | null; line: number | null; offset: number | null } | null;
  /** For driver-takes-lock: the framework function that called into the driver (the driver code runs as its callback). */
  caller: string | null;
  /** The lock taken is the framework's: the edge (and its framework caller) where the framework holds it around a callback into the driver. */
  frameworkLock?: { n: number; caller: string } | null;
  owner: CycleOwner;
}

function siteOfFrame(f: Frame): CycleStep['site'] {
  return { function: baseName(f.function as string), module: f.module, line: f.line, offset: f.offset };
}

/** The innermost frame of a loadable module from `from` outward, past helpers and plumbing. */
function moduleFrameFrom(frames: readonly Frame[], from: number): Frame | null {
  for (let i = Math.max(0, from); i < frames.length; i++) {
    const f = frames[i];
    if (isOwnFrame(f) && f.module !== null) return f;
  }
  return null;
}

function stepOf(n: number, lock: string, held: string | null, heldAt: LockSite | null, line: number, frames: readonly Frame[], printed: LockSite | null): CycleStep {
  // The printed `at:` site names the acquisition exactly (the current one); otherwise the edge's stack does.
  const own = printed && roleOf(printed.function) === null ? { function: baseName(printed.function), module: printed.module, line: printed.line, offset: printed.offset } : null;
  const found = own ? null : edgeSite({ frames });
  if (found && isDebugFacility(found.frame.function as string)) {
    return { n, lock, held, heldAt, line, site: siteOfFrame(found.frame), driver: null, caller: null, owner: 'debug-facility' };
  }
  const at = own ? frames.findIndex((f) => f.function !== null && baseName(f.function) === own.function) : (found?.index ?? -1);
  const site = own ?? (found ? siteOfFrame(found.frame) : null);
  if (!site) {
    // Only plumbing took it (a workqueue or timer pseudo-lock): name the dispatcher or helper, never blamed.
    const by = frames.find((f) => f.reliable && f.function !== null && (roleOf(f.function)?.role === 'helper' || roleOf(f.function)?.role === 'entry'));
    return { n, lock, held, heldAt, line, site: by ? siteOfFrame(by) : null, driver: null, caller: null, owner: 'framework' };
  }
  if (site.module) return { n, lock, held, heldAt, line, site, driver: site, caller: at >= 0 ? frameworkCaller(frames, at, site.module) : null, owner: 'driver-takes-lock' };
  const outward = at >= 0 ? moduleFrameFrom(frames, at + 1) : null;
  if (outward) return { n, lock, held, heldAt, line, site, driver: siteOfFrame(outward), caller: null, owner: 'driver-calls-framework' };
  // The driver took the held lock itself and called into the framework (the printed holding site is its own).
  if (heldAt?.module && roleOf(heldAt.function) === null) return { n, lock, held, heldAt, line, site, driver: { function: baseName(heldAt.function), module: heldAt.module, line: heldAt.line, offset: heldAt.offset }, caller: null, owner: 'driver-calls-framework' };
  return { n, lock, held, heldAt, line, site, driver: null, caller: null, owner: 'framework' };
}

/** The framework function outward of the driver's frames that called into them, when the driver runs as its callback. */
function frameworkCaller(frames: readonly Frame[], from: number, module: string): string | null {
  for (let i = from + 1; i < frames.length; i++) {
    const f = frames[i];
    if (!f.reliable || f.function === null) continue;
    // The driver's own caller: not a callback at this point.
    if (f.module === module) return null;
    const role = roleOf(f.function)?.role;
    if (role === 'entry') return dispatcherOf(f.function) ? baseName(f.function) : null;
    if (role === undefined || role === 'helper' || dispatcherOf(f.function)) return baseName(f.function);
  }
  return null;
}

/**
 * The cycle of a circular-dependency report, edge by edge: `-> #N` (N >= 1) took lock N while holding lock N-1,
 * and the current acquisition (#0) takes lock 0 while holding the lock of the highest edge.
 */
export function circularSteps(report: LockdepReport, currentFrames: readonly Frame[]): CycleStep[] {
  const byN = new Map(report.edges.map((e) => [e.n, e]));
  const top = report.edges.reduce((m, e) => Math.max(m, e.n), 0);
  const steps: CycleStep[] = [];
  const acquiring = report.acquiring;
  const holding = report.holding[0] ?? null;
  const zero = byN.get(0);
  const nowLock = acquiring?.name ?? zero?.lock ?? null;
  if (nowLock) {
    const frames = zero && zero.frames.length > 0 ? zero.frames : currentFrames;
    steps.push(stepOf(0, nowLock, holding?.name ?? byN.get(top)?.lock ?? null, holding?.at ?? null, acquiring?.line ?? zero?.line ?? 0, frames, acquiring?.at ?? null));
  }
  for (const e of [...report.edges].sort((a, b) => a.n - b.n)) {
    if (e.n === 0) continue;
    const held = e.n === 1 ? nowLock : byN.get(e.n - 1)?.lock ?? null;
    steps.push(stepOf(e.n, e.lock, held, null, e.line, e.frames, e.ref?.at ?? null));
  }
  // A lock held around a framework's callback into the driver is the framework's (rtnl around a netdevice
  // notifier): the driver taking it while it holds its own lock calls the framework with its lock held.
  const heldAround = new Map<string, { n: number; caller: string }>();
  for (const st of steps) if (st.owner === 'driver-takes-lock' && st.caller && st.held && !heldAround.has(st.held)) heldAround.set(st.held, { n: st.n, caller: st.caller });
  return steps.map((st) => {
    const around = heldAround.get(st.lock);
    if (st.owner !== 'driver-takes-lock' || !around || st.caller) return st;
    const holder = st.heldAt && st.heldAt.module && roleOf(st.heldAt.function) === null ? { function: baseName(st.heldAt.function), module: st.heldAt.module, line: st.heldAt.line, offset: st.heldAt.offset } : st.site;
    return { ...st, owner: 'driver-calls-framework' as const, driver: holder, frameworkLock: around };
  });
}

/** The stack of the current acquisition ("stack backtrace:" / "Call Trace:"), not the stacks printed under the edges. */
export function currentFrames(r: CrashReport): Frame[] {
  const t = r.traces.find((x) => /Call [Tt]race|stack backtrace|Backtrace/.test(x.label ?? ''));
  return t ? t.segments.flatMap((s) => s.frames) : [];
}

/** The step a circular report blames: a debugging facility's edge, else a driver's, the current acquisition first. */
export function blamedStep(steps: readonly CycleStep[]): CycleStep | null {
  // The framework's order around its callbacks is given; the driver's inversion is where it calls in with its lock held.
  return steps.find((s) => s.owner === 'debug-facility') ?? steps.find((s) => s.owner === 'driver-calls-framework') ?? steps.find((s) => s.owner !== 'framework') ?? null;
}

/**
 * The culprit of a circular dependency. An edge recorded inside a debugging facility (KASAN's stack depot,
 * kmemleak, debug objects) is that facility's dependency, not the code under test's. Otherwise the driver
 * code (a loadable module) that took its lock inside a framework callback or called the framework with its
 * lock held; otherwise the acquisition lockdep is reporting (the framework taking its own lock is not blamed
 * over it).
 */
export function blameCircular(ctx: RuleContext, r: CrashReport): Blame {
  const report = readLockdep(ctx, r);
  const steps = circularSteps(report, currentFrames(r));
  const related = steps.filter((s) => s.site).map((s) => ({ function: (s.site as NonNullable<CycleStep['site']>).function, module: s.site?.module ?? null, line: s.site?.line ?? null, role: 'cycle' as const }));
  const step = blamedStep(steps);
  if (step?.owner === 'debug-facility' && step.site) return { ...blameOfSiteLike(step.site, 'debug-facility'), related };
  if (step) {
    const who = step.owner === 'driver-calls-framework' ? step.driver : step.site;
    if (who) return { ...blameOfSiteLike(who, 'printed'), related };
  }
  // The current acquisition: its printed site, or the first own frame of its stack when that site is a primitive.
  const now = steps.find((s) => s.n === 0 && s.site && roleOf(s.site.function) === null);
  if (now?.site) return { ...blameOfSiteLike(now.site, 'printed'), related };
  const printed = blameOfLockSite(report.acquiring?.at) ?? blameOfLockSite(report.holding[0]?.at);
  if (printed) return { ...printed, related };
  const first = steps.find((s) => s.site && roleOf(s.site.function) === null);
  if (first?.site) return { ...blameOfSiteLike(first.site, 'own'), related };
  return { ...blameReport(r, 'context'), related };
}

function blameOfSiteLike(s: NonNullable<CycleStep['site']>, basis: Blame['basis']): Blame {
  return { function: baseName(s.function), module: s.module, line: s.line, location: s.offset === null ? s.function : `${s.function}+0x${s.offset.toString(16)}`, basis, callback: null, related: [] };
}

/** The lock a leak check found held: the innermost entry of the task's list that is not the dispatcher's own pseudo-lock. */
export function leakedLock(list: HeldLockList | null | undefined): LockRef | null {
  const locks = (list?.locks ?? []).filter((l) => !DISPATCHER_PSEUDO_LOCK.test(l.name));
  return locks[locks.length - 1] ?? null;
}

/** The culprit of a leaked lock: the printed `at:` site of the lock that was never released. */
export function blameLeakedLock(list: HeldLockList | null | undefined): Blame | null {
  const locks = (list?.locks ?? []).filter((l) => !DISPATCHER_PSEUDO_LOCK.test(l.name) && l.at);
  for (let i = locks.length - 1; i >= 0; i--) {
    const b = blameOfLockSite(locks[i].at);
    if (b) return b;
  }
  return null;
}

/** The lock of a recursion report and the path from the outer acquisition (the holder) in to the inner one. */
export interface Reacquisition {
  blame: Blame;
  /** The function that took the lock first, and the one that takes it again, when they can be named. */
  holder: { function: string; module: string | null; line: number | null } | null;
  reacquirer: { function: string; module: string | null; line: number | null } | null;
  /** Base names from the holder in to the re-acquirer (call order, outermost first). */
  path: string[];
}

/**
 * A task takes a lock it holds, with both `at:` sites printed. The re-acquirer is usually innocent: blame the
 * outer holder that called out (through a callback, an ops table, a final put) with the lock held. The holder
 * is the printed holding site when it is own code on the stack; when that site is a lock wrapper
 * (`rtnl_lock`), the holder is the innermost own frame of the stack that took a later lock of the held list
 * (it took this one before). Module code that takes a lock its core caller holds, or a callback entered by a
 * dispatcher, broke the caller's contract and is blamed instead. Returns null when the sites cannot be placed
 * on the stack.
 */
export function blameReacquisition(report: LockdepReport, frames: readonly Frame[]): Reacquisition | null {
  const acq = report.acquiring?.at ?? null;
  const held = report.holding[0] ?? null;
  if (!acq || !held?.at) return null;
  const reliable = frames.filter((f) => f.reliable && f.function !== null);
  const indexOf = (fn: string, from = 0): number => reliable.findIndex((f, i) => i >= from && baseName(f.function as string) === baseName(fn));
  // The re-acquirer: the printed site, or the first own frame outward of it when the site is plumbing.
  let ri = indexOf(acq.function);
  if (ri < 0) return null;
  while (ri < reliable.length && !isOwnFrame(reliable[ri])) ri++;
  if (ri >= reliable.length) return null;
  const reacquirer = reliable[ri];
  let hi = -1;
  if (roleOf(held.at.function) === null) {
    hi = indexOf(held.at.function, ri + 1);
    // One function taking the lock twice (or two objects of one class): it is both holder and re-acquirer.
    if (hi < 0 && baseName(held.at.function) === baseName(reacquirer.function as string)) hi = ri;
  } else {
    const list = report.heldLists[0];
    const k = list ? list.locks.findIndex((l) => l.name === held.name) : -1;
    const later = k >= 0 && list ? list.locks.slice(k + 1) : [];
    const placed = later.map((l) => (l.at && roleOf(l.at.function) === null ? indexOf(l.at.function, ri + 1) : -1)).filter((i) => i >= 0);
    if (placed.length > 0) hi = Math.min(...placed);
  }
  if (hi < 0) return null;
  const holder = reliable[hi];
  const path = reliable.slice(ri, hi + 1).map((f) => baseName(f.function as string)).reverse();
  const site = (f: Frame) => ({ function: baseName(f.function as string), module: f.module, line: f.line });
  const between = reliable.slice(ri + 1, hi);
  const entered = between.some((f) => dispatcherOf(f.function as string) !== null);
  const contractBroken = hi !== ri && (entered || (reacquirer.module !== null && holder.module === null));
  const blame: Blame = contractBroken
    ? { ...blameOfFrame(reacquirer, entered ? 'callback' : 'module'), related: [{ ...site(holder), role: 'first-acquisition' }] }
    : { ...blameOfFrame(holder, 'outer-holder'), related: hi === ri ? [] : [{ ...site(reacquirer), role: 'second-acquisition' }] };
  return { blame, holder: site(holder), reacquirer: site(reacquirer), path };
}

/** The irq state's row (what is enabled, the context, the fix), for rules that explain usage states. */
export function irqStateRow(state: IrqState | null): (typeof IRQ_STATES)[IrqState] | null {
  return state ? IRQ_STATES[state] : null;
}

/**
 * Recursion on a lock of the oops machinery: the stack printed just before the report is the fault that was
 * being reported when the lock was taken again; its innermost own frame is where the nested fault happened.
 */
export function blameNestedFault(ctx: RuleContext, r: CrashReport): Blame | null {
  const frames: Frame[] = [];
  for (let no = r.headerLine - 1; no >= Math.max(1, r.headerLine - 80); no--) {
    const l = ctx.line(no);
    if (!l) break;
    const f = parseFrame(l.text, l.no);
    if (f) frames.unshift(f);
    else if (frames.length > 0 && !/^\s*(?:Backtrace:|Call [Tt]race:|\s*)$/.test(l.text)) break;
  }
  const own = frames.find(isOwnFrame);
  return own ? blameOfFrame(own, 'own') : null;
}

/** The held-lock lists ("N locks held by comm/pid:") in a run of lines, e.g. under "Showing all locks held in the system:". */
export function heldListsIn(ls: readonly LogLine[]): HeldLockList[] {
  const j = join(ls);
  return readHeldLists(j, lockRefs(j));
}
