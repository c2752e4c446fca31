// Poison and magic values (include/linux/poison.h, spinlock debug, KASAN) and ERR_PTR errnos, as data.

import { tx, type Text } from './text';

/** What a pointer holding the value proves about the memory it was loaded from. */
export type PoisonEvidence =
  /** Slab or page poisoning of freed memory: the object had been freed. */
  | 'freed'
  /** list_del()/hlist_del() poison: the entry had been unlinked (freed only if something else says so). */
  | 'list-deleted'
  /** Allocated but never written. */
  | 'uninitialised'
  /** A red zone or end marker around an object: the access ran past it. */
  | 'redzone'
  /** Another marker (page_pool signature, static timer, debug magic): says what the field is, not what happened to it. */
  | 'marker';

export interface PoisonValue {
  id: string;
  /** The exact value; "value + small offset" also matches (a field of a poisoned pointer). */
  value: bigint;
  name: string;
  meaning: Text;
  /** Rough era note. */
  era?: string;
  proves: PoisonEvidence;
}

const rep = (byte: number, bytes = 8): bigint => BigInt('0x' + byte.toString(16).padStart(2, '0').repeat(bytes));

/** Slab/page poison bytes: a pointer loaded from poisoned memory is the byte repeated. */
export const POISON_BYTES: readonly PoisonValue[] = [
  { id: 'POISON_FREE', value: rep(0x6b), name: 'POISON_FREE (0x6b)', meaning: tx('a pointer read from a FREED slab object (slab poisoning): use-after-free', '从已释放的 slab 对象里读出的指针（slab 毒化）：释放后使用（use-after-free）'), proves: 'freed' },
  { id: 'POISON_INUSE', value: rep(0x5a), name: 'POISON_INUSE (0x5a)', meaning: tx('a pointer read from slab memory that was allocated but never initialised', '从已分配但从未初始化的 slab 内存里读出的指针'), proves: 'uninitialised' },
  { id: 'POISON_FREE_END', value: 0xa56b6b6b6b6b6b6bn, name: 'POISON_FREE + POISON_END (0x6b..., 0xa5)', meaning: tx('the last 8 bytes of a FREED slab object: POISON_FREE bytes ending in the POISON_END byte (slab poisoning): use-after-free', '已释放 slab 对象的最后 8 个字节：以 POISON_END 字节结尾的 POISON_FREE 字节（slab 毒化）：释放后使用'), proves: 'freed' },
  { id: 'POISON_END', value: rep(0xa5), name: 'POISON_END (0xa5)', meaning: tx('the end-of-object poison byte: an access just past a poisoned object', '对象末尾的毒化字节：访问越过了被毒化对象的末尾'), proves: 'redzone' },
  { id: 'SLUB_RED_ACTIVE', value: rep(0xcc), name: 'SLUB_RED_ACTIVE / POISON_FREE_INITMEM (0xcc)', meaning: tx('SLUB red zone of a live object, freed init memory, or the pattern of uninitialised stack (CONFIG_INIT_STACK_ALL_PATTERN): an out-of-bounds access, a call into __init code after boot, or an uninitialised local pointer', '活动对象的 SLUB 红区、已释放的 init 内存，或未初始化栈的填充值（CONFIG_INIT_STACK_ALL_PATTERN）：越界访问、启动后调用了 __init 函数，或未初始化的局部指针'), proves: 'redzone' },
  { id: 'SLUB_RED_INACTIVE', value: rep(0xbb), name: 'SLUB_RED_INACTIVE (0xbb)', meaning: tx('SLUB red zone of a free object: use-after-free or out-of-bounds', '空闲对象的 SLUB 红区：释放后使用或越界'), proves: 'freed' },
  { id: 'PAGE_POISON', value: rep(0xaa), name: 'PAGE_POISON (0xaa)', meaning: tx('a freed page poisoned by page_poison: use-after-free of a page', '被 page_poison 毒化的已释放页：页级释放后使用'), proves: 'freed' },
  { id: 'POISON_FREE_32', value: rep(0x6b, 4), name: 'POISON_FREE (0x6b, 32-bit)', meaning: tx('32 bits of a freed slab object: use-after-free', '已释放 slab 对象中的 32 位数据：释放后使用'), proves: 'freed' },
  { id: 'POISON_INUSE_32', value: rep(0x5a, 4), name: 'POISON_INUSE (0x5a, 32-bit)', meaning: tx('32 bits of uninitialised slab memory', '未初始化 slab 内存中的 32 位数据'), proves: 'uninitialised' },
];

/** Poisoned pointers: POISON_POINTER_DELTA (CONFIG_ILLEGAL_POINTER_VALUE, 0xdead000000000000 on x86_64) plus a small offset. */
export const POISON_POINTER_DELTA = 0xdead000000000000n;
export const POISON_POINTERS: readonly PoisonValue[] = [
  { id: 'LIST_POISON1', value: 0xdead000000000100n, name: 'LIST_POISON1', meaning: tx('->next of a list entry already removed with list_del(): the entry was deleted twice or used after removal', '已被 list_del() 摘除的链表节点的 ->next：节点被重复删除，或摘除后仍在使用'), proves: 'list-deleted' },
  { id: 'LIST_POISON2', value: 0xdead000000000122n, name: 'LIST_POISON2', meaning: tx('->prev of a list entry already removed with list_del(): double list_del() or use after removal', '已被 list_del() 摘除的链表节点的 ->prev：重复 list_del() 或摘除后仍在使用'), era: '0x122 in newer kernels, 0x200 in older ones', proves: 'list-deleted' },
  { id: 'LIST_POISON2_OLD', value: 0xdead000000000200n, name: 'LIST_POISON2 (older kernels)', meaning: tx('->prev of a list entry already removed with list_del() (older kernels): double list_del() or use after removal', '已被 list_del() 摘除的链表节点的 ->prev（老内核）：重复 list_del() 或摘除后仍在使用'), proves: 'list-deleted' },
  { id: 'LIST_POISON1_OLD', value: 0xdead000000100100n, name: 'LIST_POISON1 (old 0x00100100)', meaning: tx('->next of a removed list entry (old poison value): double list_del() or use after removal', '已摘除链表节点的 ->next（老的毒化值）：重复 list_del() 或摘除后仍在使用'), proves: 'list-deleted' },
  { id: 'LIST_POISON2_OLDER', value: 0xdead000000200200n, name: 'LIST_POISON2 (old 0x00200200)', meaning: tx('->prev of a removed list entry (old poison value): double list_del() or use after removal', '已摘除链表节点的 ->prev（老的毒化值）：重复 list_del() 或摘除后仍在使用'), proves: 'list-deleted' },
  { id: 'PP_SIGNATURE', value: 0xdead000000000040n, name: 'PP_SIGNATURE', meaning: tx('the page_pool signature in page->pp_magic: a page that belongs to a page_pool', 'page->pp_magic 中的 page_pool 签名：该页属于某个 page_pool'), proves: 'marker' },
  { id: 'TIMER_ENTRY_STATIC', value: 0xdead000000000300n, name: 'TIMER_ENTRY_STATIC', meaning: tx('a statically initialised timer\'s list pointer', '静态初始化定时器的链表指针'), proves: 'marker' },
  { id: 'POISON_POINTER_DELTA', value: POISON_POINTER_DELTA, name: 'POISON_POINTER_DELTA', meaning: tx('a poisoned pointer (0xdead000000000000 + small offset): a freed or deleted object\'s link', '被毒化的指针（0xdead000000000000 + 小偏移）：已释放或已摘除对象的链接指针'), proves: 'marker' },
];

/** Exact magic values that turn up in registers when a structure is misread. */
export const MAGIC_VALUES: readonly PoisonValue[] = [
  { id: 'SPINLOCK_MAGIC', value: 0xdead4eadn, name: 'SPINLOCK_MAGIC (0xdead4ead)', meaning: tx('the magic of a debug spinlock (CONFIG_DEBUG_SPINLOCK): a spinlock field read as something else, or a pointer off by the lock\'s offset', '调试自旋锁（DEBUG_SPINLOCK）的魔数：把自旋锁字段当成了别的东西读，或者指针偏了一个锁的偏移'), proves: 'marker' },
  { id: 'ZERO_SIZE_PTR', value: 0x10n, name: 'ZERO_SIZE_PTR', meaning: tx('what kmalloc(0) returns: something allocated zero bytes and then used the buffer', 'kmalloc(0) 的返回值：分配了 0 字节却去使用这块缓冲区'), proves: 'marker' },
  { id: 'DEADBEEF', value: 0xdeadbeefn, name: '0xdeadbeef', meaning: tx('a conventional "freed/invalid" marker written by some drivers', '一些驱动写入的惯用"已释放/无效"标记'), proves: 'marker' },
];

/** What a poison value (by id, as decodeAddr() reports it) proves, or null for an unknown id. */
export function poisonEvidence(id: string): PoisonEvidence | null {
  for (const table of [POISON_BYTES, POISON_POINTERS, MAGIC_VALUES]) for (const p of table) if (p.id === id) return p.proves;
  return null;
}

/** KASAN: shadow = (addr >> 3) + KASAN_SHADOW_OFFSET; a wild address in the non-canonical hole may be a shadow access. */
export const KASAN_SHADOW_OFFSET = 0xdffffc0000000000n;
export const KASAN_SHADOW_SCALE_SHIFT = 3n;

/** Linux errno names for ERR_PTR values (asm-generic/errno-base.h, errno.h; common ones). */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF', 10: 'ECHILD',
  11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 15: 'ENOTBLK', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV',
  20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE', 24: 'EMFILE', 25: 'ENOTTY', 26: 'ETXTBSY', 27: 'EFBIG', 28: 'ENOSPC',
  29: 'ESPIPE', 30: 'EROFS', 31: 'EMLINK', 32: 'EPIPE', 33: 'EDOM', 34: 'ERANGE', 35: 'EDEADLK', 36: 'ENAMETOOLONG', 38: 'ENOSYS',
  39: 'ENOTEMPTY', 61: 'ENODATA', 62: 'ETIME', 71: 'EPROTO', 75: 'EOVERFLOW', 95: 'EOPNOTSUPP', 110: 'ETIMEDOUT', 113: 'EHOSTUNREACH',
  512: 'ERESTARTSYS', 517: 'EPROBE_DEFER', 524: 'ENOTSUPP',
};

/** MAX_ERRNO: ERR_PTR values are the last 4095 addresses. */
export const MAX_ERRNO = 4095n;
