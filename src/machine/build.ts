// Builds the machine model from every stack the input shows: CPUs and their nested contexts, tasks, the locks they wait on and who holds them.

import type { Analysis } from '../analyze/analyze';
import type { CallTrace, Frame, StackSegment } from '../model/types';
import { CPU_DETECTORS, IPI_WAITERS, LOCK_DOMAINS } from '../knowledge/functions';
import { EFLAGS_IF, FIRST_ARGUMENT_REGISTER, LOCK_WAIT_PRIMITIVES, type LockKind } from '../knowledge/lock-waits';
import { matchesAny } from '../knowledge/contexts';
import { baseName, isRole, isTrackTrace } from '../rules/blame';
import { allStacks, type StackView } from '../rules/stacks';
import type { IpiWait, LockHolder, MachineContext, MachineCpu, MachineLock, MachineModel, MachineTask } from './types';

/** Stacks read into the model; a paste of more tasks than this keeps the first ones. */
const MAX_STACKS = 20_000;
/** An instruction this close to a function's start is its prologue: the function has not taken anything yet. */
const PROLOGUE_BYTES = 0x10;
/** Frames after a lock primitive looked at for the code that wanted the lock. */
const TAKER_WINDOW = 3;

const NMI_PLUMBING = /^(?:crash_nmi_callback|nmi_handle|default_do_nmi|do_nmi|end_repeat_nmi|nmi_cpu_backtrace\w{0,16}|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace|exc_nmi|asm_exc_nmi|machine_kexec|__crash_kexec|crash_kexec|panic|nmi_panic)$/;
const IDLE = /^(?:cpuidle_enter_state|cpuidle_enter|cpuidle_idle_call|default_idle\w{0,16}|native_safe_halt|arch_cpu_idle|do_idle|cpu_startup_entry|intel_idle\w{0,16}|acpi_idle_\w{1,32}|mwait_idle\w{0,16}|poll_idle)$/;

/** The function of an exception RIP as printed (`f+492`, `f+0x1ec/0x250`, `f+0x1ec/0x250 [mod]`). */
function ripFunction(rip: string): { fn: string; offset: number | null } {
  const m = /^([A-Za-z_.$][\w.$]{0,200})(?:\+(0x[0-9a-f]{1,16}|\d{1,10}))?/.exec(rip.trim());
  if (!m) return { fn: rip.trim(), offset: null };
  return { fn: baseName(m[1]), offset: m[2] === undefined ? null : Number(m[2]) };
}

function interruptsOf(regs: Record<string, string> | null): boolean | null {
  const v = regs ? regs.RFLAGS ?? regs.EFLAGS ?? null : null;
  if (v === null || !/^[0-9a-f]{1,16}$/i.test(v)) return null;
  return (Number.parseInt(v.slice(-4), 16) & EFLAGS_IF) !== 0;
}

/** The stack that stands for a task or CPU at the moment of the crash: a `crash` listing (the dump itself), else the latest one. */
function better(a: StackView, b: StackView): StackView {
  const rank = (s: StackView): number => (s.trace.origin === 'crash-bt' ? 2 : 1) * 1e9 + s.trace.startLine;
  return rank(b) > rank(a) ? b : a;
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
  kind: LockKind;
  primitive: string;
  taker: Frame | null;
  address: string | null;
  domain: (typeof LOCK_DOMAINS)[number] | null;
  line: number;
}

function primitiveOf(fn: string): (typeof LOCK_WAIT_PRIMITIVES)[number] | null {
  return LOCK_WAIT_PRIMITIVES.find((p) => p.fn.test(fn)) ?? null;
}

/** What a context waits for, when its innermost frames (or the instruction it was stopped at) are a lock slow path. */
function waitOf(c: MachineContext, arch: string | null): Wait | null {
  const reliable = c.frames.filter((f) => f.reliable && f.function !== null);
  const at = c.stoppedAt ? ripFunction(c.stoppedAt).fn : null;
  const atPrimitive = at !== null ? primitiveOf(at) : null;
  let i = reliable.slice(0, 4).findIndex((f) => primitiveOf(baseName(f.function as string)) !== null);
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
    line: i >= 0 ? reliable[i].line : c.lines[0] ?? 0,
  };
}

/** Functions of a context that run inside it: its reliable frames, and the instruction it was stopped at unless that is a prologue. */
function runningFunctions(c: MachineContext): Array<{ fn: string; line: number }> {
  const out = c.frames.filter((f) => f.reliable && f.function !== null).map((f) => ({ fn: baseName(f.function as string), line: f.line }));
  if (c.stoppedAt) {
    const r = ripFunction(c.stoppedAt);
    // A bare address (a user-space RIP) names no function.
    if (!/^0x/.test(r.fn) && (r.offset === null || r.offset >= PROLOGUE_BYTES)) out.unshift({ fn: r.fn, line: c.lines[0] ?? 0 });
  }
  return out;
}

/** Builds the model of the machine from the stacks of an analysed input. */
export function buildMachine(a: Analysis): MachineModel {
  const arch = a.kernel.arch;
  // One stack per task (pid), or per CPU when the stack names no task.
  const chosen = new Map<string, StackView>();
  let n = 0;
  for (const s of allStacks(a)) {
    if (++n > MAX_STACKS) break;
    if ((s.cpu === null && s.pid === null) || isTrackTrace(s.trace)) continue;
    const key = s.pid !== null && s.pid !== 0 ? `p${s.pid}` : `c${s.cpu}`;
    const had = chosen.get(key);
    chosen.set(key, had ? better(had, s) : s);
  }
  const contexts: MachineContext[] = [];
  const tasks = new Map<number, MachineTask>();
  const cpus = new Map<number, MachineCpu>();
  for (const s of chosen.values()) {
    const ids = contextsOf(s.trace, s, contexts);
    if (s.pid !== null) {
      const t = tasks.get(s.pid) ?? { pid: s.pid, comm: s.comm, task: taskAddress(s.trace), cpu: s.cpu, state: null, contexts: [], lines: [] };
      t.contexts = ids;
      t.lines = [s.trace.startLine];
      tasks.set(s.pid, t);
    }
    // The task on a CPU at the crash: the one whose stack is active there (crash marks idle tasks by CPU too).
    if (s.cpu !== null && (!cpus.has(s.cpu) || s.trace.origin === 'crash-bt')) cpus.set(s.cpu, { cpu: s.cpu, pid: s.pid, comm: s.comm, contexts: ids, doing: { en: '', zh: '' } });
  }
  const locks = lockGraph(contexts, arch);
  const ipiWaits = ipiWaitsOf(contexts, [...cpus.values()]);
  for (const c of cpus.values()) c.doing = doingOf(c, contexts, locks, ipiWaits);
  return {
    cpus: [...cpus.values()].sort((x, y) => x.cpu - y.cpu),
    tasks: [...tasks.values()].sort((x, y) => x.pid - y.pid),
    contexts,
    locks,
    ipiWaits,
  };
}

function taskAddress(t: CallTrace): string | null {
  return /TASK: {1,4}([0-9a-f]{8,16})/.exec(t.label ?? '')?.[1] ?? null;
}

/** Reads a stack's segments into contexts (ids returned outermost first) and links each to the one that interrupted it. */
function contextsOf(t: CallTrace, s: StackView, into: MachineContext[]): number[] {
  const segs = foldEntryStubs(t.segments).filter((g) => g.frames.length > 0 || g.exceptionRip !== null);
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
  const p = (f: Frame): string | null => /^([a-z0-9]{2,24}_)/.exec(f.function ?? '')?.[1] ?? null;
  return p(a) !== null && p(a) === p(b);
}

function sameStack(x: MachineContext, y: MachineContext): boolean {
  return x.pid === y.pid && x.cpu === y.cpu;
}

function lockGraph(contexts: readonly MachineContext[], arch: string | null): MachineLock[] {
  const byKey = new Map<string, MachineLock>();
  const waits = new Map<number, Wait>();
  const takers = new Map<number, Frame>();
  for (const c of contexts) {
    const w = waitOf(c, arch);
    if (!w) continue;
    // The lock is the same one when the address is; without an address, the one a knowledge table names.
    const key = w.address ?? (w.domain ? `name:${w.domain.lock}` : `ctx:${c.id}`);
    const lock = byKey.get(key) ?? { address: w.address, kind: w.kind, name: w.domain?.lock ?? null, waiters: [], holders: [] };
    lock.name ??= w.domain?.lock ?? null;
    lock.waiters.push({ context: c.id, primitive: w.primitive, taker: w.taker?.function ? baseName(w.taker.function) : null, takerModule: w.taker?.module ?? null, lines: [w.line, ...(w.taker ? [w.taker.line] : [])] });
    byKey.set(key, lock);
    waits.set(c.id, w);
    if (w.taker) takers.set(c.id, w.taker);
  }
  for (const lock of byKey.values()) {
    const waiterIds = new Set(lock.waiters.map((w) => w.context));
    const domain = LOCK_DOMAINS.find((d) => d.lock === lock.name) ?? null;
    for (const c of contexts) {
      if (waiterIds.has(c.id)) continue;
      const evidence: LockHolder['evidence'] = [];
      let fn: string | null = null;
      let line = c.lines[0] ?? 0;
      if (lock.address && c.registers && Object.values(c.registers).some((v) => v.toLowerCase() === lock.address)) evidence.push('same-address');
      if (domain) {
        const hit = runningFunctions(c).find((f) => domain.holders.test(f.fn));
        if (hit) {
          evidence.push('holder-function');
          fn = hit.fn;
          line = hit.line;
        }
      }
      // An address in the registers, or code of the taker's owner, is evidence only on the waiter's own stack (the context it interrupted).
      const interruptedWaiter = lock.waiters.find((w) => sameStack(contexts[w.context], c) && c.id > w.context);
      const onWaiterStack = interruptedWaiter !== undefined;
      const takerFrame = interruptedWaiter ? takers.get(interruptedWaiter.context) ?? null : null;
      if (takerFrame) {
        // The outermost frame of the taker's owner: the code that took the lock before it was interrupted.
        const owned = c.frames.filter((f) => f.reliable && f.function !== null && sameOwner(f, takerFrame));
        if (owned.length > 0) {
          evidence.push('same-owner');
          if (!fn) {
            fn = baseName(owned[owned.length - 1].function as string);
            line = owned[owned.length - 1].line;
          }
        }
      }
      if (evidence.length === 0 || (!evidence.includes('holder-function') && !onWaiterStack)) continue;
      const sameCpuAs = lock.waiters.filter((w) => contexts[w.context].cpu !== null && contexts[w.context].cpu === c.cpu).map((w) => w.context);
      lock.holders.push({ context: c.id, function: fn ?? (c.stoppedAt ? ripFunction(c.stoppedAt).fn : null), evidence, sameCpuAs, lines: [...new Set([line, ...c.lines])].sort((x, y) => x - y) });
    }
    // A holder on a waiter's own stack (it was interrupted by the waiter) is certain; any other is a candidate only without one.
    const own = lock.holders.filter((h) => lock.waiters.some((w) => sameStack(contexts[w.context], contexts[h.context]) && h.context > w.context));
    if (own.length > 0) lock.holders = own;
    // Without a table or an address: another CPU running (not waiting) in code of the taker's owner, the innermost context of its stack.
    if (lock.holders.length === 0) {
      const takerFrames = lock.waiters.map((w) => takers.get(w.context)).filter((f): f is Frame => f !== undefined && f.module !== null);
      for (const c of contexts) {
        if (c.cpu === null || c.interruptedBy !== null || waits.has(c.id) || lock.waiters.some((w) => contexts[w.context].cpu === c.cpu)) continue;
        const owned = c.frames.filter((f) => f.reliable && f.function !== null && takerFrames.some((t) => sameOwner(f, t)));
        if (owned.length === 0) continue;
        lock.holders.push({ context: c.id, function: baseName(owned[owned.length - 1].function as string), evidence: ['same-owner'], sameCpuAs: [], lines: [owned[owned.length - 1].line, ...c.lines] });
      }
    }
  }
  return [...byKey.values()];
}

function innermostWorking(cpu: MachineCpu, contexts: readonly MachineContext[]): MachineContext | null {
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

function ipiWaitsOf(contexts: readonly MachineContext[], cpus: readonly MachineCpu[]): IpiWait[] {
  const out: IpiWait[] = [];
  for (const cpu of cpus) {
    const c = innermostWorking(cpu, contexts);
    if (!c) continue;
    const at = c.stoppedAt ? ripFunction(c.stoppedAt).fn : null;
    const fn = at !== null && matchesAny(at, IPI_WAITERS) ? at : c.frames.slice(0, 3).find((f) => f.reliable && f.function && matchesAny(baseName(f.function), IPI_WAITERS))?.function ?? null;
    if (!fn) continue;
    // The CPUs that cannot answer: those stuck in a context with interrupts disabled.
    const blockedBy = cpus
      .filter((o) => o.cpu !== cpu.cpu)
      .filter((o) => {
        const w = innermostWorking(o, contexts);
        return w !== null && w.interruptsEnabled === false;
      })
      .map((o) => o.cpu);
    out.push({ cpu: cpu.cpu, context: c.id, function: baseName(fn), blockedBy, lines: c.lines });
  }
  return out;
}

function doingOf(cpu: MachineCpu, contexts: readonly MachineContext[], locks: readonly MachineLock[], ipis: readonly IpiWait[]): MachineCpu['doing'] {
  const c = innermostWorking(cpu, contexts);
  if (!c) return { en: 'unknown', zh: '未知' };
  const lock = locks.find((l) => l.waiters.some((w) => w.context === c.id));
  if (lock) {
    const w = lock.waiters.find((x) => x.context === c.id);
    const what = [lock.name, lock.address].filter((x) => x !== null).join(' ') || lock.kind;
    const sleeps = lock.kind === 'mutex' || lock.kind === 'rwsem' || lock.kind === 'semaphore';
    const inFn = w?.taker ? { en: ` in ${w.taker}()`, zh: `（${w.taker}()）` } : { en: '', zh: '' };
    return sleeps ? { en: `sleeps on ${what}${inFn.en}`, zh: `睡眠等待 ${what}${inFn.zh}` } : { en: `spins on ${what}${inFn.en}`, zh: `自旋等待 ${what}${inFn.zh}` };
  }
  const ipi = ipis.find((p) => p.context === c.id);
  if (ipi) {
    const whom = ipi.blockedBy.length > 0 ? `CPU ${ipi.blockedBy.join(', ')}` : null;
    return { en: `waits in ${ipi.function}() for ${whom ?? 'other CPUs'} to run its function`, zh: `在 ${ipi.function}() 中等待${whom ?? '其他 CPU'}执行其函数` };
  }
  // The reporting machinery (dump_stack, __warn, sanitizers) is how the CPU told, not what it was doing.
  const top = runningFunctions(c).find((f) => !isRole(f.fn, 'reporting'))?.fn ?? null;
  if (top && IDLE.test(top)) return { en: 'idle', zh: '空闲' };
  return top ? { en: `runs ${top}()`, zh: `运行 ${top}()` } : { en: 'unknown', zh: '未知' };
}
