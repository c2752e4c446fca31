// Where a context waits for a lock: the slow paths of each lock kind, and the register that holds the lock's address.

/** The kind of lock a primitive waits on. */
export type LockKind = 'spinlock' | 'rwlock' | 'mutex' | 'rwsem' | 'semaphore' | 'bitlock' | 'seqlock';

/**
 * Functions a context is in while it waits for a lock, innermost first in a stack; the lock is
 * their first argument. Spinners keep the CPU (the lock is in the first-argument register of the
 * sampled instruction); sleepers leave it (their stack shows them below `schedule`).
 */
export const LOCK_WAIT_PRIMITIVES: ReadonlyArray<{ fn: RegExp; kind: LockKind; spins: boolean }> = [
  { fn: /^(?:native_|__pv_|pv_)?queued_spin_lock_slowpath$/, kind: 'spinlock', spins: true },
  { fn: /^_raw_spin_lock(?:_irq|_irqsave|_bh|_nested|_irqsave_nested)?$/, kind: 'spinlock', spins: true },
  { fn: /^__raw_spin_lock\w{0,32}$/, kind: 'spinlock', spins: true },
  { fn: /^do_raw_spin_lock(?:_flags)?$/, kind: 'spinlock', spins: true },
  { fn: /^(?:__ticket_spin_lock|_spin_lock(?:_irq|_irqsave|_bh)?|__spin_lock_debug|arch_spin_lock)$/, kind: 'spinlock', spins: true },
  { fn: /^bit_spin_lock$/, kind: 'bitlock', spins: true },
  { fn: /^queued_(?:read|write)_lock_slowpath$/, kind: 'rwlock', spins: true },
  { fn: /^_raw_(?:read|write)_lock(?:_irq|_irqsave|_bh)?$/, kind: 'rwlock', spins: true },
  { fn: /^(?:__mutex_lock(?:_slowpath|_common|_killable_slowpath|_interruptible_slowpath)?|mutex_lock(?:_nested|_killable|_interruptible)?|__ww_mutex_lock\w{0,24})$/, kind: 'mutex', spins: false },
  { fn: /^(?:rwsem_down_(?:read|write)_(?:slowpath|failed)\w{0,16}|down_(?:read|write)(?:_killable|_nested)?|__down_(?:read|write)\w{0,16})$/, kind: 'rwsem', spins: false },
  { fn: /^(?:__down(?:_common|_interruptible|_killable|_timeout)?|down(?:_interruptible|_killable|_timeout)?)$/, kind: 'semaphore', spins: false },
  // 2.6.x-4.x rwsem slow paths entered through asm thunks, and per-CPU rwsems.
  { fn: /^(?:call_rwsem_down_(?:read|write)_failed\w{0,16}|rwsem_down_failed_common|__rwsem_down_(?:read|write)_failed\w{0,16}|percpu_down_(?:read|write)\w{0,16}|__percpu_down_read\w{0,16}|percpu_rwsem_wait)$/, kind: 'rwsem', spins: false },
  // Optimistic spinning on a sleeping lock's owner (the owner runs on another CPU).
  { fn: /^(?:mutex_spin_on_owner|mutex_optimistic_spin|osq_lock)$/, kind: 'mutex', spins: true },
  { fn: /^(?:rwsem_spin_on_owner|rwsem_optimistic_spin)$/, kind: 'rwsem', spins: true },
  // PREEMPT_RT: spinlock_t and rwlock_t are rtmutexes.
  { fn: /^(?:rt_spin_lock(?:_slowlock\w{0,16})?|rtlock_slowlock\w{0,16}|rt_read_lock|rt_write_lock)$/, kind: 'spinlock', spins: false },
  { fn: /^(?:rt_mutex_slowlock\w{0,16}|__rt_mutex_slowlock\w{0,16}|rt_mutex_lock\w{0,16})$/, kind: 'mutex', spins: false },
  // Bit locks: a bit of a word used as a lock (buffer heads, page locks, inode bits).
  { fn: /^(?:out_of_line_wait_on_bit(?:_lock)?|__wait_on_bit(?:_lock)?|wait_on_bit(?:_lock)?\w{0,16}|__lock_buffer|__wait_on_buffer)$/, kind: 'bitlock', spins: false },
];

/**
 * Seqlock and seqcount readers: they retry until no writer is inside, so a CPU stopped in one again and
 * again waits for a writer that does not finish (a writer stuck, or interrupted on its own CPU by a
 * reader). The readers are inlined into the functions below; the lock is named by the table, the
 * writers are the holders in LOCK_DOMAINS under the same name.
 */
export const SEQLOCK_READERS: ReadonlyArray<{ fn: RegExp; lock: string }> = [
  { fn: /^(?:ktime_get(?:_with_offset|_ts64|_real_ts64|_raw\w{0,8}|_mono_fast_ns|_update_offsets_now|_resolution_ns|_seconds|_real_seconds|_coarse\w{0,16})?|timekeeping_get_ns|__ktime_get_real_seconds|getnstimeofday64|do_gettimeofday|ktime_get_snapshot)$/, lock: 'timekeeper seqcount (tk_core.seq)' },
  { fn: /^(?:get_jiffies_64|tick_nohz_next_event|get_next_timer_interrupt)$/, lock: 'jiffies seqlock (jiffies_lock / jiffies_seq)' },
  { fn: /^(?:prepend_path|__d_path|d_absolute_path|d_path|dentry_path(?:_raw)?|__dentry_path|d_alloc_parallel)$/, lock: 'rename_lock' },
  { fn: /^(?:__legitimize_mnt|legitimize_mnt|lookup_mnt|__lookup_mnt|path_is_under|is_path_reachable|follow_dotdot_rcu)$/, lock: 'mount_lock' },
];

/** The first-argument register of each architecture (the lock passed to the slow path). */
export const FIRST_ARGUMENT_REGISTER: Readonly<Record<string, string>> = {
  x86_64: 'RDI',
  i386: 'EAX',
  arm64: 'X0',
  aarch64: 'X0',
  i686: 'EAX',
};

/** Bit 7 of arm64's PSTATE (DAIF.I): IRQs masked. */
export const PSTATE_I = 0x80;

/** Bit 9 of (R/E)FLAGS: interrupts enabled. */
export const EFLAGS_IF = 0x200;

/**
 * Waits for another context to signal: the "lock" is a completion or a work item, its holder the
 * context that must complete it. They sleep, so their stacks show them below `schedule`.
 */
export const SIGNAL_WAITS: readonly RegExp[] = [
  /^(?:wait_for_completion\w{0,32}|__wait_for_common|wait_for_common\w{0,16}|do_wait_for_common)$/,
  /^(?:__flush_work|flush_work|flush_delayed_work|__flush_workqueue|flush_workqueue|drain_workqueue|__cancel_work_timer|cancel_work_sync|cancel_delayed_work_sync)$/,
  /^kthread_stop$/,
];

/** How a lock was taken, by the function called to take it (read off `dis` of the holder): whether interrupts or bottom halves were disabled with it. */
export type TakenWith = 'irq' | 'bh' | 'plain';

export const LOCK_CALL_VARIANTS: ReadonlyArray<{ fn: RegExp; with: TakenWith }> = [
  { fn: /^_raw_(?:spin|read|write)_lock_irq(?:save)?(?:_nested)?$/, with: 'irq' },
  { fn: /^_raw_(?:spin|read|write)_lock_bh$/, with: 'bh' },
  { fn: /^_raw_(?:spin|read|write)_lock(?:_nested)?$/, with: 'plain' },
  { fn: /^_spin_lock_irq(?:save)?$/, with: 'irq' },
  { fn: /^_spin_lock_bh$/, with: 'bh' },
  { fn: /^_spin_lock$/, with: 'plain' },
];

/** Waits for an RCU grace period: the "lock" is the grace period, held up by the CPUs and tasks an RCU stall report names. */
export const RCU_WAITS: readonly RegExp[] = [
  /^(?:synchronize_rcu\w{0,24}|synchronize_sched\w{0,16}|synchronize_srcu\w{0,16}|__synchronize_srcu|synchronize_rcu_tasks\w{0,16}|rcu_barrier\w{0,16}|srcu_barrier|wait_rcu_gp|__wait_rcu_gp)$/,
];
