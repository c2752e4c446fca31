// How the kernel packs state into lock words: qspinlock bytes, mutex and rw_semaphore owner and count bits.

/** The lock kinds a printed value can be read as. */
export type LockKind = 'spinlock' | 'mutex' | 'rw_semaphore';

/** Type names (as `struct`, `ptype` and `whatis` print them) and the kind of lock they are. */
export const LOCK_TYPES: Readonly<Record<string, LockKind>> = {
  spinlock: 'spinlock',
  spinlock_t: 'spinlock',
  raw_spinlock: 'spinlock',
  raw_spinlock_t: 'spinlock',
  qspinlock: 'spinlock',
  arch_spinlock_t: 'spinlock',
  mutex: 'mutex',
  rw_semaphore: 'rw_semaphore',
};

/**
 * qspinlock `val` (v4.2+, NR_CPUS < 16K): locked byte 0-7, pending byte 8-15, tail 16-31 whose two
 * low bits are the MCS node index and the rest the CPU number plus one (include/asm-generic/qspinlock_types.h).
 */
export const QSPINLOCK = { lockedMask: 0xff, pendingShift: 8, pendingMask: 0xff, tailShift: 16, tailIndexBits: 2 } as const;

/** The low bits of struct mutex `owner` (v4.10+, kernel/locking/mutex.h); the rest is the owning task. */
export const MUTEX_OWNER_FLAGS: ReadonlyArray<[number, string]> = [
  [0x01, 'MUTEX_FLAG_WAITERS'],
  [0x02, 'MUTEX_FLAG_HANDOFF'],
  [0x04, 'MUTEX_FLAG_PICKUP'],
];

/** The low bits of rw_semaphore `owner` (v5.3+, kernel/locking/rwsem.c); the rest is the last owning task. */
export const RWSEM_OWNER_FLAGS: ReadonlyArray<[number, string]> = [
  [0x01, 'RWSEM_READER_OWNED'],
  [0x02, 'RWSEM_NONSPINNABLE'],
];

/** rw_semaphore `count` when `owner` is an atomic_long_t (v5.3+): flag bits, then the reader count from bit 8. */
export const RWSEM_COUNT = { writerLocked: 0x1n, waiters: 0x2n, handoff: 0x4n, readerShift: 8n, readerBits: 55n } as const;

/** Owner words keep flags in these low bits: task_struct is aligned beyond them. */
export const OWNER_FLAG_MASK = 0x07n;
