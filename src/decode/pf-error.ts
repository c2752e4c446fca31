// Decodes an x86 page-fault error code ("Oops: 0002", "#PF: error_code(0x0002)") into what the faulting access was.

import { PF_ERROR_BITS } from '../knowledge/pf-error';
import { hex, note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import { parseHexValue } from './common';

export interface PfErrorDecode {
  kind: 'pf-error';
  value: string;
  present: boolean;
  write: boolean;
  user: boolean;
  reservedBit: boolean;
  instructionFetch: boolean;
  protectionKey: boolean;
  shadowStack: boolean;
  sgx: boolean;
  /** Names of the set bits. */
  set: string[];
  bits: Array<{ name: string; bit: number; set: boolean; meaning: Text }>;
  unknownBits: number;
  /** "supervisor write access in kernel mode" as the kernel's #PF: line says. */
  access: Text;
  notes: Note[];
  summary: Text;
}

export function decodePfError(value: string | number | bigint): PfErrorDecode {
  const big = typeof value === 'string' ? parseHexValue(value, 'page-fault error code') : BigInt(value);
  const v = Number(big & 0xffffffffn);
  const has = (bit: number): boolean => ((v >>> bit) & 1) === 1;
  const bits: PfErrorDecode['bits'] = [];
  let known = 0;
  for (const b of PF_ERROR_BITS) {
    known |= (1 << b.bit) >>> 0;
    const set = has(b.bit);
    const meaning = set ? b.set : b.clear;
    if (meaning) bits.push({ name: b.name, bit: b.bit, set, meaning });
  }
  const unknownBits = (v & ~known) >>> 0 || Number(big >> 32n);
  const present = has(0), write = has(1), user = has(2), instr = has(4);
  const op = instr ? tx('instruction fetch', '取指令') : write ? tx('write', '写') : tx('read', '读');
  const what = present ? tx('a present page (protection violation)', '已存在的页（权限违规）') : tx('a page that is not present', '不存在的页');
  const mode = user ? tx('from user mode', '用户态') : tx('from kernel mode', '内核态');
  const notes: Note[] = [];
  if (!user && !present && !instr) {
    notes.push(note('kernel-not-present', 'the kernel touched an unmapped address: a NULL or wild pointer, a freed vmalloc/module area (e.g. a callback of an unloaded module), or a user address used as a kernel pointer', '内核访问了未映射的地址：空指针或野指针、已释放的 vmalloc/模块区域（如已卸载模块的回调），或把用户态地址当成了内核指针'));
  }
  if (!user && present && write) notes.push(note('kernel-write-ro', 'the kernel wrote to a read-only page: rodata/text (CONFIG_STRICT_KERNEL_RWX), or a write through a stale pointer into a page now mapped read-only', '内核写了只读页：rodata/代码段（STRICT_KERNEL_RWX），或者通过过期指针写到了现在只读映射的页'));
  if (!user && instr) notes.push(note('kernel-exec', present ? 'the kernel tried to execute a non-executable page (NX): a corrupted function pointer, or a jump into data' : 'the kernel jumped to an unmapped address: a corrupted function pointer or return address, or code of an unloaded module', present ? '内核试图执行不可执行页（NX）：函数指针被破坏，或者跳进了数据区' : '内核跳到了未映射的地址：函数指针或返回地址被破坏，或者是已卸载模块的代码'));
  if (!user && present && !write && !instr) notes.push(note('kernel-read-prot', 'a kernel read faulted on a present page: usually SMAP (a user address dereferenced outside copy_from_user) or a guard page', '内核读一个已存在的页却出错：通常是 SMAP（在 copy_from_user 之外直接解引用用户地址）或者碰到了保护页'));
  if (has(3)) notes.push(note('rsvd', 'RSVD set: page-table corruption or a hardware problem, not an ordinary bad pointer', 'RSVD 置位：页表被破坏或硬件问题，而不是普通的坏指针'));
  const set = bits.filter((b) => b.set).map((b) => b.name);
  const valueStr = hex(v, 4);
  return {
    kind: 'pf-error', value: valueStr, present, write, user, reservedBit: has(3), instructionFetch: instr, protectionKey: has(5), shadowStack: has(6), sgx: has(15),
    set, bits, unknownBits, notes,
    access: tx(`${user ? 'user' : 'supervisor'} ${instr ? 'instruction fetch' : write ? 'write access' : 'read access'} in ${user ? 'user' : 'kernel'} mode`, `${user ? '用户态' : '内核态'}${instr ? '取指令' : write ? '写访问' : '读访问'}`),
    summary: tx(`${valueStr}: ${op.en} ${instr ? 'from' : write ? 'to' : 'of'} ${what.en}, ${mode.en}`, `${valueStr}：${mode.zh}对${what.zh}的${op.zh}访问`),
  };
}

export function pfErrorLines(r: PfErrorDecode, lang: TextLang): string[] {
  const out = [r.summary[lang]];
  for (const b of r.bits) out.push(`  bit ${String(b.bit).padStart(2)} ${b.set ? '1' : '0'} ${b.name.padEnd(14)} ${b.meaning[lang]}`);
  if (r.unknownBits) out.push(`  ${lang === 'zh' ? '未知位' : 'unknown bits'} ${hex(r.unknownBits)}`);
  for (const n of r.notes) out.push('→ ' + n[lang]);
  return out;
}
