// The kernel's own symbol table, read from the dump through the kallsyms tables VMCOREINFO points at (6.0+): addresses named with no vmlinux.

import type { KernelMemory } from './translate';
import { symbolOf, type VmcoreInfo } from './vmcoreinfo';

export interface KernelSymbols {
  count: number;
  /** The symbol an address is in, with the offset into it (`native_safe_halt+0xb`), or null outside the kernel image. */
  lookup(address: bigint): { name: string; offset: number; text: boolean } | null;
  /** The address of a symbol by its name (the first of that name). */
  address(name: string): bigint | null;
}

/** Symbols read at most: a table of garbage ends here. */
const MAX_SYMBOLS = 2_000_000;
const CHUNK = 64 * 1024;
/** The kernel's KSYM_NAME_LEN (512 since 6.1), with the type character. */
const KSYM_NAME_LEN = 513;
/** A token expands to a few characters (the table is built from common substrings). */
const MAX_TOKEN = 128;
/** Characters of all names at most: a kernel of 2 million symbols of 32 characters on average. */
const MAX_NAME_BYTES = 64 * 1024 * 1024;
/** The kernel image is at most this large: an address further past the last symbol is not the kernel's. */
const MAX_PAST_LAST = 1n << 24n;

export function readKallsyms(mem: KernelMemory, info: VmcoreInfo): KernelSymbols {
  const count = mem.u32(symbolOf(info, 'kallsyms_num_syms'));
  if (count === null || count === 0 || count > MAX_SYMBOLS) throw new Error('the kallsyms table is not in the dump');
  const tokenIndex = mem.read(symbolOf(info, 'kallsyms_token_index'), 512);
  const tokenTable = mem.read(symbolOf(info, 'kallsyms_token_table'), CHUNK);
  const offsets = mem.read(symbolOf(info, 'kallsyms_offsets'), count * 4);
  const base = mem.u64(symbolOf(info, 'kallsyms_relative_base'));
  if (!tokenIndex || !tokenTable || !offsets || base === null) throw new Error('the kallsyms tables are not in the dump');
  const tokens: string[] = [];
  for (let t = 0; t < 256; t++) {
    const at = tokenIndex.readUInt16LE(t * 2);
    const end = tokenTable.indexOf(0, at);
    if (end < 0 || end - at > MAX_TOKEN) throw new Error('the kallsyms token table is not valid');
    tokens.push(tokenTable.subarray(at, end).toString('latin1'));
  }
  // Names: a length (one byte, or two when its top bit is set) then that many token indices.
  const namesAt = symbolOf(info, 'kallsyms_names');
  let chunk = mem.read(namesAt, CHUNK);
  let chunkAt = 0;
  let pos = 0;
  const byte = (): number => {
    if (!chunk) throw new Error('the kallsyms names are not in the dump');
    if (pos - chunkAt >= chunk.length) {
      chunkAt = pos;
      chunk = mem.read(namesAt + BigInt(pos), CHUNK);
      if (!chunk) throw new Error('the kallsyms names are cut short in the dump');
    }
    return chunk[pos++ - chunkAt];
  };
  const names: string[] = new Array(count);
  /** The symbol is code (kallsyms types t, T, w, W). */
  const code = new Uint8Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    let len = byte();
    if ((len & 0x80) !== 0) len = (len & 0x7f) | (byte() << 7);
    let s = '';
    for (let k = 0; k < len; k++) {
      s += tokens[byte()];
      if (s.length > KSYM_NAME_LEN) throw new Error('a kallsyms name is longer than the kernel allows: the table is not valid');
    }
    total += s.length;
    if (total > MAX_NAME_BYTES) throw new Error('the kallsyms names are larger than any kernel\'s: the table is not valid');
    // The first character is the symbol's type.
    names[i] = s.slice(1);
    code[i] = /^[tTwW]/.test(s) ? 1 : 0;
  }
  // Base-relative offsets; with absolute per-CPU symbols (x86_64 SMP) the kernel's own are negative.
  const raw = new Int32Array(count);
  let negative = 0;
  for (let i = 0; i < count; i++) {
    raw[i] = offsets.readInt32LE(i * 4);
    if (raw[i] < 0) negative++;
  }
  const absolutePercpu = negative * 2 > count;
  const addresses = new BigUint64Array(count);
  for (let i = 0; i < count; i++) {
    const o = raw[i];
    addresses[i] = absolutePercpu ? (o >= 0 ? BigInt(o) : base - 1n - BigInt(o)) : base + BigInt(o >>> 0);
  }
  // Sorted by address, as kallsyms keeps them (absolute per-CPU ones first).
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => (addresses[a] < addresses[b] ? -1 : addresses[a] > addresses[b] ? 1 : 0));
  const sorted = BigUint64Array.from(order, (i) => addresses[i]);
  const sortedNames = order.map((i) => names[i]);
  const sortedCode = Uint8Array.from(order, (i) => code[i]);
  const last = sorted[count - 1];
  const byName = new Map<string, bigint>();
  for (let i = 0; i < count; i++) if (!byName.has(names[i])) byName.set(names[i], addresses[i]);
  return {
    count,
    address: (name) => byName.get(name) ?? null,
    lookup(address) {
      if (address < base || address > last + MAX_PAST_LAST) return null;
      let lo = 0;
      let hi = count - 1;
      let at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] <= address) {
          at = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (at < 0) return null;
      return { name: sortedNames[at], offset: Number(address - sorted[at]), text: sortedCode[at] === 1 };
    },
  };
}
