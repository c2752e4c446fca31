// What a faulting x86_64 address says about the pointer that held it: NULL+offset, user, non-canonical, poison, ERR_PTR.

import { hex, hexValue } from '../reports';
import { messenger } from '../messages';
import type { L10n } from '../types';
import { decodeAddr, type AddrDecode } from '../../decode/addr';
import { poisonEvidence, type PoisonEvidence } from '../../knowledge/poison';

export type AddressKind = 'null' | 'user' | 'non-canonical' | 'kernel' | 'poison' | 'err-ptr';

export interface Poison {
  id: string;
  name: string;
  /** How far past the poison value the access went (a member of the poisoned pointer). */
  offset: number;
  meaning: L10n;
  proves: PoisonEvidence;
}

export interface AddressFacts {
  value: string;
  kind: AddressKind;
  /** For 'null': the offset from NULL (the struct member). */
  offset: bigint | null;
  poison: Poison | null;
  /** What the address is, as a phrase for evidence notes. */
  label: L10n;
}

/** The phrases an address gets; rules that quote addresses spread these into their own messages. */
export const addressMessages = {
  addrPoison: { en: '{{name}}: {{meaning}}', zh: '毒值 {{name}}：{{meaning}}' },
  addrNull: { en: 'NULL itself', zh: 'NULL 本身' },
  addrNullMember: { en: 'NULL + {{offset}}: a field at offset {{offset}} of a struct reached through a NULL pointer', zh: 'NULL + {{offset}}：通过空指针访问结构体中偏移 {{offset}} 处的成员' },
  addrUser: { en: 'a user-space address: the kernel dereferenced a user pointer directly, or a kernel pointer was overwritten with a small value', zh: '用户态地址：内核直接解引用了用户态指针，或者内核指针被一个较小的值覆盖' },
  addrNonCanonical: { en: 'a non-canonical address (bits 48-63 are not copies of bit 47): no valid pointer looks like this, so the pointer is garbage or poison', zh: '非规范地址（第 48-63 位不是第 47 位的复制）：合法指针不会是这个样子，指针是垃圾值或毒值' },
  addrErrPtr: { en: 'ERR_PTR({{errno}}): an error code returned as a pointer was dereferenced without an IS_ERR() check', zh: 'ERR_PTR({{errno}})：把作为指针返回的错误码直接解引用了，没有做 IS_ERR() 检查' },
  addrKernelIn: { en: 'a kernel address in {{region}} that was not mapped (freed vmalloc or module memory, a stale or wild pointer)', zh: '位于{{region}}的未映射内核地址（已释放的 vmalloc/模块内存、过期指针或野指针）' },
  addrKernel: { en: 'a kernel address that was not mapped (freed vmalloc or module memory, a stale or wild pointer)', zh: '未映射的内核地址（已释放的 vmalloc/模块内存、过期指针或野指针）' },
} satisfies Record<string, L10n>;

const msg = messenger(addressMessages);

/** Below this, a fault is taken as NULL plus a member offset (the kernel's own NULL-deref threshold is one page; big structs go further). */
const NEAR_NULL = 0x10000n;
const USER_TOP = 0x0000800000000000n;
const KERNEL_BOTTOM = 0xffff800000000000n;

function decodeSafely(v: bigint): AddrDecode | null {
  try {
    return decodeAddr(v);
  } catch {
    return null;
  }
}

/** The poison value (include/linux/poison.h, slab debugging) a value is, or is a small offset past. */
export function poisonOf(value: string | bigint): Poison | null {
  const v = typeof value === 'bigint' ? value : hexValue(value);
  if (v === null) return null;
  const p = decodeSafely(v)?.poison ?? null;
  if (!p) return null;
  const proves = poisonEvidence(p.id);
  // Small magic values (ZERO_SIZE_PTR = 0x10) are far more often NULL plus a member offset.
  if (proves === null || (proves === 'marker' && v < NEAR_NULL)) return null;
  return { id: p.id, name: p.name, offset: p.offset, meaning: p.meaning, proves };
}

export function classifyAddress(value: string): AddressFacts | null {
  const v = hexValue(value);
  if (v === null) return null;
  const shown = '0x' + v.toString(16).padStart(16, '0');
  const poison = poisonOf(v);
  if (poison && poison.proves !== 'marker') return { value: shown, kind: 'poison', offset: null, poison, label: msg('addrPoison', { name: poison.name, meaning: poison.meaning }) };
  if (v < NEAR_NULL) return { value: shown, kind: 'null', offset: v, poison: null, label: v === 0n ? msg('addrNull') : msg('addrNullMember', { offset: hex(v) }) };
  if (v < USER_TOP) return { value: shown, kind: 'user', offset: null, poison: null, label: msg('addrUser') };
  if (v < KERNEL_BOTTOM) return { value: shown, kind: 'non-canonical', offset: null, poison, label: poison ? msg('addrPoison', { name: poison.name, meaning: poison.meaning }) : msg('addrNonCanonical') };
  const d = decodeSafely(v);
  if (d?.errPtr) return { value: shown, kind: 'err-ptr', offset: null, poison: null, label: msg('addrErrPtr', { errno: d.errPtr.name ?? `-${d.errPtr.errno}` }) };
  return { value: shown, kind: 'kernel', offset: null, poison: null, label: d ? msg('addrKernelIn', { region: d.regionText }) : msg('addrKernel') };
}

/** General-purpose registers that hold a poison value: the pointer the faulting instruction used came from poisoned memory. */
export function poisonedRegisters(values: Record<string, string> | undefined): Array<{ reg: string; value: string; poison: Poison }> {
  if (!values) return [];
  const out: Array<{ reg: string; value: string; poison: Poison }> = [];
  for (const [reg, value] of Object.entries(values)) {
    if (!/^(?:R[A-Z0-9]{1,3}|E[A-Z]{2}|X\d{1,2})$/.test(reg) || reg === 'RSP' || reg === 'RIP' || reg === 'EFLAGS') continue;
    const p = poisonOf(value);
    // Registers hold counters and flags too: only values that prove something about memory count.
    if (p && p.proves !== 'marker') out.push({ reg, value, poison: p });
  }
  return out;
}
