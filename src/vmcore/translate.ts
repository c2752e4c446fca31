// Kernel virtual addresses to physical ones, as makedumpfile does on x86_64: the kernel text map by phys_base, everything else by a walk of the kernel's page tables.

import type { PhysicalMemory } from './dump';
import type { VmcoreInfo } from './vmcoreinfo';
import { DumpError, MAX_READ } from './source';

/** Where x86_64 maps the kernel image (`__START_KERNEL_map`), and the size of that map. */
const START_KERNEL_MAP = 0xffffffff80000000n;
const KERNEL_IMAGE_SIZE = 1n << 30n;
const PTE_PRESENT = 1n;
const PTE_HUGE = 1n << 7n;
const PTE_FRAME = 0x000ffffffffff000n;

export interface KernelMemory {
  /** Bytes at a kernel virtual address, or null when the page is not mapped or not in the dump. */
  read(vaddr: bigint, length: number): Buffer | null;
  vtop(vaddr: bigint): bigint | null;
  u64(vaddr: bigint): bigint | null;
  u32(vaddr: bigint): number | null;
}

/** x86_64 (4- and 5-level paging). */
export function x86_64Memory(mem: PhysicalMemory, info: VmcoreInfo): KernelMemory {
  const physBase = info.numbers.get('phys_base') ?? mem.info.physBase ?? 0n;
  const textToPhys = (v: bigint): bigint => v - START_KERNEL_MAP + physBase;
  const top = info.symbols.get('init_top_pgt') ?? info.symbols.get('init_level4_pgt') ?? null;
  const levels = info.numbers.get('pgtable_l5_enabled') === 1n ? 5 : 4;
  const pgd = top !== null ? textToPhys(top) : null;
  // AMD SME sets the encryption bit in every entry: it is not part of the frame address.
  const frame = PTE_FRAME & ~(info.numbers.get('sme_mask') ?? 0n);

  const entry = (table: bigint, index: bigint): bigint | null => {
    const b = mem.readPhys(table + index * 8n, 8);
    return b ? b.readBigUInt64LE(0) : null;
  };

  const vtop = (v: bigint): bigint | null => {
    if (v >= START_KERNEL_MAP && v < START_KERNEL_MAP + KERNEL_IMAGE_SIZE) return textToPhys(v);
    if (pgd === null) return null;
    let table = pgd;
    for (let level = levels; level >= 1; level--) {
      const shift = BigInt(12 + 9 * (level - 1));
      const e = entry(table, (v >> shift) & 0x1ffn);
      if (e === null || (e & PTE_PRESENT) === 0n) return null;
      // A 1 GiB (PUD) or 2 MiB (PMD) page ends the walk.
      if ((level === 3 || level === 2) && (e & PTE_HUGE) !== 0n) {
        const mask = (1n << shift) - 1n;
        return (e & frame & ~mask) | (v & mask);
      }
      table = e & frame;
    }
    return table | (v & 0xfffn);
  };

  const read = (v: bigint, length: number): Buffer | null => {
    if (length < 0 || length > MAX_READ) return null;
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const at = v + BigInt(done);
      const p = vtop(at);
      if (p === null) return null;
      const n = Math.min(length - done, 4096 - Number(at & 0xfffn));
      const b = mem.readPhys(p, n);
      if (!b) return null;
      b.copy(out, done);
      done += n;
    }
    return out;
  };
  return {
    read,
    vtop,
    u64: (v) => read(v, 8)?.readBigUInt64LE(0) ?? null,
    u32: (v) => read(v, 4)?.readUInt32LE(0) ?? null,
  };
}

export function kernelMemory(mem: PhysicalMemory, info: VmcoreInfo): KernelMemory {
  const machine = mem.info.utsMachine ?? (info.symbols.has('init_top_pgt') ? 'x86_64' : null);
  if (machine !== 'x86_64') throw new DumpError(`reading the memory of a ${machine ?? 'non-x86_64'} dump is not supported yet (x86_64 only)`);
  return x86_64Memory(mem, info);
}
