// Reads a lockdep report into its parts: the lock being taken, the locks held, usage states, dependency edges, held-lock lists.
//
// Lockdep's lines are read wherever the console wrapped or indented them: the report's lines are joined into
// one text (with a map back to line numbers) and lock references are matched across the joins.

import type { CrashReport, Frame, LogLine } from '../model/types';
import { parseFrame } from '../parse/frames';
import type { RuleContext } from './types';
import { NO_BLAME, blameOfFrame, blameOfSite, blameReport, isDebugFacility, roleOf, type Blame } from './blame';

export interface LockSite {
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
  /** `-{2:2}`: 2 is a spinning lock, 3 a spinlock_t that sleeps on PREEMPT_RT, 4 a sleeping lock, 0/1 pseudo-locks. */
  waitType: number | null;
  at: LockSite | null;
  line: number;
}

export type LockdepKind = 'circular' | 'inconsistent' | 'recursive' | 'irq-order' | 'irq-inversion' | 'bad-unlock' | 'held-freed' | 'held-at-return' | 'other';

export interface DependencyEdge {
  /** N of `-> #N`. */
  n: number;
  lock: string;
  line: number;
  /** The stack under the edge, innermost first. */
  frames: Frame[];
}

export interface HeldLockList {
  task: string | null;
  line: number;
  locks: LockRef[];
}

export interface LockdepReport {
  kind: LockdepKind;
  /** `comm/pid` of the task the report is about, when printed. */
  task: string | null;
  /** `[HC0[0]:SC1[1]:HE1:SE0]`: in hardirq / softirq, hardirqs / softirqs enabled. */
  context: { hardirq: boolean; softirq: boolean; hardirqsEnabled: boolean; softirqsEnabled: boolean } | null;
  /** The lock being taken ("is trying to acquire", "takes:", "is trying to release"). */
  acquiring: LockRef | null;
  /** The lock(s) already held ("but task is already holding", "this task is already holding"). */
  holding: LockRef[];
  /** `inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage`. */
  usage: { from: string; to: string; line: number } | null;
  /** Stack under "{X} state was registered at:". */
  registered: Frame[];
  /** For irq-order reports: the irq-safe and the irq-unsafe lock. */
  irqSafe: LockRef | null;
  irqUnsafe: LockRef | null;
  edges: DependencyEdge[];
  heldLists: HeldLockList[];
}

const HEADERS: ReadonlyArray<{ kind: LockdepKind; re: RegExp }> = [
  { kind: 'circular', re: /possible circular locking dependency detected/ },
  { kind: 'inconsistent', re: /inconsistent lock state/ },
  { kind: 'recursive', re: /possible recursive locking detected/ },
  { kind: 'irq-order', re: /(?:HARDIRQ|SOFTIRQ)-safe -> (?:HARDIRQ|SOFTIRQ)-unsafe lock order detected/ },
  { kind: 'irq-inversion', re: /possible irq lock inversion dependency detected/ },
  { kind: 'bad-unlock', re: /bad unlock balance detected/ },
  { kind: 'held-freed', re: /held lock freed/ },
  { kind: 'held-at-return', re: /lock held when returning to user space|leaked lock or atomic|lock held at task exit time|still has locks held/ },
];

/** A lock reference: `[addr ](name){usage}[-{a:b}], at: func+0x1/0x2 [mod]`, across wrapped lines. */
const LOCK_REF =
  /(?:([0-9a-f]{8,16}) )?\((.{1,200}?)\)\{([-+.?a-zA-Z]{1,12})\}(?:-\{(\d):(\d)\})?(?:, at: (?:\[<[0-9a-f]{1,16}>\] )?([A-Za-z_.$][\w.$]{0,200})\+0x([0-9a-f]{1,16})\/0x[0-9a-f]{1,16}(?: \[([\w-]{1,64})\])?)?/g;

interface Joined {
  text: string;
  /** Character offset where each kept line starts, and its line number. */
  starts: number[];
  lines: number[];
}

function join(ls: readonly LogLine[]): Joined {
  const parts: string[] = [];
  const starts: number[] = [];
  const lines: number[] = [];
  let pos = 0;
  for (const l of ls) {
    const t = l.text.trim().replace(/\s+/g, ' ');
    if (t === '') continue;
    starts.push(pos);
    lines.push(l.no);
    parts.push(t);
    pos += t.length + 1;
  }
  return { text: parts.join(' '), starts, lines };
}

function lineAtOffset(j: Joined, off: number): number {
  let lo = 0;
  let hi = j.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (j.starts[mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return j.lines[lo] ?? 0;
}

function lockRefs(j: Joined): Array<LockRef & { offset: number; end: number }> {
  const out: Array<LockRef & { offset: number; end: number }> = [];
  LOCK_REF.lastIndex = 0;
  for (let m = LOCK_REF.exec(j.text); m && out.length < 400; m = LOCK_REF.exec(j.text)) {
    const line = lineAtOffset(j, m.index);
    out.push({
      name: m[2],
      address: m[1] ?? null,
      usage: m[3],
      waitType: m[4] !== undefined ? Number(m[4]) : null,
      at: m[6] ? { function: m[6], offset: Number.parseInt(m[7], 16), module: m[8] ?? null, line: lineAtOffset(j, m.index + m[0].indexOf(m[6])) } : null,
      line,
      offset: m.index,
      end: m.index + m[0].length,
    });
  }
  return out;
}

/** Frames printed after line `from` up to the next section of the report, innermost first. */
function framesAfter(ls: readonly LogLine[], fromIndex: number, stop: RegExp, limit = 80): Frame[] {
  const out: Frame[] = [];
  for (let i = fromIndex + 1; i < ls.length && out.length < limit; i++) {
    const text = ls[i].text;
    if (stop.test(text)) break;
    const f = parseFrame(text.replace(/^\s+/, ' '), ls[i].no);
    if (f) out.push(f);
    else if (out.length > 0 && !/^\s*(?:\.\.\.|\S{1,40}\+0x)/.test(text) && !/^\s*\[/.test(text) && text.trim() !== '' && !/^\s*\w[\w.]*$/.test(text.trim())) break;
  }
  return out;
}

const SECTION = /^\s*(?:-> #\d+|other info|the existing dependency|Chain exists|Possible unsafe|\*\*\* DEADLOCK|stack backtrace|\d+ locks? held by|no locks held|\{[A-Z-]+\} state was registered|irq event stamp|which became|to a [A-Z]+-irq-unsafe lock|the dependencies between|and this task is already holding|but this new dependency|other info that might|Call Trace|CPU: )/;

/** Reads the lockdep parts of report `r` (kind `other` when it is not a lockdep report; held-lock lists are read anyway). */
export function readLockdep(ctx: RuleContext, r: CrashReport): LockdepReport {
  const ls: LogLine[] = [];
  for (let no = r.startLine; no <= r.endLine && ls.length < 3000; no++) {
    const l = ctx.line(no);
    if (l) ls.push(l);
  }
  let kind: LockdepKind | null = null;
  for (const l of ls.slice(0, 8)) {
    const h = HEADERS.find((x) => x.re.test(l.text));
    if (h) {
      kind = h.kind;
      break;
    }
  }
  if (!kind) {
    const any = ls.find((l) => HEADERS.some((x) => x.re.test(l.text)));
    // Not a lockdep report: its held-lock lists ("1 lock held by ...") are still read.
    kind = any ? (HEADERS.find((x) => x.re.test(any.text)) as { kind: LockdepKind }).kind : 'other';
  }
  const j = join(ls);
  const refs = lockRefs(j);
  const refAfter = (intro: RegExp): LockRef | null => {
    const m = intro.exec(j.text);
    if (!m) return null;
    const at = m.index + m[0].length;
    const ref = refs.find((x) => x.offset >= at && x.offset - at < 120);
    return ref ?? null;
  };
  const taskMatch = /(?:^| )([^\s/]{1,64}\/\d{1,10}(?:\/\d{1,10})?) (?:\[HC\d\[\d\]:SC\d\[\d\]:HE\d:SE\d\] )?(?:is trying to (?:acquire|release)|takes:|is exiting|is freeing)/.exec(j.text);
  const ctxMatch = /\[HC(\d)\[\d\]:SC(\d)\[\d\]:HE(\d):SE(\d)\]/.exec(j.text);
  const usageLine = ls.find((l) => /inconsistent \{[A-Z-]+\} -> \{[A-Z-]+\} usage/.test(l.text)) ?? null;
  const um = usageLine ? /inconsistent \{([A-Z-]+)\} -> \{([A-Z-]+)\} usage/.exec(usageLine.text) : null;
  const acquiring = refAfter(/(?:is trying to acquire(?: lock)?:?|takes:|is trying to release lock|is trying to release:?)\s?/);
  const holding: LockRef[] = [];
  const held = refAfter(/(?:but task is already holding(?: lock)?:?|and this task is already holding:?)\s?/);
  if (held) holding.push(held);
  const registeredIndex = ls.findIndex((l) => /state was registered at:/.test(l.text));
  const registered = registeredIndex >= 0 ? framesAfter(ls, registeredIndex, SECTION) : [];
  const edges: DependencyEdge[] = [];
  ls.forEach((l, i) => {
    const m = /^\s*-> #(\d{1,3}) \((.{1,200}?)\)\{/.exec(l.text);
    if (m && edges.length < 32) edges.push({ n: Number(m[1]), lock: m[2], line: l.no, frames: framesAfter(ls, i, SECTION) });
  });
  const heldLists: HeldLockList[] = [];
  ls.forEach((l, i) => {
    const m = /(\d{1,4}) locks? held by ([^:]{1,80}):/.exec(l.text);
    if (!m || heldLists.length >= 64) return;
    const locks: LockRef[] = [];
    const startOff = j.starts[j.lines.indexOf(l.no)] ?? 0;
    const next = ls.slice(i + 1).find((x) => /\d{1,4} locks? held by |no locks held by|^\s*=+\s*$|stack backtrace|Call Trace|INFO: task|CPU: \d/.test(x.text));
    const endOff = next ? (j.starts[j.lines.indexOf(next.no)] ?? j.text.length) : j.text.length;
    for (const ref of refs) if (ref.offset > startOff && ref.offset < endOff && locks.length < Number(m[1]) + 2) locks.push(ref);
    heldLists.push({ task: m[2].trim(), line: l.no, locks });
  });
  const irqSafe = kind === 'irq-order' ? refAfter(/connects a (?:HARDIRQ|SOFTIRQ)-irq-safe lock:\s?/) : null;
  const irqUnsafe = kind === 'irq-order' ? refAfter(/to a (?:HARDIRQ|SOFTIRQ)-irq-unsafe lock:\s?/) : null;
  return {
    kind,
    task: taskMatch ? taskMatch[1] : null,
    context: ctxMatch ? { hardirq: ctxMatch[1] !== '0', softirq: ctxMatch[2] !== '0', hardirqsEnabled: ctxMatch[3] === '1', softirqsEnabled: ctxMatch[4] === '1' } : null,
    acquiring,
    holding,
    usage: um && usageLine ? { from: um[1], to: um[2], line: usageLine.no } : null,
    registered,
    irqSafe,
    irqUnsafe,
    edges,
    heldLists,
  };
}

/** `-> #1 (fs_reclaim)...`, the held list's `#0: ... (lock)`: a sleeping lock by its wait type or its name. */
export function isSleepingLock(l: LockRef): boolean {
  if (l.waitType !== null) return l.waitType >= 4;
  return /mutex|sem\b|rwsem|_sem$|i_rwsem|sb_writers|s_umount|mmap_lock|mmap_sem|(?:^|[^_])lock_class$/.test(l.name);
}

/** A pseudo-lock lockdep tracks but nothing spins or sleeps on (`(work_completion)`, `(wq_completion)`, RCU, timers). */
export function isPseudoLock(l: LockRef): boolean {
  return l.waitType === 0 || /^\((?:work_completion|wq_completion)\)|^rcu_read_lock|^rcu_callback|^\(&[\w.>-]*timer\)|^\(\(&[\w.>-]*timer\)\)|^fs_reclaim$|^mmu_notifier_invalidate_range_start$/.test(l.name);
}

/** Where a dependency edge was created: the first frame of its stack past lockdep, the lock primitive and allocators. */
export function edgeSite(e: DependencyEdge): { frame: Frame; index: number } | null {
  const i = e.frames.findIndex((f) => f.reliable && f.function !== null && (roleOf(f.function) === null || isDebugFacility(f.function)));
  return i < 0 ? null : { frame: e.frames[i], index: i };
}

/**
 * The culprit of a circular dependency. An edge recorded inside a debugging facility (KASAN's stack depot,
 * kmemleak, debug objects) is that facility's dependency, not the code under test's. Otherwise the driver
 * code (a loadable module) that took its lock inside a framework callback or called the framework with its
 * lock held, then the acquisition lockdep is reporting.
 */
export function blameCircular(ctx: RuleContext, r: CrashReport): Blame {
  const report = readLockdep(ctx, r);
  for (const e of report.edges) {
    const site = edgeSite(e);
    if (site && isDebugFacility(site.frame.function as string)) return blameOfFrame(site.frame, 'debug-facility');
  }
  const sites: Array<{ function: string; offset: number | null; module: string | null; line: number | null }> = [];
  if (report.acquiring?.at) sites.push(report.acquiring.at);
  for (const h of report.holding) if (h.at) sites.push(h.at);
  for (const e of report.edges) {
    const site = edgeSite(e);
    if (site?.frame.function) sites.push({ function: site.frame.function, offset: site.frame.offset, module: site.frame.module, line: site.frame.line });
  }
  const inModule = sites.find((s) => s.module !== null && roleOf(s.function) === null);
  const chosen = inModule ?? sites.find((s) => roleOf(s.function) === null) ?? null;
  if (chosen) return blameOfSite(chosen, 'printed') ?? NO_BLAME;
  return blameReport(r, 'context');
}
