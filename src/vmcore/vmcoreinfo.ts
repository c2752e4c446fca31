// VMCOREINFO: the `KEY=VALUE` note the kernel leaves for dump readers (its release, page size, KASLR offset, and the symbols, offsets and sizes of the structures a reader needs).

/** What VMCOREINFO says, its raw entries kept. */
export interface VmcoreInfo {
  osrelease: string | null;
  pageSize: number | null;
  /** KASLR's offset of the kernel image (KERNELOFFSET), null when not printed. */
  kernelOffset: bigint | null;
  /** CRASHTIME, seconds since the epoch, appended when the kernel crashed. */
  crashTime: number | null;
  buildId: string | null;
  symbols: Map<string, bigint>;
  offsets: Map<string, number>;
  sizes: Map<string, number>;
  lengths: Map<string, number>;
  numbers: Map<string, bigint>;
  raw: Map<string, string>;
}

/** Entries kept at most: a hostile note gives a bounded table. */
const MAX_ENTRIES = 8192;

const ENTRY = /^([A-Z_]{1,16})\(([\w.]{1,96})\)=(.{0,64})$/;

function num(v: string, hex: boolean): bigint | null {
  const s = v.trim();
  if (hex ? !/^(?:0x)?[0-9a-fA-F]{1,16}$/.test(s) : !/^-?\d{1,20}$/.test(s)) return null;
  return BigInt(hex && !s.startsWith('0x') ? `0x${s}` : s);
}

export function parseVmcoreInfo(text: string): VmcoreInfo {
  const info: VmcoreInfo = { osrelease: null, pageSize: null, kernelOffset: null, crashTime: null, buildId: null, symbols: new Map(), offsets: new Map(), sizes: new Map(), lengths: new Map(), numbers: new Map(), raw: new Map() };
  let n = 0;
  for (const line of text.split('\n')) {
    if (++n > MAX_ENTRIES) break;
    const l = line.replace(/\0+$/, '');
    const e = ENTRY.exec(l);
    if (e) {
      const [, kind, name, value] = e;
      if (kind === 'SYMBOL') {
        const v = num(value, true);
        if (v !== null) info.symbols.set(name, v);
      } else if (kind === 'OFFSET' || kind === 'SIZE' || kind === 'LENGTH') {
        const v = num(value, false);
        if (v !== null) (kind === 'OFFSET' ? info.offsets : kind === 'SIZE' ? info.sizes : info.lengths).set(name, Number(v));
      } else if (kind === 'NUMBER') {
        const v = num(value, false) ?? num(value, true);
        if (v !== null) info.numbers.set(name, v);
      }
      continue;
    }
    const eq = l.indexOf('=');
    if (eq <= 0 || eq > 64) continue;
    const key = l.slice(0, eq);
    const value = l.slice(eq + 1, eq + 1 + 256);
    info.raw.set(key, value);
    if (key === 'OSRELEASE') info.osrelease = value.trim() || null;
    else if (key === 'PAGESIZE' && /^\d{1,8}$/.test(value)) info.pageSize = Number(value);
    else if (key === 'KERNELOFFSET') info.kernelOffset = num(value, true);
    else if (key === 'CRASHTIME' && /^\d{1,12}$/.test(value)) info.crashTime = Number(value);
    else if (key === 'BUILD-ID' && /^[0-9a-f]{8,80}$/.test(value)) info.buildId = value;
  }
  return info;
}

/** An OFFSET() the reader needs, or an error that names it. */
export function offsetOf(info: VmcoreInfo, name: string): number {
  const v = info.offsets.get(name);
  if (v === undefined) throw new Error(`VMCOREINFO has no OFFSET(${name})`);
  return v;
}

export function sizeOf(info: VmcoreInfo, name: string): number {
  const v = info.sizes.get(name);
  if (v === undefined) throw new Error(`VMCOREINFO has no SIZE(${name})`);
  return v;
}

export function symbolOf(info: VmcoreInfo, name: string): bigint {
  const v = info.symbols.get(name);
  if (v === undefined) throw new Error(`VMCOREINFO has no SYMBOL(${name})`);
  return v;
}
