// What lockdep prints means (data): report headers, the usage bits, the irq states and their fixes, wait types, pseudo-locks.

import type { Text } from './text';

/** The kinds of lockdep report, by the header line lockdep prints (old `[ INFO: ... ]` and new `WARNING: ...` forms). */
export type LockdepKind = 'circular' | 'inconsistent' | 'recursive' | 'irq-order' | 'irq-inversion' | 'bad-unlock' | 'held-freed' | 'held-at-return' | 'wait-context' | 'other';

export const LOCKDEP_HEADERS: ReadonlyArray<{ kind: LockdepKind; re: RegExp }> = [
  { kind: 'circular', re: /possible circular locking dependency detected/ },
  { kind: 'inconsistent', re: /inconsistent lock state/ },
  { kind: 'recursive', re: /possible recursive locking detected/ },
  { kind: 'irq-order', re: /(?:HARDIRQ|SOFTIRQ|RECLAIM_FS)-(?:safe|READ-safe) -> (?:HARDIRQ|SOFTIRQ|RECLAIM_FS)-(?:unsafe|READ-unsafe) lock order detected/ },
  { kind: 'irq-inversion', re: /possible irq lock inversion dependency detected/ },
  { kind: 'bad-unlock', re: /bad unlock balance detected/ },
  { kind: 'wait-context', re: /BUG: Invalid wait context/ },
  { kind: 'held-freed', re: /held lock freed/ },
  { kind: 'held-at-return', re: /lock held when returning to user space|leaked lock or atomic|leaked atomic, lock or RCU|lock held at task exit time|still has locks held/ },
];

/** Where a leak check runs: the point where the task must hold no lock. */
export type LeakPoint = 'return-to-user' | 'task-exit' | 'work-item' | 'no-locks';

export const LEAK_POINTS: ReadonlyArray<{ point: LeakPoint; re: RegExp }> = [
  { point: 'return-to-user', re: /lock held when returning to user space|leaving the kernel with locks still held/ },
  { point: 'task-exit', re: /lock held at task exit time|is exiting with locks still held/ },
  { point: 'work-item', re: /workqueue leaked (?:lock or atomic|atomic, lock or RCU)/ },
  { point: 'no-locks', re: /still has locks held/ },
];

/**
 * The interrupt-like states lockdep tracks, in the order of the usage string `{....}`: two characters per
 * state (write, then read). RECLAIM_FS was a third state from 2.6.30 to 4.13 (six characters).
 */
export type IrqState = 'HARDIRQ' | 'SOFTIRQ' | 'RECLAIM_FS';

export const USAGE_STATES: readonly IrqState[] = ['HARDIRQ', 'SOFTIRQ', 'RECLAIM_FS'];

export interface IrqStateRow {
  state: IrqState;
  /** What is enabled in the `-ON` state, as a noun phrase. */
  enabled: Text;
  /** The context of the `IN-` state. */
  context: Text;
  /** How the enabled-state users must take the lock so that the state cannot interrupt them. */
  fix: string;
}

export const IRQ_STATES: Readonly<Record<IrqState, IrqStateRow>> = {
  HARDIRQ: { state: 'HARDIRQ', enabled: { en: 'hard interrupts', zh: '硬中断' }, context: { en: 'hard-interrupt context', zh: '硬中断上下文' }, fix: 'spin_lock_irqsave()' },
  SOFTIRQ: { state: 'SOFTIRQ', enabled: { en: 'softirqs (bottom halves)', zh: '软中断（BH）' }, context: { en: 'softirq context', zh: '软中断上下文' }, fix: 'spin_lock_bh()' },
  RECLAIM_FS: { state: 'RECLAIM_FS', enabled: { en: 'file-system reclaim (__GFP_FS allocations)', zh: '文件系统回收（__GFP_FS 分配）' }, context: { en: 'file-system reclaim', zh: '文件系统回收' }, fix: 'GFP_NOFS allocations (memalloc_nofs_save())' },
};

/** A usage state as printed in `inconsistent {A} -> {B} usage`: `SOFTIRQ-ON-W`, `IN-HARDIRQ-R`, old `in-hardirq-W`, `hardirq-on-W`. */
export const USAGE_STATE = /^(IN-)?(HARDIRQ|SOFTIRQ|RECLAIM_FS)(-ON)?-([WR])$/i;

/**
 * One character of the usage string: `.` neither, `+` taken with the state enabled (irq-unsafe),
 * `-` taken in the state's context (irq-safe), `?` both, the inconsistency itself.
 */
export const USAGE_CHARS: Readonly<Record<string, 'unused' | 'enabled' | 'in' | 'both'>> = { '.': 'unused', '+': 'enabled', '-': 'in', '?': 'both' };

/**
 * Wait types lockdep prints as `-{outer:inner}` (5.7+). Without CONFIG_PROVE_RAW_LOCK_NESTING the
 * CONFIG level folds into SPIN and a sleeping lock is 3; with it, spinlock_t is 3 and a sleeping lock 4.
 */
export const WAIT_TYPES: Readonly<Record<number, Text>> = {
  0: { en: 'not checked, a pseudo-lock', zh: '不检查的伪锁' },
  1: { en: 'wait-free, like an RCU read side', zh: '无等待，例如 RCU 读端' },
  2: { en: 'spinning, like a raw spinlock or interrupt context', zh: '自旋，例如 raw spinlock 或中断上下文' },
  3: { en: 'a spinlock_t, which sleeps on PREEMPT_RT', zh: '在 PREEMPT_RT 上会睡眠的 spinlock_t' },
  4: { en: 'sleeping, like a mutex, a semaphore or task context', zh: '可睡眠，例如 mutex、信号量或任务上下文' },
};

/** Lock classes named like sleeping locks (mutexes, semaphores, rwsems), for reports printed without wait types. */
export const SLEEPING_LOCK_NAME = /mutex|sem\b|rwsem|_sem$|i_rwsem|sb_writers|s_umount|mmap_lock|mmap_sem|(?:^|[^_])lock_class$/;

/** Lock classes lockdep tracks but nothing spins or sleeps on: completions of work, RCU, timers, reclaim. */
export const PSEUDO_LOCK_NAME = /^\((?:work_completion|wq_completion)\)|^rcu_read_lock|^rcu_callback|^\(&[\w.>-]*timer\)|^\(\(&[\w.>-]*timer\)\)|^fs_reclaim$|^mmu_notifier_invalidate_range_start$/;

/** Pseudo-locks of the workqueue and timer machinery: held by the dispatcher, never leaked by the code under test. */
export const DISPATCHER_PSEUDO_LOCK = /^\((?:work_completion|wq_completion)\)|^\(&[\w.>-]*timer\)|^\(\(&[\w.>-]*timer\)\)/;
