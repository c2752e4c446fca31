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
  /** False when crash marked it `[OFFLINE]` or the console took it offline last; true when it was seen running or brought up; null when unknown. */
  online: boolean | null;
  pid: number | null;
  comm: string | null;
  /** Context ids, outermost (task) first. */
  contexts: number[];
  /** What the innermost context does, in a few words ("spins on lock ffff...", "waits for CPUs to run an IPI function"). */
  doing: { en: string; zh: string };
}

/** A lock a task holds, as lockdep's held-lock list printed it. */
export interface HeldLock {
  name: string;
  address: string | null;
  /** The function that took it (`at:`). */
  at: string | null;
  atModule: string | null;
  line: number;
}

export interface MachineTask {
  pid: number;
  comm: string | null;
  /** task_struct address (hex without 0x), when crash printed it. */
  task: string | null;
  cpu: number | null;
  /** crash's two-letter state (RU, UN, IN, ID...): from ps, a sysrq/hung-task task line, or a hung-task report; null when not printed. */
  state: string | null;
  /** ps's `>`: the task was running on its CPU at the time of the dump. */
  active: boolean | null;
  /** ps -m / ps -l: when it last ran, as printed. */
  lastRun: string | null;
  /** The work item the task runs as a worker, when "Showing busy workqueues" lists it in flight. */
  work: string | null;
  /** Lockdep's held-lock list of the task, when printed (the last entry of a waiting task is the lock it is acquiring). */
  locksHeld: HeldLock[];
  /** Exception frames crash's `bt -e` found on the task's stack: where it was interrupted or faulted, and EFLAGS.IF there. */
  exceptionFrames: Array<{ mode: 'kernel' | 'user'; at: string; rip: string | null; interruptsEnabled: boolean | null; lines: number[] }>;
  /** The wait queues crash's `waitq` found the task on. */
  waitQueues: string[];
  /** crash `task -R policy,rt_priority`: the scheduling class (`SCHED_FIFO`...) and real-time priority, when printed. */
  scheduling: { policy: string; rtPriority: number | null; lines: number[] } | null;
  /** crash `files`: the task's open files (at most 256). */
  openFiles: Array<{ fd: number; type: string | null; path: string; line: number }>;
  contexts: number[];
  lines: number[];
}

/** What the dump says of the machine (crash `sys`). */
export interface MachineSystem {
  cpus: number | null;
  offlineCpus: number | null;
  release: string | null;
  panic: string | null;
  panicPid: number | null;
  panicCpu: number | null;
  panicTask: string | null;
  dumpfile: string | null;
  partialDump: boolean;
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
  | 'lockdep-held'
  /** The lock's owner field (mutex, rw_semaphore) as crash printed it names the holder's task_struct. */
  | 'owner-field'
  /** The lock's address is among the holder's `bt -f` stack words. */
  | 'stack-word'
  /** An RCU stall report names the holder's CPU (or the task) as holding the grace period up. */
  | 'rcu-stall';

export interface LockHolder {
  context: number;
  /** The frame (function) that holds the lock. */
  function: string | null;
  /** The module of that function, when it is module code. */
  module: string | null;
  evidence: HoldEvidence[];
  /** The holder runs on the same CPU as a waiter it interrupted or was interrupted by. */
  sameCpuAs: number[];
  /** How the holder took the lock, when known: `irq` with interrupts disabled, `bh`, `plain`; from the lock-domain table or the lock calls in crash's `dis` of the holder function. */
  takenWith: 'irq' | 'bh' | 'plain' | null;
  /** Where that was read: the `dis` line of the lock call, when from dis. */
  takenWithLines: number[];
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
  /** `rcu`: a wait for an RCU grace period (synchronize_rcu...), held up by what an RCU stall report names. */
  /** `seqlock`: a seqlock/seqcount reader retrying while a writer is inside (named by the reader table, held by a writer function). */
  /** `completion`: a wait for another context to signal (wait_for_completion, flush_work, kthread_stop), its holder the context that must. */
  kind: 'spinlock' | 'rwlock' | 'mutex' | 'rwsem' | 'semaphore' | 'bitlock' | 'seqlock' | 'completion' | 'rcu' | 'unknown';
  /** Name from a knowledge table or lockdep ("timer base lock"), when one is known. */
  name: string | null;
  waiters: LockWaiter[];
  holders: LockHolder[];
  /** The lock's value as crash printed it (`struct mutex ADDR`, `p lock`): the raw word, and the owner task it names. */
  value: { raw: string; owner: string | null; lines: number[] } | null;
}

/** A CPU that waits for other CPUs to run a function it sent them (smp_call_function*, csd_lock_wait). */
export interface IpiWait {
  cpu: number;
  context: number;
  function: string;
  /** The CPUs it most likely waits for: those the kernel named (csd debug), else every other CPU stuck with interrupts disabled. */
  blockedBy: number[];
  /** The kernel itself named the CPU that does not answer (`csd: ... waiting N ns for CPU#M`). */
  named: boolean;
  lines: number[];
}

/** A CPU or task that holds up the RCU grace period, as the stall report names it. */
export interface RcuBlocker {
  cpu: number | null;
  pid: number | null;
  kind: 'cpu' | 'task' | 'starved-kthread';
  detail: string;
  /** What that CPU (or the task) was doing, from its stack. */
  doing: { en: string; zh: string } | null;
  /** For a task: the code it was preempted in (the first frame of its own code), the function to blame when it is what holds the grace period up. */
  code: { function: string; module: string | null; line: number } | null;
  lines: number[];
}

/** One edge of the wait-for graph: a context waits for a lock that another context holds. */
export interface WaitEdge {
  waiter: number;
  /** Index in `MachineModel.locks`. */
  lock: number;
  holder: number;
}

/** Contexts that wait for each other in a ring: each edge's holder is the next edge's waiter (a deadlock). */
export interface WaitCycle {
  edges: WaitEdge[];
}

export interface MachineModel {
  cpus: MachineCpu[];
  tasks: MachineTask[];
  contexts: MachineContext[];
  locks: MachineLock[];
  ipiWaits: IpiWait[];
  rcuBlockers: RcuBlocker[];
  /** Every waits-for edge between two different stacks. */
  waitsFor: WaitEdge[];
  cycles: WaitCycle[];
  system: MachineSystem | null;
  /** The busy work items the last "Showing busy workqueues and worker pools" printed. */
  work: BusyWork[];
  /** crash `kmem`: the slab caches listed (the 64 largest by memory) and the objects it placed addresses in, free or allocated. */
  slab: {
    caches: Array<{ name: string; cache: string; objSize: number; allocated: number; total: number; bytes: number; line: number }>;
    objects: Array<{ address: string; cache: string | null; objSize: number | null; allocated: boolean; line: number }>;
  };
  /** crash `irq -s`: interrupts per CPU (at most 512 rows). */
  interrupts: { cpus: number[]; rows: Array<{ irq: string; counts: number[]; chip: string | null; name: string | null; line: number }> } | null;
  /** crash `waitq`: the tasks on each wait queue asked about. */
  waitQueues: Array<{ queue: string; address: string | null; pids: number[]; empty: boolean; lines: number[] }>;
  /** crash `net`: network devices. */
  netDevices: Array<{ device: string; name: string; addresses: string[]; line: number }>;
  /** Addresses crash could not read (`rd: invalid kernel virtual address`, `kmem`: not in the mem map, `timer: invalid list entry`). */
  unreadable: Array<{ address: string; by: string[]; lines: number[] }>;
}

export interface BusyWork {
  workqueue: string | null;
  cpus: string | null;
  /** `in-flight` (a worker runs it: `pid`), `pending`, `delayed` (`inactive` on newer kernels). */
  state: 'in-flight' | 'pending' | 'delayed';
  pid: number | null;
  function: string;
  module: string | null;
  lines: number[];
}
