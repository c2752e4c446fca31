// Builds the machine model from every stack the input shows: CPUs and their nested contexts, tasks, the locks they wait on and who holds them.

import type { Analysis } from '../analyze/analyze';
import type { CallTrace, Frame, StackSegment } from '../model/types';
import { CPU_DETECTORS, IPI_WAITERS, LOCK_DOMAINS } from '../knowledge/functions';
import { EFLAGS_IF, PSTATE_I, FIRST_ARGUMENT_REGISTER, LOCK_CALL_VARIANTS, LOCK_WAIT_PRIMITIVES, RCU_WAITS, SEQLOCK_READERS, SIGNAL_WAITS, type LockKind, type TakenWith } from '../knowledge/lock-waits';
import { matchesAny } from '../knowledge/contexts';
import { SCHED_POLICIES } from '../knowledge/task-states';
import { baseName, isRole, isTrackTrace } from '../rules/blame';
import { allStacks, type StackView } from '../rules/stacks';
import type { HeldLock, IpiWait, LockHolder, MachineContext, MachineCpu, MachineLock, MachineModel, MachineSystem, MachineTask, RcuBlocker, WaitCycle, WaitEdge } from './types';
import { readSources, type MachineSources } from './sources';
import type { CrashSlabObject } from '../crash';
import { lineAt } from '../analyze/analyze';
import { addRegisterPairs } from '../parse/registers';
import { parseFrame } from '../parse/frames';
import { ownerPrefix } from '../parse/literals';

/** Stacks read into the model; a paste of more tasks than this keeps the first ones. */
const MAX_STACKS = 20_000;
/** An instruction this close to a function's start is its prologue: the function has not taken anything yet. */
const PROLOGUE_BYTES = 0x10;
/** Innermost frames looked at for a spinning lock primitive, and for a sleeping one. */
const SPINNER_WINDOW = 4;
const SLEEPER_WINDOW = 8;
/** Frames after a lock primitive looked at for the code that wanted the lock. */
const TAKER_WINDOW = 3;

const NMI_PLUMBING = /^(?:crash_nmi_callback|ipi_cpu_crash_stop|do_handle_IPI|handle_IPI|ipi_handler|local_cpu_stop|crash_save_current_state|crash_save_cpu|try_crashdump|netdump_\w{1,24}|diskdump_\w{1,24}|nmi_handle|default_do_nmi|do_nmi|end_repeat_nmi|nmi_cpu_backtrace\w{0,16}|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace|exc_nmi|asm_exc_nmi|machine_kexec|__crash_kexec|crash_kexec|panic|nmi_panic)$/;
const IDLE = /^(?:cpuidle_enter_state|cpuidle_enter|cpuidle_idle_call|default_idle\w{0,16}|native_safe_halt|arch_cpu_idle|do_idle|cpu_startup_entry|intel_idle\w{0,16}|amd_e400_idle|acpi_idle_\w{1,32}|mwait_idle\w{0,16}|poll_idle)$/;

/** The function of an exception RIP as printed (`f+492`, `f+0x1ec/0x250`, `f+0x1ec/0x250 [mod]`). */
function ripFunction(rip: string): { fn: string; offset: number | null } {
  const m = /^([A-Za-z_.$][\w.$]{0,200})(?:\+(0x[0-9a-f]{1,16}|\d{1,10}))?/.exec(rip.trim());
  if (!m) return { fn: rip.trim(), offset: null };
  return { fn: baseName(m[1]), offset: m[2] === undefined ? null : Number(m[2]) };
}

function interruptsOf(regs: Record<string, string> | null): boolean | null {
  // arm64: PSTATE's I bit masks IRQs.
  const ps = regs?.PSTATE ?? null;
  if (ps !== null && /^[0-9a-f]{1,16}$/i.test(ps) && regs?.RFLAGS === undefined) return (Number.parseInt(ps.slice(-4), 16) & PSTATE_I) === 0;
  const v = regs ? regs.RFLAGS ?? regs.EFLAGS ?? null : null;
  if (v === null || !/^[0-9a-f]{1,16}$/i.test(v)) return null;
  return (Number.parseInt(v.slice(-4), 16) & EFLAGS_IF) !== 0;
}

/** The stack that stands for a task or CPU at the moment of the crash: a `crash` listing (the dump itself), else the latest one. */
function better(a: StackView, b: StackView): StackView {
  // Unwound whole first, then one crash did not warn about, then the dump's own listing, then the latest.
  const rank = (s: StackView): number => (complete(s.trace) ? 8 : 0) * 1e9 + (s.trace.suspect ? 0 : 4) * 1e9 + (s.trace.origin === 'crash-bt' ? 2 : 1) * 1e9 + s.trace.startLine;
  return rank(b) > rank(a) ? b : a;
}

/** Where a thread's stack starts: a stack that reaches one was unwound whole (crash stops early at what it takes for a bogus exception frame). */
const THREAD_START = /^(?:ret_from_fork\w{0,16}|kthread|entry_SYSCALL\w{0,32}|do_syscall_64|start_kernel|secondary_startup\w{0,24}|cpu_startup_entry|start_secondary|x86_64_start_\w{1,16}|rest_init|el0t?_\w{1,24}|ret_from_fork_asm|cpu_idle|system_call\w{0,16})$/;

function complete(t: CallTrace): boolean {
  const last = t.segments[t.segments.length - 1];
  const frames = last?.frames.filter((f) => f.reliable && f.function !== null) ?? [];
  return frames.slice(-3).some((f) => THREAD_START.test(baseName(f.function as string)));
}

/** A crash `bt` prints the interrupt entry frame on the interrupted stack before its exception RIP: that frame belongs to the interrupt. */
function foldEntryStubs(segments: readonly StackSegment[]): StackSegment[] {
  const out: StackSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const next = segments[i + 1];
    if (s.exceptionRip === null && s.frames.length <= 1 && next && next.exceptionRip !== null && next.context === s.context && out.length > 0) {
      const prev = out[out.length - 1];
      out[out.length - 1] = { ...prev, frames: [...prev.frames, ...s.frames], endLine: s.endLine };
      continue;
    }
    out.push(s);
  }
  return out;
}

function linesOf(s: StackSegment): number[] {
  const ls = new Set<number>([s.startLine, s.endLine, ...s.registerLines]);
  return [...ls].filter((n) => n > 0).sort((x, y) => x - y);
}

interface Wait {
  kind: LockKind | 'completion' | 'rcu';
  primitive: string;
  taker: Frame | null;
  address: string | null;
  domain: (typeof LOCK_DOMAINS)[number] | null;
  /** Lockdep's name of the lock, when the waiter's held-lock list gives it. */
  name: string | null;
  line: number;
}

/** Answers of primitiveOf by function name: a paste of thousands of stacks names few distinct functions. */
const primitiveMemo = new Map<string, (typeof LOCK_WAIT_PRIMITIVES)[number] | null>();

function primitiveOf(fn: string): (typeof LOCK_WAIT_PRIMITIVES)[number] | null {
  let p = primitiveMemo.get(fn);
  if (p !== undefined) return p;
  p = LOCK_WAIT_PRIMITIVES.find((x) => x.fn.test(fn)) ?? null;
  if (primitiveMemo.size >= 65_536) primitiveMemo.clear();
  primitiveMemo.set(fn, p);
  return p;
}

/** What a context waits for, when its innermost frames (or the instruction it was stopped at) are a lock slow path. */
function waitOf(c: MachineContext, arch: string | null): Wait | null {
  const reliable = c.frames.filter((f) => f.reliable && f.function !== null);
  const at = c.stoppedAt ? ripFunction(c.stoppedAt).fn : null;
  const atPrimitive = at !== null ? primitiveOf(at) : null;
  // A spinner is at the top of the stack; a sleeper lies below the scheduler and the wait helpers (schedule, io_schedule, bit_wait).
  // A sleeper counts only when the scheduler is on top: a lockdep or sanitizer report prints the stack of a task still acquiring.
  const asleep = sleepsInScheduler(reliable, c);
  let i = reliable.slice(0, SLEEPER_WINDOW).findIndex((f, k) => {
    const p = primitiveOf(baseName(f.function as string));
    return p !== null && (p.spins ? k < SPINNER_WINDOW : asleep);
  });
  if (i < 0 && !atPrimitive) return null;
  if (i < 0) i = -1;
  // The outermost consecutive primitive frame (queued_spin_lock_slowpath under _raw_spin_lock_irqsave).
  let last = i;
  while (last + 1 < reliable.length && primitiveOf(baseName(reliable[last + 1].function as string)) !== null) last++;
  const prim = i >= 0 ? (primitiveOf(baseName(reliable[i].function as string)) as (typeof LOCK_WAIT_PRIMITIVES)[number]) : (atPrimitive as (typeof LOCK_WAIT_PRIMITIVES)[number]);
  const outer = last >= 0 ? primitiveOf(baseName(reliable[last].function as string)) ?? prim : prim;
  const after = reliable.slice(last + 1, last + 1 + TAKER_WINDOW);
  const domain = LOCK_DOMAINS.find((d) => after.some((f) => d.takers.test(baseName(f.function as string)))) ?? null;
  const taker = (domain ? after.find((f) => domain.takers.test(baseName(f.function as string))) : null) ?? after[0] ?? null;
  // The first argument is the lock only while the instruction is in the slow path itself.
  const reg = FIRST_ARGUMENT_REGISTER[arch ?? 'x86_64'] ?? 'RDI';
  const address = atPrimitive && c.registers?.[reg] ? c.registers[reg].toLowerCase() : null;
  return {
    kind: outer.kind === 'spinlock' && prim.kind === 'rwlock' ? 'rwlock' : outer.kind,
    primitive: i >= 0 ? baseName(reliable[i].function as string) : (at as string),
    taker,
    address,
    domain,
    name: null,
    line: i >= 0 ? reliable[i].line : c.lines[0] ?? 0,
  };
}

/** A context stopped inside a seqlock reader's retry loop: it waits for the writer to leave (kept only when corroborated, below). */
function seqlockWaitOf(c: MachineContext): Wait | null {
  if (!c.stoppedAt) return null;
  const r = ripFunction(c.stoppedAt);
  const row = SEQLOCK_READERS.find((x) => x.fn.test(r.fn));
  if (!row || (r.offset !== null && r.offset < PROLOGUE_BYTES)) return null;
  const reliable = c.frames.filter((f) => f.reliable && f.function !== null);
  const taker = reliable.find((f) => baseName(f.function as string) !== r.fn && !row.fn.test(baseName(f.function as string))) ?? null;
  const domain = LOCK_DOMAINS.find((d) => d.lock === row.lock) ?? null;
  return { kind: 'seqlock', primitive: r.fn, taker, address: null, domain, name: row.lock, line: c.lines[0] ?? 0 };
}

/** What the stack of a task that went to sleep starts with. */
const SCHEDULER_TOP = /^(?:__schedule|schedule|__switch_to\w{0,16}|context_switch|finish_task_switch\w{0,16})$/;

/** The context sleeps: its innermost frame (or where it was stopped) is the scheduler. */
function sleepsInScheduler(reliable: readonly Frame[], c: MachineContext): boolean {
  const at = c.stoppedAt ? ripFunction(c.stoppedAt).fn : null;
  const top = reliable[0]?.function ? baseName(reliable[0].function) : null;
  return (at !== null && SCHEDULER_TOP.test(at)) || (top !== null && SCHEDULER_TOP.test(top));
}

/** Frames looked at for a wait on a completion, a work item or a grace period (below schedule, schedule_timeout...). */
const SIGNAL_WINDOW = 6;
const RCU_GRACE_PERIOD = 'RCU grace period';

/** Sleeps that end when another context acts: the "lock" is what it must do, and its holder that context. */
const SLEEP_WAITS: ReadonlyArray<{ fns: readonly RegExp[]; kind: 'rcu' | 'completion'; window: number; name: string | null }> = [
  // synchronize_rcu() sleeps in wait_for_completion(): the grace period is what it waits for.
  { fns: RCU_WAITS, kind: 'rcu', window: SIGNAL_WINDOW + 2, name: RCU_GRACE_PERIOD },
  { fns: SIGNAL_WAITS, kind: 'completion', window: SIGNAL_WINDOW, name: null },
];

/** A context asleep until another one acts: an RCU grace period (synchronize_rcu), a completion, a work item, a thread's exit. */
function sleepWaitOf(c: MachineContext): Wait | null {
  const reliable = c.frames.filter((f) => f.reliable && f.function !== null);
  if (!sleepsInScheduler(reliable, c)) return null;
  for (const w of SLEEP_WAITS) {
    const hit = (f: Frame): boolean => matchesAny(baseName(f.function as string), w.fns);
    let i = reliable.slice(0, w.window).findIndex(hit);
    if (i < 0) continue;
    while (i + 1 < reliable.length && hit(reliable[i + 1])) i++;
    return { kind: w.kind, primitive: baseName(reliable[i].function as string), taker: reliable[i + 1] ?? null, address: null, domain: null, name: w.name, line: reliable[i].line };
  }
  return null;
}

/** The answers of runningFunctions: each lock a table names asks it of every context. */
const runningMemo = new WeakMap<MachineContext, ReadonlyArray<{ fn: string; line: number }>>();

/** Functions of a context that run inside it: its reliable frames, and the instruction it was stopped at unless that is a prologue. */
function runningFunctions(c: MachineContext): ReadonlyArray<{ fn: string; line: number }> {
  const known = runningMemo.get(c);
  if (known) return known;
  const out = c.frames.filter((f) => f.reliable && f.function !== null).map((f) => ({ fn: baseName(f.function as string), line: f.line }));
  if (c.stoppedAt) {
    const r = ripFunction(c.stoppedAt);
    // A bare address (a user-space RIP) names no function.
    if (!/^0x/.test(r.fn) && (r.offset === null || r.offset >= PROLOGUE_BYTES)) out.unshift({ fn: r.fn, line: c.lines[0] ?? 0 });
  }
  runningMemo.set(c, out);
  return out;
}

/** Builds the model of the machine from the stacks of an analysed input, and what the console and crash say beside them. */
export function buildMachine(a: Analysis): MachineModel {
  const arch = a.kernel.arch;
  const src = readSources(a);
  // One stack per task (pid), or per CPU when the stack names no task.
  const chosen = new Map<string, StackView>();
  let n = 0;
  // A self-detected RCU stall prints the stalled CPU's own stack, even when the paste lost its `CPU:` line.
  const selfStall = src.rcu.filter((r) => r.self && r.cpu !== null);
  for (const found of allStacks(a)) {
    if (++n > MAX_STACKS) break;
    let s = found;
    if (s.cpu === null && s.pid === null && s.report !== null) {
      const r = a.reports[s.report];
      const self = selfStall.find((x) => x.line >= r.startLine && x.line <= r.endLine);
      if (self) s = { ...s, cpu: self.cpu };
    }
    if ((s.cpu === null && s.pid === null) || isTrackTrace(s.trace)) continue;
    const key = s.pid !== null && s.pid !== 0 ? `p${s.pid}` : `c${s.cpu}`;
    const had = chosen.get(key);
    chosen.set(key, had ? better(had, s) : s);
  }
  const contexts: MachineContext[] = [];
  const tasks = new Map<number, MachineTask>();
  const cpus = new Map<number, MachineCpu>();
  const onCpu = new Map<number, Array<{ s: StackView; ids: number[] }>>();
  const newTask = (pid: number, comm: string | null): MachineTask => ({ pid, comm, task: null, cpu: null, state: null, active: null, lastRun: null, work: null, locksHeld: [], exceptionFrames: [], waitQueues: [], openFiles: [], scheduling: null, contexts: [], lines: [] });
  for (const s of chosen.values()) {
    const ids = contextsOf(a, s.trace, s, contexts);
    if (s.pid !== null) {
      const t = tasks.get(s.pid) ?? newTask(s.pid, s.comm);
      t.task ??= taskAddress(s.trace);
      t.cpu ??= s.cpu;
      t.state ??= s.trace.task?.state ?? null;
      t.contexts = ids;
      t.lines = [s.trace.startLine];
      tasks.set(s.pid, t);
    }
    if (s.cpu !== null) {
      const list = onCpu.get(s.cpu);
      if (list) list.push({ s, ids });
      else onCpu.set(s.cpu, [{ s, ids }]);
    }
  }
  // The task on a CPU at the crash: the one ps marks active there, else one stopped there (not asleep in the scheduler), else the crash listing, else the latest.
  // ps marks the task running on each CPU with `>`; runq names each CPU's current task.
  const active = new Set([
    ...(src.crash?.tasks ?? []).filter((t) => t.active).map((t) => `${t.pid}:${t.cpu}`),
    ...(src.crash?.runq ?? []).filter((q) => q.current !== null).map((q) => `${q.current?.pid}:${q.cpu}`),
  ]);
  const asleep = (x: { s: StackView; ids: number[] }): boolean => {
    const inner = contexts[x.ids[x.ids.length - 1]];
    const top = inner?.frames.find((f) => f.reliable && f.function !== null);
    return top?.function ? /^(?:__schedule|schedule|__switch_to\w{0,16}|context_switch)$/.test(baseName(top.function)) && inner.stoppedAt === null : false;
  };
  for (const [cpu, list] of onCpu) {
    const rank = (x: { s: StackView; ids: number[] }): number =>
      (active.has(`${x.s.pid ?? 0}:${cpu}`) ? 8 : 0) + (asleep(x) ? 0 : 4) + (x.s.trace.origin === 'crash-bt' ? 2 : 0);
    // crash's CPU column of a sleeping task is the CPU it last ran on: that task is not on the CPU now.
    const candidates = list.filter((x) => active.has(`${x.s.pid ?? 0}:${cpu}`) || !(x.s.trace.origin === 'crash-bt' && asleep(x)));
    if (candidates.length === 0) continue;
    let best = candidates[0];
    for (const x of candidates) if (rank(x) >= rank(best)) best = x;
    cpus.set(cpu, { cpu, online: true, pid: best.s.pid, comm: best.s.comm, contexts: best.ids, doing: { en: '', zh: '' } });
  }
  // CPUs crash marks offline, and those the console took offline last: a stack of one is from before it went.
  const offline = new Map<number, number>((src.crash?.offlineCpus ?? []).map((c) => [c.cpu, c.line]));
  for (const [cpu, h] of src.hotplug) if (!h.online && !offline.has(cpu) && !cpus.has(cpu)) offline.set(cpu, h.line);
  for (const cpu of offline.keys()) {
    const had = cpus.get(cpu);
    if (had) had.online = false;
    else cpus.set(cpu, { cpu, online: false, pid: null, comm: null, contexts: [], doing: { en: 'offline', zh: '离线' } });
  }
  joinTasks(tasks, src, newTask);
  const current = new Set([...cpus.values()].flatMap((c) => c.contexts));
  const cpuContexts = new Map([...cpus.values()].map((c) => [c.cpu, c.contexts]));
  const locks = lockGraph(contexts, arch, src, tasks, current, cpuContexts, (no) => lineAt(a, no)?.text ?? null);
  const ipiWaits = ipiWaitsOf(contexts, [...cpus.values()], src);
  for (const c of cpus.values()) if (c.online !== false || c.contexts.length > 0) c.doing = doingOf(c, contexts, locks, ipiWaits);
  const waitsFor = edgesOf(contexts, locks);
  return {
    cpus: [...cpus.values()].sort((x, y) => x.cpu - y.cpu),
    tasks: [...tasks.values()].sort((x, y) => x.pid - y.pid),
    contexts,
    locks,
    ipiWaits,
    rcuBlockers: rcuBlockersOf(src, cpus, tasks, contexts, locks, ipiWaits),
    waitsFor,
    cycles: cyclesOf(contexts, waitsFor),
    system: systemOf(src),
    work: src.work,
    slab: slabOf(src),
    interrupts: src.crash?.irqStats ? { cpus: src.crash.irqStats.cpus, rows: src.crash.irqStats.rows.slice(0, 512) } : null,
    waitQueues: (src.crash?.waitQueues ?? []).slice(0, 256).map((q) => ({ queue: q.queue, address: q.address, pids: q.tasks.map((t) => t.pid).slice(0, 1024), empty: q.empty, lines: q.lines.slice(0, 64) })),
    netDevices: (src.crash?.netDevices ?? []).slice(0, 256),
    unreadable: unreadableOf(src),
  };
}

/** Caches kept in the model: the largest by memory, the rest stay in the crash session. */
const MAX_SLAB_CACHES = 64;
const MAX_SLAB_OBJECTS = 256;

/** The objects kept: the answers to `kmem ADDR` (short lists) before the objects of whole-cache listings, in input order. */
function slabObjectsKept(all: readonly CrashSlabObject[]): CrashSlabObject[] {
  const size = new Map<number, number>();
  for (const o of all) size.set(o.list, (size.get(o.list) ?? 0) + 1);
  const ranked = all.map((o, i) => ({ o, i, n: size.get(o.list) ?? 0 })).sort((x, y) => x.n - y.n || x.i - y.i);
  return ranked.slice(0, MAX_SLAB_OBJECTS).sort((x, y) => x.i - y.i).map((x) => x.o);
}

function slabOf(src: MachineSources): MachineModel['slab'] {
  const caches = (src.crash?.slabCaches ?? []).map((c) => ({ name: c.name, cache: c.cache, objSize: c.objSize, allocated: c.allocated, total: c.total, bytes: c.objSize * c.total, line: c.line }));
  const seen = new Set<string>();
  const unique = caches.filter((c) => !seen.has(c.cache) && (seen.add(c.cache), true));
  return {
    caches: unique.sort((x, y) => y.bytes - x.bytes).slice(0, MAX_SLAB_CACHES),
    objects: slabObjectsKept(src.crash?.slabObjects ?? []).map((o) => ({ address: o.address, cache: o.cache, objSize: o.objSize, allocated: o.allocated, line: o.line })),
  };
}

/** Tasks listed by ps without a stack of their own are kept when they matter: blocked (UN) or running at the dump (`>`). */
const MAX_LISTED_TASKS = 512;

/** What ps, hung-task reports and lockdep's held-lock lists add to the tasks. */
function joinTasks(tasks: Map<number, MachineTask>, src: MachineSources, newTask: (pid: number, comm: string | null) => MachineTask): void {
  let listed = 0;
  for (const p of src.crash?.tasks ?? []) {
    let t = tasks.get(p.pid);
    if (!t) {
      if (!(p.state === 'UN' || p.active) || listed >= MAX_LISTED_TASKS || p.pid === 0) continue;
      listed++;
      t = newTask(p.pid, p.comm);
      tasks.set(p.pid, t);
    }
    t.task ??= p.task;
    t.cpu ??= p.cpu;
    t.state = p.state ?? t.state;
    t.active = p.active;
    t.lastRun = p.lastRun?.text ?? t.lastRun;
    t.lines = [...new Set([...t.lines, ...p.lines])].sort((x, y) => x - y);
  }
  for (const b of src.blocked) {
    const t = tasks.get(b.pid);
    if (t) {
      t.state ??= 'UN';
      if (!t.lines.includes(b.line)) t.lines.push(b.line);
    }
  }
  for (const w of src.work) {
    const t = w.pid !== null ? tasks.get(w.pid) : undefined;
    if (t && w.state === 'in-flight') t.work = w.module ? `${w.function} [${w.module}]` : w.function;
  }
  // What crash said of single tasks it was asked about: bt -e, files, waitq.
  const asked = (pid: number, comm: string | null): MachineTask | null => tasks.get(pid) ?? (tasks.size < MAX_STACKS ? (tasks.set(pid, newTask(pid, comm)), tasks.get(pid) ?? null) : null);
  for (const f of src.crash?.exceptionFrames ?? []) {
    const t = f.pid !== null ? asked(f.pid, null) : null;
    if (t && t.exceptionFrames.length < 16) t.exceptionFrames.push({ mode: f.mode, at: f.at, rip: f.rip, interruptsEnabled: f.interruptsEnabled, lines: f.lines });
  }
  for (const o of src.crash?.openFiles ?? []) {
    const t = o.pid !== null ? asked(o.pid, o.comm) : null;
    if (!t) continue;
    for (const x of o.files) if (t.openFiles.length < 256) t.openFiles.push({ fd: x.fd, type: x.type, path: x.path, line: x.line });
  }
  for (const f of src.crash?.taskFields ?? []) {
    const policy = f.fields.policy !== undefined ? SCHED_POLICIES[f.fields.policy] ?? `policy ${f.fields.policy}` : null;
    const t = policy ? asked(f.pid, null) : null;
    if (t && policy) t.scheduling = { policy, rtPriority: /^\d{1,3}$/.test(f.fields.rt_priority ?? '') ? Number(f.fields.rt_priority) : null, lines: f.lines };
  }
  for (const q of src.crash?.waitQueues ?? []) {
    for (const w of q.tasks) {
      const t = tasks.get(w.pid);
      if (t && !t.waitQueues.includes(q.queue) && t.waitQueues.length < 16) t.waitQueues.push(q.queue);
    }
  }
  for (const l of src.heldLists) {
    if (l.pid === null) continue;
    const t = tasks.get(l.pid);
    if (!t) continue;
    t.locksHeld = l.locks.map((x): HeldLock => ({ name: x.name, address: x.address?.toLowerCase() ?? null, at: x.at ? baseName(x.at.function) : null, atModule: x.at?.module ?? null, line: x.line }));
  }
}

function unreadableOf(src: MachineSources): MachineModel['unreadable'] {
  const by = new Map<string, { address: string; by: string[]; lines: number[] }>();
  for (const f of src.crash?.addresses ?? []) {
    if (f.readable || f.excluded) continue;
    const e = by.get(f.address) ?? { address: f.address, by: [], lines: [] };
    if (!e.by.includes(f.by)) e.by.push(f.by);
    if (e.lines.length < 8) e.lines.push(f.line);
    by.set(f.address, e);
  }
  return [...by.values()];
}

function systemOf(src: MachineSources): MachineSystem | null {
  const s = src.crash?.sys;
  if (!s) return null;
  return { cpus: s.cpus, offlineCpus: s.offlineCpus, release: s.release, panic: s.panic, panicPid: s.pid, panicCpu: s.cpu, panicTask: s.task, dumpfile: s.dumpfile, partialDump: s.partialDump, lines: s.lines };
}

function taskAddress(t: CallTrace): string | null {
  return /TASK: {1,4}([0-9a-f]{8,16})/.exec(t.label ?? '')?.[1] ?? null;
}

/** Lines looked back from a console trace for the register dump printed before it. */
const REGISTER_REACH = 40;
const CONSOLE_RIP = /^ {0,8}(?:RIP: (00[0-9a-f]{2}):|pc ?: )(.{1,300})$/;
const BEFORE_REGISTERS = /^(?:CPU: {0,2}\d|task:|Call [Tt]race:|NMI backtrace for cpu|\s{0,4}<\/?(?:TASK|IRQ|NMI|SOFTIRQ)>)/;

/**
 * Where a console trace's innermost context was stopped: the `RIP:` and registers printed between
 * the task line and `Call Trace:` (an oops, an NMI backtrace, a soft lockup), when kernel-mode.
 */
function precedingStop(a: Analysis, t: CallTrace): { rip: string; registers: Record<string, string>; lines: number[] } | null {
  // A crash listing prints its exception frames inside the listing; a console or pasted one prints them before.
  if (t.origin === 'crash-bt') return null;
  const registers: Record<string, string> = {};
  let rip: string | null = null;
  const lines: number[] = [];
  for (let no = t.startLine - 1; no >= Math.max(1, t.startLine - REGISTER_REACH); no--) {
    const l = lineAt(a, no);
    if (!l || l.text.length > 512) break;
    const text = l.text;
    const m = CONSOLE_RIP.exec(text);
    if (m) {
      // A user-mode RIP is where the task entered the kernel, not where it was stopped in it.
      if (m[1] !== undefined && m[1] !== '0010') return null;
      rip = m[2].trim();
      lines.push(no);
      break;
    }
    if (BEFORE_REGISTERS.test(text) || parseFrame(text, no)) break;
    if (addRegisterPairs(registers, text) > 0) lines.push(no);
  }
  return rip ? { rip, registers, lines: lines.sort((x, y) => x - y) } : null;
}

/** A segment that is only the user-mode registers a syscall or fault entered the kernel with (`RIP: 0033:0x47fbe9`): no kernel context. */
function userModeStop(g: StackSegment): boolean {
  const cs = g.registers?.CS;
  if (cs !== undefined) return /^0{0,2}(?:33|23|2b|73)$/.test(cs);
  const m = /^(?:0x)?([0-9a-f]{1,16})$/.exec(g.exceptionRip ?? '');
  return m !== null && (m[1].length < 16 || !/^f/.test(m[1]));
}

/** Reads a stack's segments into contexts (ids returned outermost first) and links each to the one that interrupted it. */
function contextsOf(a: Analysis, t: CallTrace, s: StackView, into: MachineContext[]): number[] {
  const segs = foldEntryStubs(t.segments).filter((g) => g.frames.length > 0 || (g.exceptionRip !== null && !userModeStop(g)));
  const stop = segs.length > 0 && segs[0].exceptionRip === null && segs[0].registers === null ? precedingStop(a, t) : null;
  if (stop) segs[0] = { ...segs[0], exceptionRip: stop.rip, registers: stop.registers, registerLines: [...segs[0].registerLines, ...stop.lines] };
  const ids: number[] = [];
  let inner: number | null = null;
  for (const g of segs) {
    const id = into.length;
    into.push({
      id,
      cpu: s.cpu,
      pid: s.pid,
      comm: s.comm,
      report: s.report,
      kind: g.context,
      frames: g.frames,
      stoppedAt: g.exceptionRip,
      registers: g.registers,
      interruptsEnabled: interruptsOf(g.registers),
      interruptedBy: inner,
      lines: linesOf(g),
    });
    ids.push(id);
    inner = id;
  }
  return ids.reverse();
}

/** Same owner: the same module, or for built-in code the same subsystem prefix (`bfq_`, `blk_mq_`). */
export function sameOwner(a: Frame, b: Frame): boolean {
  if (a.module || b.module) return a.module === b.module;
  const p = ownerPrefix(a.function);
  return p !== null && p === ownerPrefix(b.function);
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

function stackKey(c: MachineContext): string {
  return `${c.pid}:${c.cpu}`;
}

function sameStack(x: MachineContext, y: MachineContext): boolean {
  return x.pid === y.pid && x.cpu === y.cpu;
}

/** A hex address as printed (`0xffff...`, `ffff...`), lower case without 0x, or null. */
function hexAddress(text: string | null): string | null {
  const m = /^(?:0x)?([0-9a-f]{8,16})$/i.exec(text?.trim() ?? '');
  return m ? m[1].toLowerCase() : null;
}

/** The context of a task that holds a lock taken in `at`: the one whose frames include it, else its outermost. */
function holdingContext(contexts: readonly MachineContext[], tasks: ReadonlyMap<number, MachineTask>, pid: number, at: string | null): MachineContext | null {
  const ids = tasks.get(pid)?.contexts ?? [];
  if (ids.length === 0) return null;
  const own = ids.map((id) => contexts[id]);
  return (at ? own.find((c) => c.frames.some((f) => f.function !== null && baseName(f.function) === at)) : undefined) ?? own[0];
}

/** The first frame of a context outside lock primitives and the reporting machinery: the code it runs. */
function ownCode(c: MachineContext): Frame | null {
  return (
    c.frames.find((f) => f.reliable && f.function !== null && primitiveOf(baseName(f.function)) === null && !matchesAny(baseName(f.function), SIGNAL_WAITS) && !NMI_PLUMBING.test(baseName(f.function)) && !isRole(baseName(f.function), 'reporting', 'primitive') && !/^(?:__schedule|schedule\w{0,24}|io_schedule\w{0,16})$/.test(baseName(f.function))) ?? null
  );
}

/** Where a task was preempted or blocked: its first frame below the scheduler, the preemption and interrupt entry path, and the primitives (delay loops) it was in. */
function preemptedIn(c: MachineContext): Frame | null {
  return (
    c.frames.find((f) => {
      if (!f.reliable || f.function === null) return false;
      const fn = baseName(f.function);
      return !/^(?:__schedule|schedule\w{0,24}|preempt_schedule\w{0,24}|io_schedule\w{0,16}|irqentry_exit\w{0,16})$/.test(fn) && !isRole(fn, 'reporting', 'primitive', 'entry') && !NMI_PLUMBING.test(fn);
    }) ?? null
  );
}

/**
 * Of the frames of the lock's owner on a holder's stack (innermost first), the one that took the lock:
 * the one whose `dis` crash printed calls a lock function, else the innermost, which runs inside the
 * critical section (its callers may only have called it).
 */
function lockTakingFrame(owned: readonly Frame[], src: MachineSources): Frame | null {
  const byDis = owned.find((f) => (src.disCalls.get(baseName(f.function as string)) ?? []).some((c) => LOCK_CALL_VARIANTS.some((v) => v.fn.test(c.callee))));
  return byDis ?? owned[0] ?? null;
}

/** Locks only one context holds at a time (readers share an rwsem or rwlock). */
const EXCLUSIVE: ReadonlySet<MachineLock['kind']> = new Set(['spinlock', 'mutex', 'bitlock']);
/** Evidence of a holder, strongest first: each tier outranks the ones after it. */
const HOLD_TIERS: ReadonlyArray<readonly LockHolder['evidence'][number][]> = [['owner-field', 'lockdep-held'], ['holder-function', 'same-address'], ['same-owner', 'stack-word']];

/** Which evidence names the function that took the lock best, best first. */
const FUNCTION_EVIDENCE: readonly string[] = ['holder-function', 'lockdep-held', 'same-owner', 'same-address', 'owner-field', 'stack-word'];

/** How a holder took its lock: the lock-domain table, else the lock calls crash's `dis` printed of the holder function (all of one variant). */
function takenWith(h: LockHolder, domain: (typeof LOCK_DOMAINS)[number] | null, src: MachineSources): { with: TakenWith | null; lines: number[] } {
  if (domain && h.evidence.includes('holder-function') && domain.heldWith) return { with: domain.heldWith, lines: [] };
  const calls = h.function ? src.disCalls.get(h.function) ?? [] : [];
  const variants = calls.map((c) => ({ v: LOCK_CALL_VARIANTS.find((x) => x.fn.test(c.callee))?.with ?? null, line: c.line })).filter((x): x is { v: TakenWith; line: number } => x.v !== null);
  const kinds = [...new Set(variants.map((x) => x.v))];
  return kinds.length === 1 ? { with: kinds[0], lines: variants.map((x) => x.line) } : { with: null, lines: [] };
}

function lockGraph(
  contexts: readonly MachineContext[],
  arch: string | null,
  src: MachineSources,
  tasks: ReadonlyMap<number, MachineTask>,
  current: ReadonlySet<number>,
  cpuContexts: ReadonlyMap<number, readonly number[]>,
  textOf: (no: number) => string | null,
): MachineLock[] {
  const byKey = new Map<string, MachineLock>();
  const waits = new Map<number, Wait>();
  const takers = new Map<number, Frame>();
  const values = new Map<string, NonNullable<MachineSources['crash']>['locks'][number]>();
  for (const v of src.crash?.locks ?? []) {
    const addr = hexAddress(v.expression);
    if (addr && v.path === '' && !values.has(addr)) values.set(addr, v);
  }
  const words = new Map<number, Set<string>>();
  const wordsOfFrame = new Map<string, Set<string>>();
  // The stack each task's bt -f words were printed from: [lowest, highest] slot address.
  const stackRange = new Map<number, [bigint, bigint]>();
  for (const w of src.crash?.stackWords ?? []) {
    if (w.pid === null) continue;
    const all = words.get(w.pid) ?? new Set<string>();
    const own = wordsOfFrame.get(`${w.pid}:${baseName(w.function)}`) ?? new Set<string>();
    for (const x of w.words) {
      const v = x.value.toLowerCase();
      all.add(v);
      own.add(v);
      const at = /^[0-9a-f]{1,16}$/i.test(x.address) ? BigInt(`0x${x.address}`) : null;
      if (at !== null) {
        const r = stackRange.get(w.pid);
        stackRange.set(w.pid, r ? [at < r[0] ? at : r[0], at > r[1] ? at : r[1]] : [at, at]);
      }
    }
    words.set(w.pid, all);
    wordsOfFrame.set(`${w.pid}:${baseName(w.function)}`, own);
  }
  // A sleeping lock's wait_list entries live on the stacks of the tasks that wait for it.
  const waitsByList = new Map<number, string>();
  for (const [addr, v] of values) {
    for (const p of [v.waitList?.next, v.waitList?.prev]) {
      if (!p) continue;
      const at = BigInt(`0x${p}`);
      for (const [pid, [lo, hi]] of stackRange) if (at >= lo && at <= hi && !waitsByList.has(pid)) waitsByList.set(pid, addr);
    }
  }
  // A CPU sampled in a seqlock reader is waiting only when another one is too, or a writer is seen running.
  const seqWaits = new Map<number, Wait>();
  // Each context's lock or sleep wait, found once: the loops below ask for it again.
  const plainWaits = new Map<number, Wait>();
  for (const c of contexts) {
    const plain = waitOf(c, arch) ?? sleepWaitOf(c);
    if (plain) plainWaits.set(c.id, plain);
    const w = plain ? null : seqlockWaitOf(c);
    if (w) seqWaits.set(c.id, w);
  }
  // Once per seqlock (its name fixes its domain), not per reader: a paste may hold thousands of readers.
  const readersOf = new Map<string, Wait[]>();
  for (const w of seqWaits.values()) {
    const list = readersOf.get(w.name as string);
    if (list) list.push(w);
    else readersOf.set(w.name as string, [w]);
  }
  const corroborated = new Set<string>();
  for (const [name, readers] of readersOf) {
    const domain = readers[0].domain;
    const writer = domain !== null && contexts.some((c) => !seqWaits.has(c.id) && runningFunctions(c).some((f) => domain.holders.test(f.fn)));
    if (readers.length >= 2 || writer) corroborated.add(name);
  }
  for (const c of contexts) {
    const seq = seqWaits.get(c.id);
    const w = seq ? (corroborated.has(seq.name as string) ? seq : null) : plainWaits.get(c.id) ?? null;
    if (!w) continue;
    if (w.kind !== 'completion' && w.kind !== 'rcu' && w.kind !== 'seqlock' && c.pid !== null) {
      // Lockdep lists the lock a task is acquiring as its last held lock, taken in the function that waits.
      const held = tasks.get(c.pid)?.locksHeld ?? [];
      const last = held[held.length - 1];
      const takerFn = w.taker?.function ? baseName(w.taker.function) : null;
      if (w.address) w.name = held.find((h) => h.address === w.address)?.name ?? null;
      else if (last && (takerFn === null || last.at === takerFn)) {
        w.address = last.address;
        w.name = last.name;
      }
      // A lock crash printed (`struct mutex ADDR`) whose wait list points into this task's stack.
      if (!w.address) w.address = waitsByList.get(c.pid) ?? null;
      // Else the one printed lock whose address is among the words of the waiting frames.
      if (!w.address) {
        const frames = c.frames.filter((f) => f.function !== null).map((f) => baseName(f.function as string));
        const found = [...values.keys()].filter((addr) => frames.some((fn) => wordsOfFrame.get(`${c.pid}:${fn}`)?.has(addr) && (primitiveOf(fn) !== null || fn === takerFn)));
        if (found.length === 1) w.address = found[0];
      }
    }
    // The lock is the same one when the address is; without an address, the one a knowledge table names.
    const key = w.kind === 'rcu' ? 'rcu' : w.address ?? (w.domain ? `name:${w.domain.lock}` : w.name ? `lockdep:${w.name}` : `ctx:${c.id}`);
    const value = w.address ? values.get(w.address) ?? null : null;
    const lock: MachineLock = byKey.get(key) ?? {
      address: w.address,
      kind: w.kind,
      name: w.name ?? w.domain?.lock ?? null,
      waiters: [],
      holders: [],
      value: value ? { raw: value.raw, owner: value.owner?.address ?? null, lines: value.lines } : null,
    };
    lock.name ??= w.name ?? w.domain?.lock ?? (w.address ? src.names.get(w.address) ?? null : null);
    lock.waiters.push({ context: c.id, primitive: w.primitive, taker: w.taker?.function ? baseName(w.taker.function) : null, takerModule: w.taker?.module ?? null, lines: [w.line, ...(w.taker ? [w.taker.line] : [])] });
    byKey.set(key, lock);
    waits.set(c.id, w);
    if (w.taker) takers.set(c.id, w.taker);
  }
  // Indexes, so that each lock looks only at the contexts and tasks that can hold it.
  const byRegister = new Map<string, MachineContext[]>();
  const byStack = new Map<string, MachineContext[]>();
  for (const c of contexts) {
    pushTo(byStack, stackKey(c), c);
    for (const v of new Set(Object.values(c.registers ?? {}).map((x) => x.toLowerCase()))) pushTo(byRegister, v, c);
  }
  const heldBy = new Map<string, number[]>();
  const taskByAddress = new Map<string, number[]>();
  for (const t of tasks.values()) {
    for (const h of t.locksHeld) for (const k of [h.address, `name:${h.name}`]) if (k !== null) pushTo(heldBy, k, t.pid);
    if (t.task !== null) taskByAddress.set(t.task.replace(/^0+/, ''), [t.pid]);
  }
  const wordPids = new Map<string, number[]>();
  for (const [pid, ws] of words) for (const w of ws) if (/^[0-9a-f]{8,16}$/.test(w)) pushTo(wordPids, w, pid);
  // Contexts stuck in a wait, and the innermost contexts of what runs on each CPU now (stopped there, not asleep).
  const stuck = contexts.filter((c) => waits.has(c.id));
  const running = contexts.filter((c) => current.has(c.id) && c.cpu !== null && c.interruptedBy === null && !waits.has(c.id));
  for (const lock of byKey.values()) {
    const waiterIds = new Set(lock.waiters.map((w) => w.context));
    const waiterStacks = lock.waiters.map((w) => contexts[w.context]);
    const domain = LOCK_DOMAINS.find((d) => d.lock === lock.name) ?? null;
    const add = (c: MachineContext, evidence: LockHolder['evidence'][number], fn: string | null, line: number): void => {
      const had = lock.holders.find((h) => h.context === c.id);
      if (had) {
        if (!had.evidence.includes(evidence)) had.evidence.push(evidence);
        // The function that took the lock: a table's holder function, else the outermost code of the taker's owner, else the first one found.
        if (fn !== null && (had.function === null || FUNCTION_EVIDENCE.indexOf(evidence) < Math.min(...had.evidence.filter((e) => e !== evidence).map((e) => FUNCTION_EVIDENCE.indexOf(e))))) had.function = fn;
        if (!had.lines.includes(line)) had.lines = [...had.lines, line];
        return;
      }
      const sameCpuAs = lock.waiters.filter((w) => contexts[w.context].cpu !== null && contexts[w.context].cpu === c.cpu).map((w) => w.context);
      // The line that shows the evidence first, then the context's own lines.
      lock.holders.push({ context: c.id, function: fn, module: null, evidence: [evidence], sameCpuAs, takenWith: null, takenWithLines: [], lines: [...new Set([line, ...c.lines])] });
    };
    // Only these can hold it: contexts whose registers hold its address, those a table may name, and those on a waiter's stack.
    // A lock a table names may be held by any context: all of them, already in id order.
    let candidates: readonly MachineContext[] = contexts;
    if (!domain) {
      const some = new Set<MachineContext>(lock.address ? byRegister.get(lock.address) ?? [] : []);
      for (const x of waiterStacks) for (const c of byStack.get(stackKey(x)) ?? []) some.add(c);
      candidates = [...some].sort((x, y) => x.id - y.id);
    }
    for (const c of candidates) {
      if (waiterIds.has(c.id)) continue;
      const interruptedWaiter = lock.waiters.find((w) => sameStack(contexts[w.context], c) && c.id > w.context);
      // A context the waiter itself interrupted, or one on another stack; never one that came in on top of the waiter.
      if (!interruptedWaiter && waiterStacks.some((x) => sameStack(x, c))) continue;
      if (lock.address && c.registers && Object.values(c.registers).some((v) => v.toLowerCase() === lock.address)) {
        const own = ownCode(c);
        const address = lock.address;
        const at = c.lines.find((no) => textOf(no)?.toLowerCase().includes(address)) ?? own?.line ?? c.lines[0] ?? 0;
        add(c, 'same-address', own?.function ? baseName(own.function) : c.stoppedAt ? ripFunction(c.stoppedAt).fn : null, at);
      }
      if (domain) {
        const hit = runningFunctions(c).find((f) => domain.holders.test(f.fn));
        if (hit) add(c, 'holder-function', hit.fn, hit.line);
      }
      // Code of the taker's owner is evidence only on the waiter's own stack (the context it interrupted).
      const takerFrame = interruptedWaiter ? takers.get(interruptedWaiter.context) ?? null : null;
      if (takerFrame) {
        // The code of the taker's owner that took the lock before it was interrupted.
        const owned = c.frames.filter((f) => f.reliable && f.function !== null && sameOwner(f, takerFrame));
        const taker = lockTakingFrame(owned, src);
        if (taker) add(c, 'same-owner', baseName(taker.function as string), taker.line);
      }
    }
    // What tasks say of themselves: lockdep's held locks, the owner field, the stack words.
    const said = new Set<number>([
      ...(lock.address !== null ? heldBy.get(lock.address) ?? [] : lock.name !== null ? heldBy.get(`name:${lock.name}`) ?? [] : []),
      ...(lock.value?.owner ? taskByAddress.get(lock.value.owner.replace(/^0+/, '')) ?? [] : []),
      ...(lock.address ? wordPids.get(lock.address) ?? [] : []),
    ]);
    for (const pid of [...said].sort((x, y) => x - y)) {
      const t = tasks.get(pid);
      if (!t || waiterStacks.some((x) => x.pid === t.pid && t.pid !== 0)) continue;
      const held = t.locksHeld.find((h) => (lock.address !== null ? h.address === lock.address : lock.name !== null && h.name === lock.name));
      if (held) {
        const c = holdingContext(contexts, tasks, t.pid, held.at);
        if (c) add(c, 'lockdep-held', held.at, held.line);
      }
      if (lock.value?.owner && t.task !== null && t.task.replace(/^0+/, '') === lock.value.owner.replace(/^0+/, '')) {
        const c = holdingContext(contexts, tasks, t.pid, null);
        // The line of the owner word itself, within the printed value.
        const raw = lock.value.raw;
        const ownerLine = lock.value.lines.find((no) => textOf(no)?.includes(raw)) ?? lock.value.lines[0] ?? c?.lines[0] ?? 0;
        if (c) add(c, 'owner-field', ownCode(c)?.function ? baseName(ownCode(c)?.function as string) : null, ownerLine);
      }
      if (lock.address && words.get(t.pid)?.has(lock.address)) {
        const c = holdingContext(contexts, tasks, t.pid, null);
        if (c) add(c, 'stack-word', ownCode(c)?.function ? baseName(ownCode(c)?.function as string) : null, c.lines[0] ?? 0);
      }
    }
    // A holder on a waiter's own stack (it was interrupted by the waiter) is certain; any other is a candidate only without one.
    const own = lock.holders.filter((h) => lock.waiters.some((w) => sameStack(contexts[w.context], contexts[h.context]) && h.context > w.context));
    if (own.length > 0) lock.holders = own;
    // An exclusive lock has one holder: what names it (its owner field, lockdep) outranks a word that only equals its address
    // (a pointer to the structure the lock is the first member of is the same number).
    if (EXCLUSIVE.has(lock.kind)) {
      for (const tier of HOLD_TIERS) {
        const best = lock.holders.filter((h) => h.evidence.some((e) => tier.includes(e)));
        if (best.length > 0) {
          lock.holders = best;
          break;
        }
      }
    }
    for (const h of lock.holders) {
      const tw = takenWith(h, domain, src);
      h.takenWith = tw.with;
      h.takenWithLines = tw.lines;
    }
    if (lock.holders.length > 0) continue;
    const takerFrames = lock.waiters.map((w) => takers.get(w.context)).filter((f): f is Frame => f !== undefined && f.module !== null);
    if (lock.kind === 'rcu') {
      // What the stall report says holds the grace period up: a CPU (what runs there now), a task blocked on an rcu_node.
      for (const r of src.rcu) {
        const ids = r.cpu !== null ? cpuContexts.get(r.cpu) ?? [] : r.pid !== null ? tasks.get(r.pid)?.contexts ?? [] : [];
        const c = r.cpu !== null ? innermostOf(ids, contexts) : ids.length > 0 ? contexts[ids[0]] : null;
        if (!c || lock.waiters.some((w) => sameStack(contexts[w.context], c))) continue;
        add(c, 'rcu-stall', ownCode(c)?.function ? baseName(ownCode(c)?.function as string) : null, r.line);
      }
      continue;
    }
    if (lock.kind === 'completion') {
      // Who must signal: another stack in code of the waiter's module that is itself stuck (waiting) or running on a CPU.
      for (const c of [...stuck, ...running]) {
        if (waiterStacks.some((x) => sameStack(x, c)) || c.interruptedBy !== null) continue;
        const owned = c.frames.filter((f) => f.reliable && f.function !== null && takerFrames.some((t) => sameOwner(f, t)));
        if (owned.length === 0) continue;
        add(c, 'same-owner', baseName(owned[0].function as string), owned[0].line);
      }
      continue;
    }
    // Without a table or an address: another CPU running (not waiting) in code of the taker's owner, the innermost context of its stack.
    for (const c of running) {
      if (waits.has(c.id) || lock.waiters.some((w) => contexts[w.context].cpu === c.cpu)) continue;
      const owned = c.frames.filter((f) => f.reliable && f.function !== null && takerFrames.some((t) => sameOwner(f, t)));
      const taker = lockTakingFrame(owned, src);
      if (taker) add(c, 'same-owner', baseName(taker.function as string), taker.line);
    }
  }
  for (const lock of byKey.values()) {
    for (const h of lock.holders) h.module = h.function ? contexts[h.context].frames.find((f) => f.function !== null && baseName(f.function) === h.function)?.module ?? null : null;
  }
  return [...byKey.values()];
}

/** Waits-for edges between different stacks: a waiter, the lock, a holder. */
export function edgesOf(contexts: readonly MachineContext[], locks: readonly MachineLock[]): WaitEdge[] {
  const out: WaitEdge[] = [];
  locks.forEach((l, i) => {
    for (const w of l.waiters) for (const h of l.holders) if (!sameStack(contexts[w.context], contexts[h.context])) out.push({ waiter: w.context, lock: i, holder: h.context });
  });
  return out;
}

/** Cycles in the wait-for graph of stacks: each stack waits for one the next holds, and the last for the first. */
const MAX_CYCLES = 16;
const MAX_CYCLE_LENGTH = 8;

export function cyclesOf(contexts: readonly MachineContext[], edges: readonly WaitEdge[]): WaitCycle[] {
  const key = (id: number): string => `${contexts[id].pid}:${contexts[id].cpu}`;
  const out = new Map<string, WaitCycle>();
  const from = new Map<string, WaitEdge[]>();
  for (const e of edges) {
    const k = key(e.waiter);
    const list = from.get(k);
    if (list) list.push(e);
    else from.set(k, [e]);
  }
  let steps = 0;
  const walk = (start: string, at: string, path: WaitEdge[], seen: Set<string>): void => {
    if (out.size >= MAX_CYCLES || ++steps > 100_000) return;
    for (const e of from.get(at) ?? []) {
      const next = key(e.holder);
      if (next === start) {
        // One ring, whichever edge it is entered by.
        const ring = [...path, e];
        const id = ring.map((x) => `${key(x.waiter)}>${x.lock}`).sort().join('|');
        if (!out.has(id)) out.set(id, { edges: ring });
      } else if (!seen.has(next) && path.length + 1 < MAX_CYCLE_LENGTH) {
        seen.add(next);
        walk(start, next, [...path, e], seen);
        seen.delete(next);
      }
    }
  };
  for (const k of from.keys()) walk(k, k, [], new Set([k]));
  return [...out.values()];
}

/** The innermost context of a CPU's stack (ids outermost first) that runs code of its own: not the NMI or watchdog that reported it. */
function innermostOf(ids: readonly number[], contexts: readonly MachineContext[]): MachineContext | null {
  return innermostWorking({ cpu: -1, online: null, pid: null, comm: null, contexts: [...ids], doing: { en: '', zh: '' } }, contexts);
}

/** The innermost context of a CPU that runs code of its own: not the NMI or watchdog that only reported the CPU. */
export function innermostWorking(cpu: MachineCpu, contexts: readonly MachineContext[]): MachineContext | null {
  // contexts are outermost first; the NMI that printed the stack (or took the dump) is not what the CPU was doing.
  for (let i = cpu.contexts.length - 1; i >= 0; i--) {
    const c = contexts[cpu.contexts[i]];
    const own = c.frames.filter((f) => f.reliable && f.function !== null && !NMI_PLUMBING.test(baseName(f.function)));
    if (c.kind === 'nmi' && own.length === 0) continue;
    if (own.length === 0 && c.stoppedAt === null) continue;
    // A watchdog that interrupted the CPU to report it: the CPU was doing what the context below does.
    if (i > 0 && c.frames.some((f) => f.reliable && f.function !== null && matchesAny(baseName(f.function), CPU_DETECTORS))) continue;
    return c;
  }
  return null;
}

function ipiWaitsOf(contexts: readonly MachineContext[], cpus: readonly MachineCpu[], src: MachineSources): IpiWait[] {
  const out: IpiWait[] = [];
  for (const cpu of cpus) {
    const c = innermostWorking(cpu, contexts);
    if (!c) continue;
    const at = c.stoppedAt ? ripFunction(c.stoppedAt).fn : null;
    const fn = at !== null && matchesAny(at, IPI_WAITERS) ? at : c.frames.slice(0, 3).find((f) => f.reliable && f.function && matchesAny(baseName(f.function), IPI_WAITERS))?.function ?? null;
    if (!fn) continue;
    // The kernel names the CPU that does not answer when csd lock debugging is on.
    const named = [...new Set(src.csd.filter((x) => x.cpu === cpu.cpu).map((x) => x.target))];
    // Otherwise the CPUs that cannot answer: those stuck in a context with interrupts disabled.
    const blockedBy =
      named.length > 0
        ? named
        : cpus
            .filter((o) => o.cpu !== cpu.cpu)
            .filter((o) => {
              const w = innermostWorking(o, contexts);
              return w !== null && w.interruptsEnabled === false;
            })
            .map((o) => o.cpu);
    const csdLines = src.csd.filter((x) => x.cpu === cpu.cpu).map((x) => x.line);
    out.push({ cpu: cpu.cpu, context: c.id, function: baseName(fn), blockedBy, named: named.length > 0, lines: [...c.lines, ...csdLines.slice(0, 4)] });
  }
  return out;
}

/** What holds up the RCU grace period, as the stall report names it, with what each CPU or task was doing. */
function rcuBlockersOf(
  src: MachineSources,
  cpus: ReadonlyMap<number, MachineCpu>,
  tasks: ReadonlyMap<number, MachineTask>,
  contexts: readonly MachineContext[],
  locks: readonly MachineLock[],
  ipis: readonly IpiWait[],
): RcuBlocker[] {
  const out = new Map<string, RcuBlocker>();
  for (const r of src.rcu) {
    const key = `${r.kind}:${r.cpu}:${r.pid}`;
    const had = out.get(key);
    // A stall that lasts is reported again: keep the latest detail, every line.
    if (had) {
      had.detail = r.detail;
      if (had.lines.length < 16) had.lines.push(r.line);
      continue;
    }
    let doing: RcuBlocker['doing'] = null;
    let top: Frame | null = null;
    const cpu = r.cpu !== null ? cpus.get(r.cpu) : undefined;
    if (cpu) doing = doingOf(cpu, contexts, locks, ipis);
    else if (r.pid !== null) {
      const t = tasks.get(r.pid);
      // A reader preempted inside its read-side section: the code it was preempted in is its task context's, not the preemption path on top.
      const ctx = t ? t.contexts.map((id) => contexts[id]) : [];
      const c = ctx.find((x) => x.kind === 'task') ?? ctx[0] ?? null;
      top = c ? preemptedIn(c) : null;
      if (top?.function) doing = { en: `preempted in ${baseName(top.function)}()`, zh: `在 ${baseName(top.function)}() 中被抢占` };
    }
    const code = top?.function ? { function: baseName(top.function), module: top.module, line: top.line } : null;
    out.set(key, { cpu: r.cpu, pid: r.pid, kind: r.kind, detail: r.detail, doing, code, lines: [r.line] });
  }
  return [...out.values()];
}

function doingOf(cpu: MachineCpu, contexts: readonly MachineContext[], locks: readonly MachineLock[], ipis: readonly IpiWait[]): MachineCpu['doing'] {
  const c = innermostWorking(cpu, contexts);
  if (!c) return { en: 'unknown', zh: '未知' };
  const lock = locks.find((l) => l.waiters.some((w) => w.context === c.id));
  if (lock) {
    const w = lock.waiters.find((x) => x.context === c.id);
    const what = [lock.name, lock.address].filter((x) => x !== null).join(' ') || lock.kind;
    // Whether the waiter keeps its CPU is the primitive's: a mutex waiter may spin on its owner, a bit lock may be a spinning one.
    const prim = w ? primitiveOf(w.primitive) : null;
    const sleeps = prim ? !prim.spins : lock.kind === 'mutex' || lock.kind === 'rwsem' || lock.kind === 'semaphore';
    if (lock.kind === 'rcu') {
      const by = w?.taker ? { en: ` for ${w.taker}()`, zh: `（${w.taker}()）` } : { en: '', zh: '' };
      return { en: `waits in ${w?.primitive ?? 'synchronize_rcu'}()${by.en} for an RCU grace period`, zh: `在 ${w?.primitive ?? 'synchronize_rcu'}() 中等待 RCU 宽限期结束${by.zh}` };
    }
    if (lock.kind === 'completion') {
      const by = w?.taker ? { en: ` for ${w.taker}()`, zh: `（${w.taker}()）` } : { en: '', zh: '' };
      return { en: `waits in ${w?.primitive ?? 'a wait'}()${by.en} for another context to signal`, zh: `在 ${w?.primitive ?? '等待'}() 中等待其他上下文发出通知${by.zh}` };
    }
    const inFn = w?.taker ? { en: ` in ${w.taker}()`, zh: `（${w.taker}()）` } : { en: '', zh: '' };
    return sleeps ? { en: `sleeps on ${what}${inFn.en}`, zh: `睡眠等待 ${what}${inFn.zh}` } : { en: `spins on ${what}${inFn.en}`, zh: `自旋等待 ${what}${inFn.zh}` };
  }
  const ipi = ipis.find((p) => p.context === c.id);
  if (ipi) {
    const whom = ipi.blockedBy.length > 0 ? `CPU ${ipi.blockedBy.join(', ')}` : null;
    return { en: `waits in ${ipi.function}() for ${whom ?? 'other CPUs'} to run its function`, zh: `在 ${ipi.function}() 中等待${whom ?? '其他 CPU'}执行其函数` };
  }
  // The reporting machinery (dump_stack, __warn, sanitizers) is how the CPU told, not what it was doing.
  const running = runningFunctions(c).filter((f) => !isRole(f.fn, 'reporting'));
  const top = running[0]?.fn ?? null;
  if (top && IDLE.test(top)) return { en: 'idle', zh: '空闲' };
  if (!top) return { en: 'unknown', zh: '未知' };
  // A delay loop or list helper runs for the code that called it: name that code too.
  const owner = isRole(top, 'primitive', 'helper') ? running.slice(1, 6).find((f) => !isRole(f.fn, 'primitive', 'helper', 'reporting', 'entry'))?.fn ?? null : null;
  return owner ? { en: `runs ${top}() in ${owner}()`, zh: `在 ${owner}() 中运行 ${top}()` } : { en: `runs ${top}()`, zh: `运行 ${top}()` };
}
