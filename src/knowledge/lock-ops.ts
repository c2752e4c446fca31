// The kernel's lock and disable primitives as `ktriage check` sees them: what each call takes or
// releases, of which family, with which variant, and which argument names the lock.

/** What is held: a lock of a family (with its mode), or a per-CPU state with no lock argument. */
export type LockFamily = 'spinlock' | 'rwlock' | 'mutex' | 'rwsem' | 'semaphore' | 'rcu' | 'rcu_bh' | 'rcu_sched' | 'srcu' | 'bh' | 'irq' | 'preempt';

/** How the interrupt and bottom-half state changes with the lock: a release must use the same one. */
export type LockVariant = 'plain' | 'bh' | 'irq' | 'irqsave';

export interface LockOp {
  name: string;
  op: 'acquire' | 'release';
  family: LockFamily;
  /** rwlock and rwsem: read or write side. */
  mode: 'read' | 'write' | null;
  variant: LockVariant;
  /** The raw_ spinlock API (not a sleeping lock on PREEMPT_RT). */
  raw: boolean;
  /** Which argument is the lock (0-based); null for a per-CPU state (local_bh_disable...). */
  arg: number | null;
  /**
   * An acquire that may fail: `nonzero` succeeds when it returns non-zero (spin_trylock, mutex_trylock),
   * `zero` when it returns 0 (mutex_lock_interruptible, down_trylock); null always succeeds.
   */
  success: 'nonzero' | 'zero' | null;
}

function op(name: string, o: Omit<LockOp, 'name'>): LockOp {
  return { name, ...o };
}

/** spin_lock/read_lock/write_lock families: each variant's acquire, trylock and release. */
function spinFamily(prefix: string, family: 'spinlock' | 'rwlock', mode: 'read' | 'write' | null, raw: boolean): LockOp[] {
  const base = { family, mode, raw, arg: 0 } as const;
  const out: LockOp[] = [];
  const variants: Array<[string, string, LockVariant]> = [['', '', 'plain'], ['_bh', '_bh', 'bh'], ['_irq', '_irq', 'irq'], ['_irqsave', '_irqrestore', 'irqsave']];
  for (const [take, give, variant] of variants) {
    out.push(op(`${prefix}_lock${take}`, { ...base, op: 'acquire', variant, success: null }));
    out.push(op(`${prefix}_unlock${give}`, { ...base, op: 'release', variant, success: null }));
    out.push(op(`${prefix}_trylock${take}`, { ...base, op: 'acquire', variant, success: 'nonzero' }));
  }
  out.push(op(`${prefix}_lock_nested`, { ...base, op: 'acquire', variant: 'plain', success: null }));
  out.push(op(`${prefix}_lock_irqsave_nested`, { ...base, op: 'acquire', variant: 'irqsave', success: null }));
  out.push(op(`${prefix}_lock_bh_nested`, { ...base, op: 'acquire', variant: 'bh', success: null }));
  return out;
}

const none = { mode: null, variant: 'plain', raw: false, success: null } as const;

export const LOCK_OPS: readonly LockOp[] = [
  ...spinFamily('spin', 'spinlock', null, false),
  ...spinFamily('raw_spin', 'spinlock', null, true),
  ...spinFamily('read', 'rwlock', 'read', false),
  ...spinFamily('write', 'rwlock', 'write', false),
  op('mutex_lock', { ...none, family: 'mutex', op: 'acquire', arg: 0 }),
  op('mutex_lock_nested', { ...none, family: 'mutex', op: 'acquire', arg: 0 }),
  op('mutex_lock_io', { ...none, family: 'mutex', op: 'acquire', arg: 0 }),
  op('mutex_lock_interruptible', { ...none, family: 'mutex', op: 'acquire', arg: 0, success: 'zero' }),
  op('mutex_lock_interruptible_nested', { ...none, family: 'mutex', op: 'acquire', arg: 0, success: 'zero' }),
  op('mutex_lock_killable', { ...none, family: 'mutex', op: 'acquire', arg: 0, success: 'zero' }),
  op('mutex_lock_killable_nested', { ...none, family: 'mutex', op: 'acquire', arg: 0, success: 'zero' }),
  op('mutex_trylock', { ...none, family: 'mutex', op: 'acquire', arg: 0, success: 'nonzero' }),
  op('mutex_unlock', { ...none, family: 'mutex', op: 'release', arg: 0 }),
  op('down_read', { ...none, family: 'rwsem', mode: 'read', op: 'acquire', arg: 0 }),
  op('down_read_nested', { ...none, family: 'rwsem', mode: 'read', op: 'acquire', arg: 0 }),
  op('down_read_killable', { ...none, family: 'rwsem', mode: 'read', op: 'acquire', arg: 0, success: 'zero' }),
  op('down_read_interruptible', { ...none, family: 'rwsem', mode: 'read', op: 'acquire', arg: 0, success: 'zero' }),
  op('down_read_trylock', { ...none, family: 'rwsem', mode: 'read', op: 'acquire', arg: 0, success: 'nonzero' }),
  op('up_read', { ...none, family: 'rwsem', mode: 'read', op: 'release', arg: 0 }),
  op('down_write', { ...none, family: 'rwsem', mode: 'write', op: 'acquire', arg: 0 }),
  op('down_write_nested', { ...none, family: 'rwsem', mode: 'write', op: 'acquire', arg: 0 }),
  op('down_write_killable', { ...none, family: 'rwsem', mode: 'write', op: 'acquire', arg: 0, success: 'zero' }),
  op('down_write_trylock', { ...none, family: 'rwsem', mode: 'write', op: 'acquire', arg: 0, success: 'nonzero' }),
  op('up_write', { ...none, family: 'rwsem', mode: 'write', op: 'release', arg: 0 }),
  op('down', { ...none, family: 'semaphore', op: 'acquire', arg: 0 }),
  op('down_interruptible', { ...none, family: 'semaphore', op: 'acquire', arg: 0, success: 'zero' }),
  op('down_killable', { ...none, family: 'semaphore', op: 'acquire', arg: 0, success: 'zero' }),
  op('down_timeout', { ...none, family: 'semaphore', op: 'acquire', arg: 0, success: 'zero' }),
  // down_trylock returns 0 when it took the semaphore.
  op('down_trylock', { ...none, family: 'semaphore', op: 'acquire', arg: 0, success: 'zero' }),
  op('up', { ...none, family: 'semaphore', op: 'release', arg: 0 }),
  op('rcu_read_lock', { ...none, family: 'rcu', op: 'acquire', arg: null }),
  op('rcu_read_unlock', { ...none, family: 'rcu', op: 'release', arg: null }),
  op('rcu_read_lock_bh', { ...none, family: 'rcu_bh', op: 'acquire', arg: null }),
  op('rcu_read_unlock_bh', { ...none, family: 'rcu_bh', op: 'release', arg: null }),
  op('rcu_read_lock_sched', { ...none, family: 'rcu_sched', op: 'acquire', arg: null }),
  op('rcu_read_unlock_sched', { ...none, family: 'rcu_sched', op: 'release', arg: null }),
  op('srcu_read_lock', { ...none, family: 'srcu', op: 'acquire', arg: 0 }),
  op('srcu_read_unlock', { ...none, family: 'srcu', op: 'release', arg: 0 }),
  op('local_bh_disable', { ...none, family: 'bh', op: 'acquire', arg: null }),
  op('local_bh_enable', { ...none, family: 'bh', op: 'release', arg: null }),
  op('local_irq_disable', { ...none, family: 'irq', variant: 'irq', op: 'acquire', arg: null }),
  op('local_irq_enable', { ...none, family: 'irq', variant: 'irq', op: 'release', arg: null }),
  op('local_irq_save', { ...none, family: 'irq', variant: 'irqsave', op: 'acquire', arg: null }),
  op('local_irq_restore', { ...none, family: 'irq', variant: 'irqsave', op: 'release', arg: null }),
  op('preempt_disable', { ...none, family: 'preempt', op: 'acquire', arg: null }),
  op('preempt_enable', { ...none, family: 'preempt', op: 'release', arg: null }),
  op('preempt_enable_no_resched', { ...none, family: 'preempt', op: 'release', arg: null }),
  op('get_cpu', { ...none, family: 'preempt', op: 'acquire', arg: null }),
  op('put_cpu', { ...none, family: 'preempt', op: 'release', arg: null }),
];

/** What makes a context atomic while held: sleeping there is a bug (a mutex, rwsem, semaphore or SRCU read lock is not). */
export const ATOMIC_FAMILIES: ReadonlySet<LockFamily> = new Set<LockFamily>(['spinlock', 'rwlock', 'rcu', 'rcu_bh', 'rcu_sched', 'bh', 'irq', 'preempt']);

export const LOCK_OP_BY_NAME: ReadonlyMap<string, LockOp> = new Map(LOCK_OPS.map((o) => [o.name, o]));

/**
 * `guard(NAME)(&lock)` and `scoped_guard(NAME, &lock)`: the lock is released when the scope ends.
 * The guard's name gives the variant (linux/spinlock.h, mutex.h, rcupdate.h DEFINE_GUARD/DEFINE_LOCK_GUARD).
 */
export const GUARDS: ReadonlyMap<string, { family: LockFamily; variant: LockVariant; mode: 'read' | 'write' | null; raw: boolean; arg: boolean }> = new Map([
  ['spinlock', { family: 'spinlock', variant: 'plain', mode: null, raw: false, arg: true }],
  ['spinlock_bh', { family: 'spinlock', variant: 'bh', mode: null, raw: false, arg: true }],
  ['spinlock_irq', { family: 'spinlock', variant: 'irq', mode: null, raw: false, arg: true }],
  ['spinlock_irqsave', { family: 'spinlock', variant: 'irqsave', mode: null, raw: false, arg: true }],
  ['raw_spinlock', { family: 'spinlock', variant: 'plain', mode: null, raw: true, arg: true }],
  ['raw_spinlock_irq', { family: 'spinlock', variant: 'irq', mode: null, raw: true, arg: true }],
  ['raw_spinlock_irqsave', { family: 'spinlock', variant: 'irqsave', mode: null, raw: true, arg: true }],
  ['read_lock', { family: 'rwlock', variant: 'plain', mode: 'read', raw: false, arg: true }],
  ['write_lock', { family: 'rwlock', variant: 'plain', mode: 'write', raw: false, arg: true }],
  ['mutex', { family: 'mutex', variant: 'plain', mode: null, raw: false, arg: true }],
  ['rwsem_read', { family: 'rwsem', variant: 'plain', mode: 'read', raw: false, arg: true }],
  ['rwsem_write', { family: 'rwsem', variant: 'plain', mode: 'write', raw: false, arg: true }],
  ['rcu', { family: 'rcu', variant: 'plain', mode: null, raw: false, arg: false }],
  ['irq', { family: 'irq', variant: 'irq', mode: null, raw: false, arg: false }],
  ['irqsave', { family: 'irq', variant: 'irqsave', mode: null, raw: false, arg: false }],
  ['preempt', { family: 'preempt', variant: 'plain', mode: null, raw: false, arg: false }],
]);

/** Calls that do not return: a path that reaches one ends there, with nothing to release. */
export const NORETURN_CALLS: ReadonlySet<string> = new Set(['BUG', 'panic', 'do_exit', 'kthread_exit', 'machine_halt', 'emergency_restart', 'make_task_dead', '__noreturn', 'unreachable']);

/** How a family's release is named for a variant (the fix a finding suggests). */
export function releaseName(family: LockFamily, variant: LockVariant, mode: 'read' | 'write' | null, raw: boolean): string | null {
  const o = LOCK_OPS.find((x) => x.op === 'release' && x.family === family && x.variant === variant && x.mode === mode && x.raw === raw);
  return o?.name ?? null;
}

/**
 * Calls a condition may make and still be the same test when written again: they read state
 * without changing it (`if (static_branch_unlikely(&k)) spin_lock(..); ... if (static_branch_unlikely(&k)) spin_unlock(..)`).
 */
export const PURE_PREDICATES: ReadonlySet<string> = new Set([
  'likely', 'unlikely', 'static_branch_likely', 'static_branch_unlikely', 'static_key_enabled', 'static_key_false', 'static_key_true',
  'IS_ENABLED', 'IS_BUILTIN', 'IS_MODULE', 'IS_REACHABLE', 'test_bit', 'constant_test_bit', 'variable_test_bit', 'READ_ONCE',
  'in_interrupt', 'in_irq', 'in_softirq', 'in_task', 'in_atomic', 'irqs_disabled', 'preemptible', 'cpu_online', 'netif_running',
  'list_empty', 'hlist_empty', 'skb_queue_empty', 'is_vmalloc_addr', 'IS_ERR', 'IS_ERR_OR_NULL', 'PTR_ERR', 'atomic_read', 'refcount_read',
]);

/**
 * Words of a function's name that say it takes a lock for its caller: a lock word alone (ctx_lock(),
 * xfs_ilock(), foo_acquire(), ..._trylock()), or a taking word with the thing taken (e1000_get_hw_semaphore(),
 * foo_irq_disable(), bar_enter_critical()). `_get` alone is a getter (rt4505_torch_brightness_get()), `start`
 * alone starts a transfer (ndo_start_xmit), `clock` and `block` are no locks.
 */
const LOCK_WORD = /^(?:\w*(?<![bc])lock(?:s|ed)?|lock\w*|\w*locked\w*|acquire[sd]?|grab|claim|sem|semaphore|mutex|rwsem|seqlock|srcu|rcu)$/i;
const TAKING_WORD = /^(?:get|take|hold|enter|begin|start|disable|save|down|own)$/i;
const TAKEN_WORD = /^(?:lock|locks|sem|semaphore|mutex|irq|irqs|bh|preempt|softirq|interrupts|critical|atomic|rcu|swfw|hw_sem|nvm|phy_sem)$/i;

/**
 * Names that may be a lock helper's (`xfs_trans_dqlockedjoin()`, `..._get()`): enough when the function holds
 * the lock on every return, and only then.
 */
export const LOCK_HELPER_HINT = /lock|acquire|get|grab|take|hold|enter|begin|start|disable|save/i;

/** Whether a function's name says it takes a lock for its caller on purpose (see the words above). */
export function lockHelperName(name: string): boolean {
  const words = name.split(/_+/).filter((w) => w !== '');
  if (words.some((w) => /^unlock/i.test(w))) return false;
  if (words.some((w) => LOCK_WORD.test(w))) return true;
  return words.some((w) => TAKING_WORD.test(w)) && words.some((w) => TAKEN_WORD.test(w));
}

/** Names of functions that release a lock of the object they are given (`uart_unlock_and_check_sysrq(&port)`). */
export const UNLOCK_HELPER_NAME = /unlock/i;
