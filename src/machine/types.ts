// The machine at the moment of the crash: CPUs with their nested contexts, tasks, locks and who waits for whom.

import type { Frame, StackContext } from '../model/types';

/** One execution context of a CPU (task, softirq, hardirq, NMI, exception), as one stack shows it. */
export interface MachineContext {
  /** Index in `MachineModel.contexts`. */
  id: number;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  /** Index of the report whose stack this is, or null for a `crash` listing outside any report. */
  report: number | null;
  kind: StackContext;
  /** Innermost first, as printed. */
  frames: Frame[];
  /** Where this context was stopped by the one that came in on top of it (`[exception RIP: f+N]`, `RIP:`), or null for the innermost. */
  stoppedAt: string | null;
  registers: Record<string, string> | null;
  /** EFLAGS.IF when this context was stopped: interrupts were enabled (true) or disabled (false); null when not printed. */
  interruptsEnabled: boolean | null;
  /** The context that interrupted this one (next one inwards on the same stack), or null. */
  interruptedBy: number | null;
  /** Input lines the context was read from (first and last line of its frames and registers). */
  lines: number[];
}

export interface MachineCpu {
  cpu: number;
  pid: number | null;
  comm: string | null;
  /** Context ids, outermost (task) first. */
  contexts: number[];
  /** What the innermost context does, in a few words ("spins on lock ffff...", "waits for CPUs to run an IPI function"). */
  doing: { en: string; zh: string };
}

export interface MachineTask {
  pid: number;
  comm: string | null;
  task: string | null;
  cpu: number | null;
  /** `crash` ps state (RU, UN, IN...), or null when not printed. */
  state: string | null;
  contexts: number[];
  lines: number[];
}

/** Why a context is taken for a lock's holder. */
export type HoldEvidence =
  /** The holder's registers hold the lock's address. */
  | 'same-address'
  /** A knowledge table says a function in the holder's frames runs holding this lock. */
  | 'holder-function'
  /** On the waiter's own stack, the interrupted context runs code of the lock taker's owner (its module, or its subsystem prefix for built-in code). */
  | 'same-owner'
  /** Lockdep printed the lock in the holder task's held-lock list. */
  | 'lockdep-held';

export interface LockHolder {
  context: number;
  /** The frame (function) that holds the lock. */
  function: string | null;
  evidence: HoldEvidence[];
  /** The holder runs on the same CPU as a waiter it interrupted or was interrupted by. */
  sameCpuAs: number[];
  lines: number[];
}

export interface LockWaiter {
  context: number;
  /** The lock primitive it spins or sleeps in. */
  primitive: string;
  /** The first frame outside locking: the code that wanted the lock. */
  taker: string | null;
  takerModule: string | null;
  lines: number[];
}

export interface MachineLock {
  /** Address of the lock (first-argument register of the slow path), or null when only the lock's name is known. */
  address: string | null;
  kind: 'spinlock' | 'rwlock' | 'mutex' | 'rwsem' | 'semaphore' | 'unknown';
  /** Name from a knowledge table or lockdep ("timer base lock"), when one is known. */
  name: string | null;
  waiters: LockWaiter[];
  holders: LockHolder[];
}

/** A CPU that waits for other CPUs to run a function it sent them (smp_call_function*, csd_lock_wait). */
export interface IpiWait {
  cpu: number;
  context: number;
  function: string;
  /** The CPUs it most likely waits for: every other CPU that is stuck with interrupts disabled. */
  blockedBy: number[];
  lines: number[];
}

export interface MachineModel {
  cpus: MachineCpu[];
  tasks: MachineTask[];
  contexts: MachineContext[];
  locks: MachineLock[];
  ipiWaits: IpiWait[];
}
