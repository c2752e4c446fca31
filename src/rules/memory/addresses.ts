// What a faulting x86_64 address says about the pointer that held it: NULL+offset, user, non-canonical, poison (data).

import { hex, hexValue, t } from '../reports';
import type { L10n } from '../types';
import { decodeAddr, type AddrDecode } from '../../decode/addr';

/** Values the kernel writes into freed or deleted objects so that a later use faults recognisably. */
export const POISONS: ReadonlyArray<{ re: RegExp; name: string; meaning: L10n; uaf: boolean; list: boolean }> = [
  { re: /^(?:0x)?(?:6b){4,8}$/i, name: 'POISON_FREE (0x6b)', meaning: t('slab debugging fills freed objects with 0x6b: the pointer was read from a freed object', 'slab 调试会把释放的对象填成 0x6b：这个指针是从已释放对象中读出来的'), uaf: true, list: false },
  { re: /^(?:0x)?(?:6b){3,7}a5$/i, name: 'POISON_FREE/POISON_END', meaning: t('the last byte of a freed object under slab debugging', 'slab 调试下已释放对象的最后一个字节'), uaf: true, list: false },
  { re: /^(?:0x)?(?:5a){4,8}$/i, name: 'POISON_INUSE (0x5a)', meaning: t('slab debugging fills newly allocated objects with 0x5a: the pointer was never initialised', 'slab 调试把刚分配的对象填成 0x5a：这个指针从未初始化'), uaf: false, list: false },
  { re: /^(?:0x)?dead0{9}100$/i, name: 'LIST_POISON1', meaning: t('list_del() writes LIST_POISON1 into entry->next: the entry was already removed from its list', 'list_del() 会把 entry->next 写成 LIST_POISON1：该节点已经从链表中删除'), uaf: true, list: true },
  { re: /^(?:0x)?dead0{9}122$/i, name: 'LIST_POISON2', meaning: t('list_del() writes LIST_POISON2 into entry->prev: the entry was already removed from its list', 'list_del() 会把 entry->prev 写成 LIST_POISON2：该节点已经从链表中删除'), uaf: true, list: true },
  { re: /^(?:0x)?dead0{7}(?:200|400)$/i, name: 'hlist/rb poison', meaning: t('a poison written on deletion of an hlist or rbtree node: the node was already removed', 'hlist 或红黑树节点删除时写入的毒值：该节点已被删除'), uaf: true, list: true },
  { re: /^(?:0x)?(?:cc){4,8}$/i, name: '0xcc fill', meaning: t('0xcc is the fill of uninitialised stack (CONFIG_INIT_STACK_ALL_PATTERN) or int3 padding: an uninitialised pointer', '0xcc 是未初始化栈的填充值（CONFIG_INIT_STACK_ALL_PATTERN）或 int3 填充：未初始化的指针'), uaf: false, list: false },
];

export type AddressKind = 'null' | 'user' | 'non-canonical' | 'kernel' | 'poison';

export interface AddressFacts {
  value: string;
  kind: AddressKind;
  /** For 'null': the offset from NULL (the struct member). */
  offset: bigint | null;
  poison: (typeof POISONS)[number] | null;
  label: L10n;
}

/** Below this, a fault is taken as NULL plus a member offset (the kernel's own NULL-deref threshold is one page; big structs go further). */
const NEAR_NULL = 0x10000n;
const USER_TOP = 0x0000800000000000n;
const KERNEL_BOTTOM = 0xffff800000000000n;

export function poisonOf(value: string): (typeof POISONS)[number] | null {
  const v = value.replace(/^0x/i, '').replace(/^0+(?=.)/, '');
  return POISONS.find((p) => p.re.test(v)) ?? null;
}

export function classifyAddress(value: string): AddressFacts | null {
  const v = hexValue(value);
  if (v === null) return null;
  const shown = '0x' + v.toString(16).padStart(16, '0');
  const poison = poisonOf(v.toString(16));
  if (poison) return { value: shown, kind: 'poison', offset: null, poison, label: t(`${poison.name}: ${poison.meaning.en}`, `${poison.name}：${poison.meaning.zh}`) };
  if (v < NEAR_NULL) {
    return {
      value: shown, kind: 'null', offset: v, poison: null,
      label: v === 0n ? t('NULL itself', 'NULL 本身') : t(`NULL + ${hex(v)}: a field at offset ${hex(v)} of a struct reached through a NULL pointer`, `NULL + ${hex(v)}：通过空指针访问结构体中偏移 ${hex(v)} 处的成员`),
    };
  }
  if (v < USER_TOP) return { value: shown, kind: 'user', offset: null, poison: null, label: t('a user-space address: the kernel dereferenced a user pointer directly, or a kernel pointer was overwritten with a small value', '用户态地址：内核直接解引用了用户态指针，或者内核指针被一个较小的值覆盖') };
  if (v < KERNEL_BOTTOM) return { value: shown, kind: 'non-canonical', offset: null, poison: null, label: t('a non-canonical address (bits 48-63 are not copies of bit 47): no valid pointer looks like this; the pointer is garbage or poison', '非规范地址（第 48-63 位不是第 47 位的复制）：合法指针不会是这个样子；指针是垃圾值或毒值') };
  const d = decodeSafely(v);
  if (d?.errPtr) {
    const name = d.errPtr.name ?? `-${d.errPtr.errno}`;
    return { value: shown, kind: 'kernel', offset: null, poison: null, label: t(`ERR_PTR(${name}): an error code returned as a pointer was dereferenced without an IS_ERR() check`, `ERR_PTR(${name})：把作为指针返回的错误码直接解引用了，没有做 IS_ERR() 检查`) };
  }
  const region = d ? t(` in ${d.regionText.en}`, `，位于${d.regionText.zh}`) : t('', '');
  return { value: shown, kind: 'kernel', offset: null, poison: null, label: t(`a kernel address${region.en} that was not mapped (freed vmalloc/module memory, a stale or wild pointer)`, `未映射的内核地址${region.zh}（已释放的 vmalloc/模块内存、过期指针或野指针）`) };
}

/** General-purpose registers that hold a poison value: the pointer the faulting instruction used came from freed memory. */
export function poisonedRegisters(values: Record<string, string> | undefined): Array<{ reg: string; value: string; poison: (typeof POISONS)[number] }> {
  if (!values) return [];
  const out: Array<{ reg: string; value: string; poison: (typeof POISONS)[number] }> = [];
  for (const [reg, value] of Object.entries(values)) {
    if (!/^(?:R[A-Z0-9]{1,3}|E[A-Z]{2}|X\d{1,2})$/.test(reg) || reg === 'RSP' || reg === 'RIP') continue;
    const p = poisonOf(value);
    if (p) out.push({ reg, value, poison: p });
  }
  return out;
}

function decodeSafely(v: bigint): AddrDecode | null {
  try {
    return decodeAddr(v);
  } catch {
    return null;
  }
}
