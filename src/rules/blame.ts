// The blame walk every rule uses: from the frame that noticed, outward to the code that broke the kernel's contract.

import type { CallTrace, CrashReport, Frame } from '../model/types';
import type { RuleContext } from './types';
import { isPseudoLock, isSleepingLock, readLockdep } from './lockdep';
import { DEBUG_FACILITIES, DISPATCHERS, FUNCTION_ROLES, REPORTING_LOCKS, WRAPPER_MAX_SIZE, type CallbackMechanism, type DispatcherRow, type FunctionRole } from '../knowledge/blame';

/** A symbol without compiler suffixes (`.cold`, `.isra.0`, `.part.3`, `.constprop.17`) and powerpc's leading dot. */
export function baseName(fn: string): string {
  const s = fn.startsWith('.') ? fn.slice(1) : fn;
  const dot = s.indexOf('.');
  return dot > 0 ? s.slice(0, dot) : s;
}

/** A matcher for a list of globs (`foo`, `foo*`, `*foo`, `*foo*`, `foo*bar`): a set lookup and a few string tests, no regex. */
export interface GlobSet {
  has(name: string): boolean;
}

export function globSet(globs: readonly string[]): GlobSet {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const infixes: string[] = [];
  const pairs: Array<[string, string]> = [];
  for (const g of globs) {
    const star = g.indexOf('*');
    if (star < 0) exact.add(g);
    else if (g.startsWith('*') && g.endsWith('*') && g.length > 1) infixes.push(g.slice(1, -1));
    else if (g.startsWith('*')) suffixes.push(g.slice(1));
    else if (star === g.length - 1) prefixes.push(g.slice(0, -1));
    else pairs.push([g.slice(0, star), g.slice(star + 1).replace(/\*/g, '')]);
  }
  return {
    has(name: string): boolean {
      if (exact.has(name)) return true;
      for (const p of prefixes) if (name.startsWith(p)) return true;
      for (const s of suffixes) if (name.endsWith(s) && name.length > s.length) return true;
      for (const i of infixes) if (name.includes(i)) return true;
      for (const [p, s] of pairs) if (name.startsWith(p) && name.endsWith(s) && name.length >= p.length + s.length) return true;
      return false;
    },
  };
}

const ROLE_SETS = FUNCTION_ROLES.map((row) => ({ row, set: globSet(row.names) }));
const DISPATCHER_SETS = DISPATCHERS.map((row) => ({ row, set: globSet(row.names) }));
const DEBUG_SET = globSet(DEBUG_FACILITIES);
const REPORTING_LOCK_SET = globSet(REPORTING_LOCKS);

/** Bounded memo: the same few thousand kernel symbols recur in every report of a flood. */
const roleMemo = new Map<string, { role: FunctionRole; family: string } | null>();

/** What a function is to the blame walk, or null for code that is its own (a candidate culprit). */
export function roleOf(fn: string): { role: FunctionRole; family: string } | null {
  const name = baseName(fn);
  const memo = roleMemo.get(name);
  if (memo !== undefined) return memo;
  let found: { role: FunctionRole; family: string } | null = null;
  for (const { row, set } of ROLE_SETS) {
    if (set.has(name)) {
      found = { role: row.role, family: row.family };
      break;
    }
  }
  if (roleMemo.size > 20_000) roleMemo.clear();
  roleMemo.set(name, found);
  return found;
}

export function isRole(fn: string | null, ...roles: FunctionRole[]): boolean {
  if (!fn) return false;
  const r = roleOf(fn);
  return r !== null && roles.includes(r.role);
}

/** The dispatcher row when `fn` calls registered callbacks (timers, work, IRQ handlers, probe...). */
export function dispatcherOf(fn: string): DispatcherRow | null {
  const name = baseName(fn);
  for (const { row, set } of DISPATCHER_SETS) if (set.has(name)) return row;
  return null;
}

export function isDebugFacility(fn: string): boolean {
  return DEBUG_SET.has(baseName(fn));
}

/** A lock of the oops/die machinery (`terminate_lock`, `die_lock`...): recursion on it is a fault while reporting a fault. */
export function isReportingLock(name: string): boolean {
  const n = name.replace(/^&/, '').replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, '');
  return REPORTING_LOCK_SET.has(n) || REPORTING_LOCK_SET.has(baseName(n));
}

/** A frame that can be the culprit: on the call chain (not `?`), named, and not reporting/primitive/helper/entry code. */
export function isOwnFrame(f: Frame): boolean {
  return f.reliable && f.function !== null && roleOf(f.function) === null;
}

/** The first frame that can be the culprit, innermost first. */
export function firstOwnFrame(frames: readonly Frame[]): Frame | null {
  return frames.find(isOwnFrame) ?? null;
}

/** How the culprit was chosen, in the order of preference a kernel engineer applies. */
export type BlameBasis =
  /** The kernel printed who did it: "Preemption disabled at:", lockdep's `at:` sites, a held-lock list. */
  | 'printed'
  /** The callback a dispatcher entered (timer, work, IRQ handler, probe...). */
  | 'callback'
  /** The first frame of a loadable module above core code. */
  | 'module'
  /** The first frame that is neither reporting, nor a primitive, nor a generic helper. */
  | 'own'
  /** The faulting instruction's function. */
  | 'ip'
  /** The caller that passed a bad pointer into a primitive or helper. */
  | 'caller'
  /** The frame a stall keeps returning to. */
  | 'loop-owner'
  /** The function that holds a lock and calls out to code that takes it again. */
  | 'outer-holder'
  /** The call that closes a recursion cycle. */
  | 're-entrant-edge'
  /** The function that both allocated the buffer and asked for the bad access. */
  | 'buffer-owner'
  /** A debugging facility's own code created the dependency. */
  | 'debug-facility'
  /** Named by the failed assertion's expression. */
  | 'assertion';

export interface Blame {
  /** Base name (no `.cold`/`.isra.N`), or null when nothing on the stack can be blamed. */
  function: string | null;
  module: string | null;
  /** The input line the culprit was read from, for evidence. */
  line: number | null;
  /** `func+0xoff` as printed, for `dis -l`. */
  location: string | null;
  basis: BlameBasis;
  /** When the culprit is a callback: how it was entered and what stops it. */
  callback: { mechanism: CallbackMechanism; dispatcher: string; stoppedBy: string } | null;
  /** A second site the conclusion rests on (the other acquisition, the free, the re-entered call). */
  related: Array<{ function: string; module: string | null; line: number | null; role: 'first-acquisition' | 'second-acquisition' | 'free' | 'allocation' | 're-entered' | 'cycle' }>;
}

export const NO_BLAME: Blame = { function: null, module: null, line: null, location: null, basis: 'own', callback: null, related: [] };

function locationOf(f: { function: string | null; offset: number | null }): string | null {
  if (!f.function) return null;
  return f.offset === null ? f.function : `${f.function}+0x${f.offset.toString(16)}`;
}

export function blameOfFrame(f: Frame, basis: BlameBasis, extra: Partial<Blame> = {}): Blame {
  return {
    function: f.function ? baseName(f.function) : null,
    module: f.module,
    line: f.line,
    location: locationOf(f),
    basis,
    callback: null,
    related: [],
    ...extra,
  };
}

/** A printed site (`func+0x1/0x2 [mod]` on a known line) as a blame, unless it is itself plumbing. */
export function blameOfSite(site: { function: string; offset: number | null; module: string | null; line: number | null }, basis: BlameBasis): Blame | null {
  if (roleOf(site.function) !== null) return null;
  return { function: baseName(site.function), module: site.module, line: site.line, location: locationOf(site), basis, callback: null, related: [] };
}

/** Index of the dispatcher that entered the frame at `i`: the next reliable non-own frame outward, when it is a dispatcher. */
function enteringDispatcher(frames: readonly Frame[], i: number, contextOnly: boolean): DispatcherRow | null {
  for (let j = i + 1; j < frames.length; j++) {
    const f = frames[j];
    if (!f.reliable || f.function === null) continue;
    const d = dispatcherOf(f.function);
    if (d) return !contextOnly || CONTEXT_MECHANISMS.has(d.mechanism) ? d : null;
    if (roleOf(f.function) === null) return null;
  }
  return null;
}

/** Callbacks that run in a context of their own: the code that must respect that context's rules. */
const CONTEXT_MECHANISMS: ReadonlySet<CallbackMechanism> = new Set<CallbackMechanism>([
  'timer', 'hrtimer', 'work', 'kthread-work', 'kthread', 'tasklet', 'softirq', 'irq', 'threaded-irq', 'rcu', 'notifier', 'probe', 'remove', 'shutdown', 'bio-completion', 'urb-completion', 'napi', 'socket-callback', 'smp-call',
]);

export type BlameMode =
  /** A context rule was broken (sleeping while atomic, a leaked count, a lock held at return). */
  | 'context'
  /** A bad access or a failed check at the faulting instruction. */
  | 'fault'
  /** A CPU kept running: soft/hard lockup, RCU stall. */
  | 'lockup'
  /** A task waited too long: hung task, blocked work. */
  | 'wait';

export interface BlameOptions {
  mode: BlameMode;
  /** The function where the report was detected (the IP, the title's function); the walk starts at its frame. */
  detectedIn?: { function: string | null; module: string | null; offset: number | null; line: number | null } | null;
  /** Other samples of the same CPU/task (repeated reports, NMI backtraces), innermost first each. */
  samples?: ReadonlyArray<readonly Frame[]>;
}

/** Where a cycle of frames repeats on one stack: a k-frame sequence printed at least twice in a row. */
export interface FrameCycle {
  /** Index (in printed order, innermost first) of the first frame of the repeated region. */
  start: number;
  /** Index just past the last repeated frame. */
  end: number;
  period: number;
  /** Base names of one period, in call order (outermost first): `[a, b, c]` for a -> b -> c -> a. */
  members: string[];
  repeats: number;
}

/**
 * The longest-repeating cycle of reliable frames, tolerant of a cut first period and of `....` elisions
 * (the parser drops elided lines, so the periods still line up). Periods up to 12 frames.
 */
export function findCycle(frames: readonly Frame[]): FrameCycle | null {
  const names = frames.filter((f) => f.reliable && f.function !== null).map((f) => baseName(f.function as string));
  const idx = frames.map((f, i) => (f.reliable && f.function !== null ? i : -1)).filter((i) => i >= 0);
  if (names.length < 2) return null;
  let best: { start: number; end: number; period: number; repeats: number } | null = null;
  const maxPeriod = Math.min(12, Math.floor(names.length / 2));
  for (let period = 1; period <= maxPeriod; period++) {
    // A run of names[i] === names[i - period] over [a, b] makes names[a - period .. b] periodic.
    let runFrom = -1;
    for (let i = period; i <= names.length; i++) {
      if (i < names.length && names[i] === names[i - period]) {
        if (runFrom < 0) runFrom = i;
        continue;
      }
      if (runFrom >= 0) {
        const start = runFrom - period;
        const len = i - start;
        const repeats = Math.floor(len / period);
        if (repeats >= 2 && (!best || len > best.end - best.start)) best = { start, end: i, period, repeats };
        runFrom = -1;
      }
    }
  }
  if (!best) return null;
  // Members in call order: the outermost period, read outward-in.
  const outer = names.slice(best.end - best.period, best.end).reverse();
  return { start: idx[best.start], end: idx[best.end - 1] + 1, period: best.period, members: outer, repeats: best.repeats };
}

/** The first frame, walking outward from `from`, that satisfies `ok`. */
function firstFrom(frames: readonly Frame[], from: number, ok: (f: Frame, i: number) => boolean): { f: Frame; i: number } | null {
  for (let i = Math.max(0, from); i < frames.length; i++) if (ok(frames[i], i)) return { f: frames[i], i };
  return null;
}

/** Index of the detecting function's frame, or 0. */
function detectionIndex(frames: readonly Frame[], detected: BlameOptions['detectedIn']): number {
  if (!detected?.function) return 0;
  const want = baseName(detected.function);
  const i = frames.findIndex((f) => f.function !== null && baseName(f.function) === want);
  return i < 0 ? 0 : i;
}

/** A small function that only calls the next frame: no room for the loop or the lock region. */
function isWrapper(f: Frame): boolean {
  return f.size !== null && f.size > 0 && f.size <= WRAPPER_MAX_SIZE;
}

/** Walks a stack (innermost first) to the code that broke the contract, per the mode's preferences. */
export function blameFrames(frames: readonly Frame[], opts: BlameOptions): Blame {
  const detected = opts.detectedIn ?? null;
  // The faulting function itself, when it is own code (not a primitive it was handed a bad pointer).
  if (opts.mode === 'fault' && detected?.function && roleOf(detected.function) === null) {
    const inTrace = frames.find((f) => f.function !== null && baseName(f.function) === baseName(detected.function as string));
    return {
      function: baseName(detected.function),
      module: detected.module ?? inTrace?.module ?? null,
      line: detected.line ?? inTrace?.line ?? null,
      location: locationOf({ function: detected.function, offset: detected.offset }),
      basis: 'ip',
      callback: null,
      related: [],
    };
  }
  const from = detectionIndex(frames, detected);
  const own = (f: Frame): boolean => isOwnFrame(f);

  if (opts.mode === 'lockup') {
    const sampled = constantFrame(frames, opts.samples ?? []);
    if (sampled) return sampled;
    const cycle = findCycle(frames);
    if (cycle && cycle.start <= from + 3) {
      const past = firstFrom(frames, cycle.end, own);
      if (past) return { ...blameOfFrame(past.f, 'loop-owner'), related: cycle.members.map((m) => ({ function: m, module: null, line: null, role: 'cycle' as const })) };
    }
    // The sampled instruction is in own code (not a library leaf): that function is looping.
    if (detected?.function && roleOf(detected.function) === null) {
      return { function: baseName(detected.function), module: detected.module, line: detected.line, location: locationOf({ function: detected.function, offset: detected.offset }), basis: 'loop-owner', callback: null, related: [] };
    }
    // The sampled IP is where the loop happened to be; skip library leaves and wrappers around them.
    const first = firstFrom(frames, from, (f, i) => own(f) && !(i > from && isWrapper(f) && hasOwnOutward(frames, i)));
    if (first) return blameOfFrame(first.f, 'loop-owner');
    return fallback(frames, from);
  }

  const firstOwn = firstFrom(frames, from, own);
  if (opts.mode === 'fault') {
    // A primitive or helper was handed something bad: blame the caller that passed it.
    if (firstOwn) return blameOfFrame(firstOwn.f, 'caller');
    return fallback(frames, from);
  }
  if (opts.mode === 'wait') {
    if (firstOwn) return blameOfFrame(firstOwn.f, 'own');
    return fallback(frames, from);
  }
  // context: callback > first module frame > first own frame.
  const callback = firstFrom(frames, from, (f, i) => own(f) && !(isWrapper(f) && hasOwnOutward(frames, i) && enteringDispatcher(frames, i, true) === null) && enteringDispatcher(frames, i, true) !== null);
  const firstModule = firstFrom(frames, from, (f, i) => own(f) && f.module !== null && !(isWrapper(f) && hasOwnOutward(frames, i)));
  if (callback && (!firstModule || firstModule.i >= callback.i || callback.f.module !== null || firstModule.f.module === null)) {
    const d = enteringDispatcher(frames, callback.i, true) as DispatcherRow;
    return blameOfFrame(callback.f, 'callback', { callback: { mechanism: d.mechanism, dispatcher: dispatcherName(frames, callback.i) ?? d.names[0], stoppedBy: d.stoppedBy } });
  }
  if (firstModule) return blameOfFrame(firstModule.f, 'module');
  if (firstOwn) return blameOfFrame(firstOwn.f, 'own');
  return fallback(frames, from);
}

function dispatcherName(frames: readonly Frame[], i: number): string | null {
  for (let j = i + 1; j < frames.length; j++) {
    const f = frames[j];
    if (f.reliable && f.function && dispatcherOf(f.function)) return baseName(f.function);
  }
  return null;
}

function hasOwnOutward(frames: readonly Frame[], i: number): boolean {
  for (let j = i + 1; j < frames.length; j++) {
    const f = frames[j];
    if (!f.reliable || !f.function) continue;
    const role = roleOf(f.function);
    if (role === null) return true;
    if (role.role === 'entry') return false;
  }
  return false;
}

/** Nothing own on the stack: name the first helper (never reporting, a primitive or entry plumbing), else nothing. */
function fallback(frames: readonly Frame[], from: number): Blame {
  const helper = firstFrom(frames, from, (f) => f.reliable && f.function !== null && roleOf(f.function)?.role === 'helper');
  if (helper) return blameOfFrame(helper.f, 'own');
  return NO_BLAME;
}

/** The innermost own frame every sample shares: what a stalled CPU keeps coming back to. */
function constantFrame(frames: readonly Frame[], samples: ReadonlyArray<readonly Frame[]>): Blame | null {
  if (samples.length === 0) return null;
  const sets = samples.map((s) => new Set(s.filter((f) => f.reliable && f.function).map((f) => baseName(f.function as string))));
  if (sets.every((s) => s.size === 0)) return null;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (!isOwnFrame(f)) continue;
    const name = baseName(f.function as string);
    if (sets.every((s) => s.has(name)) && !(isWrapper(f) && hasOwnOutward(frames, i))) return blameOfFrame(f, 'loop-owner');
  }
  return null;
}

/**
 * One stack takes a lock it already holds. The re-acquirer (the first own frame above the lock primitive)
 * is usually innocent: blame the outer holder that called out (through a callback, an ops table, a final put)
 * with the lock held. Module code that takes a lock its core caller holds broke the core's contract instead.
 */
export function blameSelfDeadlock(frames: readonly Frame[], opts: { detectedIn?: BlameOptions['detectedIn'] } = {}): Blame {
  const from = detectionIndex(frames, opts.detectedIn ?? null);
  const reacquirer = firstFrom(frames, from, isOwnFrame);
  if (!reacquirer) return fallback(frames, from);
  // The holder may be core code (a helper): only reporting, primitives, entry plumbing and dispatchers are passed.
  const outer = firstFrom(frames, reacquirer.i + 1, (f) => f.reliable && f.function !== null && dispatcherOf(f.function) === null && (roleOf(f.function) === null || roleOf(f.function)?.role === 'helper'));
  const re = { function: baseName(reacquirer.f.function as string), module: reacquirer.f.module, line: reacquirer.f.line, role: 'second-acquisition' as const };
  const enteredAsCallback = enteringDispatcher(frames, reacquirer.i, false) !== null;
  if (!outer || enteredAsCallback || (reacquirer.f.module !== null && outer.f.module === null)) {
    const related = outer ? [{ function: baseName(outer.f.function as string), module: outer.f.module, line: outer.f.line, role: 'first-acquisition' as const }] : [];
    return { ...blameOfFrame(reacquirer.f, enteredAsCallback ? 'callback' : reacquirer.f.module ? 'module' : 'own'), related };
  }
  return { ...blameOfFrame(outer.f, 'outer-holder'), related: [re] };
}

/**
 * A recursion: the RIP is arbitrary; blame the call that closes the cycle (the member that calls back into
 * the cycle's entry), preferring a member in a loadable module. Returns null when no cycle repeats.
 */
export function blameRecursion(frames: readonly Frame[]): (Blame & { cycle: FrameCycle }) | null {
  const cycle = findCycle(frames);
  if (!cycle) return null;
  const byName = (name: string): Frame | undefined => frames.slice(cycle.start, cycle.end).find((f) => f.function !== null && baseName(f.function) === name);
  const ownMembers = cycle.members.filter((m) => roleOf(m) === null);
  const moduleMember = ownMembers.find((m) => byName(m)?.module);
  // members[0] is the entry (called from outside); the last member calls back into it.
  const edge = moduleMember ?? ownMembers[ownMembers.length - 1] ?? cycle.members[cycle.members.length - 1];
  const f = byName(edge);
  const b: Blame = f ? blameOfFrame(f, 're-entrant-edge') : { ...NO_BLAME, function: edge, basis: 're-entrant-edge' };
  b.related = cycle.members.map((m) => ({ function: m, module: byName(m)?.module ?? null, line: byName(m)?.line ?? null, role: 'cycle' as const }));
  return { ...b, cycle };
}

/**
 * The same own function twice on one stack with other frames between (reentrancy through reclaim, a
 * notifier, a callback): the outer instance re-entered itself. Returns the outer instance.
 */
export function reenteredFunction(frames: readonly Frame[]): { outer: Frame; inner: Frame } | null {
  const seen = new Map<string, Frame>();
  for (const f of frames) {
    if (!isOwnFrame(f)) continue;
    const name = baseName(f.function as string);
    const inner = seen.get(name);
    if (inner && f.line !== inner.line) return { outer: f, inner };
    if (!inner) seen.set(name, f);
  }
  return null;
}

/** The report's own call chain (not KASAN's alloc/free tracks), innermost first. */
export function reportFrames(r: CrashReport): Frame[] {
  const own = r.traces.filter((t) => !isTrackTrace(t));
  const tr = own.find((t) => MAIN_LABEL.test(t.label ?? '')) ?? own[0] ?? null;
  return tr ? tr.segments.flatMap((s) => s.frames) : [];
}

const MAIN_LABEL = /Call [Tt]race|Backtrace|stack backtrace|NMI backtrace|PID: /;
const TRACK_LABEL = /(?:^|\] |^\s*)(?:Allocated|Freed|Last potentially|Second to last|Last call_rcu|Second to last call_rcu)/i;

/** A stack a sanitizer recorded earlier ("Allocated by task N:", "Freed by task N:", "Last potentially related work creation:"): history, not a running stack. */
export function isTrackTrace(t: CallTrace): boolean {
  return TRACK_LABEL.test(t.label ?? '');
}

/** A KASAN/KFENCE track stack ("Allocated by task N:", "Freed by task N:"), innermost first. */
export function trackFrames(r: CrashReport, kind: 'alloc' | 'free'): Frame[] {
  const re = kind === 'alloc' ? /Allocated by/i : /Freed by/i;
  const tr = r.traces.find((t) => re.test(t.label ?? ''));
  return tr ? tr.segments.flatMap((s) => s.frames) : [];
}

/** The IP of a report as the detecting site, unless it is user space or missing. */
export function detectedAtIp(r: CrashReport): BlameOptions['detectedIn'] {
  const ip = r.registers?.ip;
  if (!ip?.function) return null;
  return { function: ip.function, module: ip.module, offset: ip.offset, line: ip.line };
}

/** The report's culprit by the mode's walk: the detecting site (IP or the title's frame) then outward. */
export function blameReport(r: CrashReport, mode: BlameMode, extra: Omit<BlameOptions, 'mode'> = {}): Blame {
  const frames = reportFrames(r);
  const detected = extra.detectedIn !== undefined ? extra.detectedIn : (detectedAtIp(r) ?? (r.frame ? { function: r.frame, module: null, offset: null, line: null } : null));
  return blameFrames(frames, { mode, detectedIn: detected, samples: extra.samples });
}

/** Fields of a finding's `culprit`: null when nothing can be named. */
export function culpritOfBlame(b: Blame): { function: string | null; module: string | null } | null {
  return b.function || b.module ? { function: b.function, module: b.module } : null;
}

/** "func [mod]" for sentences, or a neutral phrase. */
export function blameName(b: Pick<Blame, 'function' | 'module'>, lang: 'en' | 'zh' = 'en'): string {
  if (!b.function) return b.module ? `[${b.module}]` : lang === 'en' ? 'the code on this stack' : '该调用栈上的代码';
  return b.module ? `${b.function} [${b.module}]` : b.function;
}

const PREEMPT_DISABLED_AT = /Preemption disabled at:|IRQs? disabled at:|atomic since:?/;

/**
 * What the kernel printed about who made the context atomic: "Preemption disabled at:" with its frame, or the
 * innermost lock of lockdep's held-lock list that makes the task atomic (a spinning lock, not a pseudo-lock).
 */
export function printedBlame(ctx: RuleContext, r: CrashReport, opts: { heldLocks?: 'atomic' | 'any' | 'none' } = {}): Blame | null {
  for (let no = r.startLine; no <= r.endLine && no < r.startLine + 400; no++) {
    const l = ctx.line(no);
    if (!l || !PREEMPT_DISABLED_AT.test(l.text)) continue;
    for (let k = no; k <= no + 2 && k <= r.endLine; k++) {
      const t = ctx.line(k)?.text ?? '';
      const after = k === no ? t.slice(t.search(PREEMPT_DISABLED_AT)) : t;
      const m = /\[<[0-9a-f]{1,16}>\]\s{0,4}([A-Za-z_.][\w.$]{0,200})\+0x([0-9a-f]{1,16})\/0x[0-9a-f]{1,16}(?: \[([\w-]{1,64})\])?|(?:^|\s)([A-Za-z_.][\w.$]{0,200})\+0x([0-9a-f]{1,16})\/0x[0-9a-f]{1,16}(?: \[([\w-]{1,64})\])?/.exec(after);
      if (!m) continue;
      const site = { function: m[1] ?? m[4], offset: Number.parseInt(m[2] ?? m[5], 16), module: m[3] ?? m[6] ?? null, line: k };
      const b = blameOfSite(site, 'printed');
      if (b) return b;
      break;
    }
  }
  const mode = opts.heldLocks ?? 'atomic';
  if (mode === 'none') return null;
  const lockdep = readLockdep(ctx, r);
  const held = (lockdep.heldLists[0]?.locks ?? []).filter((l) => l.at && !isPseudoLock(l) && (mode === 'any' || !isSleepingLock(l)));
  const last = held[held.length - 1];
  if (last?.at) return blameOfSite(last.at, 'printed');
  return null;
}
