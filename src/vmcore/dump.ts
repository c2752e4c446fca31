// The physical memory of a dump, whatever its format: an ELF64 core (PT_LOAD segments) or a kdump-compressed one (bitmaps, page descriptors, pages compressed one by one).

import { inflateSync } from 'node:zlib';
import { DumpError, FLAT_SIGNATURE, FlattenedBytes, MAX_READ, type DumpBytes } from './source';
import { readNotes, type ElfNote } from './notes';
import { lzo1xDecompress, snappyDecompress, zstdPage } from './decompress';

export type DumpFormat = 'elf64' | 'kdump' | 'kdump-flattened';

export interface DumpInfo {
  format: DumpFormat;
  /** The kernel release and machine the dump's header names (kdump), null for ELF. */
  utsRelease: string | null;
  utsMachine: string | null;
  pageSize: number;
  /** phys_base as the kdump sub-header gives it (the physical address the kernel text was loaded at). */
  physBase: bigint | null;
  /** The dump level makedumpfile filtered with (`-d`), null for ELF. */
  dumpLevel: number | null;
  /** The dump was cut short: pages past its end are not there (kdump status, a truncated file, a stream without its end). */
  incomplete: boolean;
  /** Compression of the pages that use one (zlib, lzo, snappy, zstd). */
  compressions: Set<string>;
  /** A part of a split dump (makedumpfile --split): the pfn range it holds; null for a whole dump. */
  split: { startPfn: bigint; endPfn: bigint } | null;
  /** Pages whose data could not be read (compression not supported, a descriptor past the end): counted, not fatal. */
  unreadablePages: number;
  notes: ElfNote[];
  vmcoreinfo: string | null;
}

export interface PhysicalMemory {
  readonly info: DumpInfo;
  /** `length` bytes at physical address `paddr`, or null when a page of it is not in the dump. */
  readPhys(paddr: bigint, length: number): Buffer | null;
  close(): void;
}

/** What the first bytes say the file is, or null when it is no dump this reader knows. */
export function dumpKind(head: Buffer): { format: DumpFormat } | { refused: string } | null {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) {
    if (head[4] !== 2) return { refused: 'a 32-bit ELF core: only ELF64 dumps are read' };
    if (head.length >= 18 && head.readUInt16LE(16) !== 4) return null; // not ET_CORE: a vmlinux or a module
    return { format: 'elf64' };
  }
  const sig8 = head.subarray(0, 8).toString('latin1');
  if (sig8 === 'KDUMP   ') return { format: 'kdump' };
  if (sig8 === 'DISKDUMP') return { refused: 'an old diskdump image (the diskdump driver of RHEL 4): open it with crash' };
  if (head.subarray(0, 16).toString('latin1').replace(/\0+$/, '') === FLAT_SIGNATURE) return { format: 'kdump-flattened' };
  if (head.subarray(0, 8).toString('latin1') === 'sadump\0\0' || head.subarray(0, 6).toString('latin1') === 'sadump') return { refused: 'a sadump image: open it with crash, or convert it with makedumpfile' };
  if (head.subarray(0, 8).toString('latin1') === 'S390DUMP' || head.subarray(0, 8).equals(Buffer.from([0xa8, 0x19, 0x01, 0x90, 0x00, 0x00, 0x00, 0x00]))) return { refused: 'an s390 stand-alone dump: convert it with zgetdump (s390-tools), then open it here or with crash' };
  return null;
}

const PAGE_CACHE = 256;
/** Bytes of ELF notes read at most, over all note segments. */
const MAX_NOTE_BYTES = 64 * 1024 * 1024;

/** Pages read recently, decompressed: a log and its structures sit on few pages. */
class PageCache {
  private readonly map = new Map<bigint, Buffer | null>();
  get(pfn: bigint): Buffer | null | undefined {
    const v = this.map.get(pfn);
    if (v !== undefined) {
      this.map.delete(pfn);
      this.map.set(pfn, v);
    }
    return v;
  }
  set(pfn: bigint, v: Buffer | null): void {
    if (this.map.size >= PAGE_CACHE) this.map.delete(this.map.keys().next().value as bigint);
    this.map.set(pfn, v);
  }
}

export abstract class PagedMemory implements PhysicalMemory {
  private readonly cache = new PageCache();
  /** Called with every page read (a tool that keeps only the pages a reader needs). */
  onPage: ((pfn: bigint) => void) | null = null;
  constructor(readonly info: DumpInfo, protected readonly bytes: DumpBytes) {}
  protected abstract page(pfn: bigint): Buffer | null;

  readPhys(paddr: bigint, length: number): Buffer | null {
    if (length < 0 || length > 64 * 1024 * 1024 || paddr < 0n) return null;
    const ps = BigInt(this.info.pageSize);
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const at = paddr + BigInt(done);
      const pfn = at / ps;
      let p = this.cache.get(pfn);
      if (p === undefined) {
        p = this.page(pfn);
        this.cache.set(pfn, p);
        this.onPage?.(pfn);
      }
      if (!p) return null;
      const off = Number(at % ps);
      const n = Math.min(length - done, this.info.pageSize - off);
      p.copy(out, done, off, off + n);
      done += n;
    }
    return out;
  }

  close(): void {
    this.bytes.close();
  }
}

// ---- ELF64 core ----

interface Load {
  paddr: bigint;
  offset: number;
  filesz: bigint;
}

export class ElfMemory extends PagedMemory {
  constructor(info: DumpInfo, bytes: DumpBytes, private readonly loads: Load[]) {
    super(info, bytes);
  }

  protected page(pfn: bigint): Buffer | null {
    const ps = BigInt(this.info.pageSize);
    const pa = pfn * ps;
    const l = this.loads.find((x) => pa >= x.paddr && pa < x.paddr + x.filesz);
    if (!l) return null;
    const at = l.offset + Number(pa - l.paddr);
    if (!Number.isSafeInteger(at)) return null;
    let b: Buffer;
    try {
      b = this.bytes.read(at, this.info.pageSize);
    } catch {
      this.info.unreadablePages++;
      return null;
    }
    if (b.length < this.info.pageSize) return null;
    return b;
  }
}

function openElf(bytes: DumpBytes): PhysicalMemory {
  const eh = bytes.read(0, 64);
  if (eh.length < 64) throw new DumpError('the ELF header is cut short');
  if (eh[5] !== 1) throw new DumpError('a big-endian ELF core: only little-endian dumps are read');
  const machine = eh.readUInt16LE(18);
  const phoff = Number(eh.readBigUInt64LE(32));
  const phentsize = eh.readUInt16LE(54);
  const phnum = eh.readUInt16LE(56);
  if (phentsize < 56 || phnum === 0 || phnum > 65_535) throw new DumpError(`the ELF program header table is not valid (${phnum} entries of ${phentsize} bytes)`);
  const table = bytes.read(phoff, phnum * phentsize);
  if (table.length < phnum * phentsize) throw new DumpError('the ELF program header table is past the end of the file: the dump is cut short');
  const loads: Load[] = [];
  const notes: ElfNote[] = [];
  let incomplete = false;
  let noteBytes = 0;
  const notesRead = new Set<string>();
  let physBase: bigint | null = null;
  for (let i = 0; i < phnum; i++) {
    const p = table.subarray(i * phentsize);
    const type = p.readUInt32LE(0);
    const offset = Number(p.readBigUInt64LE(8));
    const vaddr = p.readBigUInt64LE(16);
    const paddr = p.readBigUInt64LE(24);
    const filesz = p.readBigUInt64LE(32);
    // A segment that is not in the file is not read (a hostile offset, or a dump cut short).
    if (!Number.isSafeInteger(offset) || offset < 0 || filesz > BigInt(Number.MAX_SAFE_INTEGER)) {
      incomplete = true;
      continue;
    }
    if (type === 1) {
      if (offset + Number(filesz) > bytes.size) incomplete = true;
      loads.push({ paddr, offset, filesz });
      // /proc/vmcore maps the kernel image at __START_KERNEL_map: its load gives phys_base (kernels before 4.10 do not say it).
      if (physBase === null && vaddr >= 0xffffffff80000000n && vaddr < 0xffffffffc0000000n) physBase = paddr - (vaddr - 0xffffffff80000000n);
    } else if (type === 4 && filesz < 64n * 1024n * 1024n && noteBytes + Number(filesz) <= MAX_NOTE_BYTES && !notesRead.has(`${offset}:${filesz}`)) {
      // Note segments are read once each and 64 MiB in all: a table of headers pointing at one region is not read again and again.
      notesRead.add(`${offset}:${filesz}`);
      noteBytes += Number(filesz);
      notes.push(...readNotes(bytes.read(offset, Number(filesz))));
    }
  }
  const vmcoreinfo = notes.find((n) => n.name === 'VMCOREINFO')?.desc.toString('latin1') ?? null;
  const pageSize = Number(/^PAGESIZE=(\d{1,8})$/m.exec(vmcoreinfo ?? '')?.[1] ?? 4096);
  const info: DumpInfo = {
    format: 'elf64',
    utsRelease: null,
    utsMachine: machine === 62 ? 'x86_64' : machine === 183 ? 'aarch64' : null,
    pageSize: pageSize >= 4096 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0 ? pageSize : 4096,
    physBase,
    dumpLevel: null,
    incomplete,
    split: null,
    compressions: new Set(),
    unreadablePages: 0,
    notes,
    vmcoreinfo,
  };
  return new ElfMemory(info, bytes, loads);
}

// ---- kdump-compressed (makedumpfile's diskdump format) ----

/** Page descriptor flags of the page data's compression. */
const COMPRESSION_FLAGS: ReadonlyArray<{ bit: number; name: string }> = [
  { bit: 0x1, name: 'zlib' },
  { bit: 0x2, name: 'lzo' },
  { bit: 0x4, name: 'snappy' },
  { bit: 0x20, name: 'zstd' },
];
const DUMP_DH_COMPRESSED_INCOMPLETE = 0x8;
/** The kdump header's status bits. */
const DUMP_DH_STATUS_INCOMPLETE = 0x8 << 0; // DUMP_DH_COMPRESSED_INCOMPLETE in `status`
const PAGE_DESC_SIZE = 24;
/** Milliseconds spent on damaged compressed pages before the others are left undecoded. */
const DAMAGED_PAGES_MS = 5000;
/** Bytes of the dumped-page bitmap read at most (a 64 TiB machine of 4 KiB pages). */
const MAX_BITMAP_BYTES = 512 * 1024 * 1024;
/** Pfns a rank entry covers. */
const RANK_STEP = 4096;

export class KdumpMemory extends PagedMemory {
  /** Dumped pages before each RANK_STEP pfns. */
  private readonly ranks: Uint32Array;
  /** Time spent on pages that did not decompress. */
  private failedMs = 0;

  constructor(
    info: DumpInfo,
    bytes: DumpBytes,
    private readonly bitmap: Buffer,
    private readonly maxPfn: bigint,
    private readonly descStart: number,
  ) {
    super(info, bytes);
    const steps = Math.ceil(Math.min(Number(maxPfn), bitmap.length * 8) / RANK_STEP);
    this.ranks = new Uint32Array(steps + 1);
    let total = 0;
    for (let s = 0; s < steps; s++) {
      this.ranks[s] = total;
      const from = (s * RANK_STEP) / 8;
      const to = Math.min(bitmap.length, from + RANK_STEP / 8);
      for (let i = from; i < to; i++) total += POPCOUNT[bitmap[i]];
    }
    this.ranks[steps] = total;
  }

  private dumped(pfn: number): boolean {
    const byte = pfn >> 3;
    return byte < this.bitmap.length && (this.bitmap[byte] & (1 << (pfn & 7))) !== 0;
  }

  /** The page's descriptor and its data as stored (compressed or not), for a tool that copies pages. */
  rawPage(pfnBig: bigint): { descriptor: Buffer; data: Buffer } | null {
    const d = this.descriptorOf(pfnBig);
    if (!d) return null;
    const offset = Number(d.readBigInt64LE(0));
    const size = d.readUInt32LE(8);
    if (offset <= 0 || size === 0 || size > this.info.pageSize * 2) return null;
    const data = this.bytes.read(offset, size);
    return data.length === size ? { descriptor: d, data } : null;
  }

  private descriptorOf(pfnBig: bigint): Buffer | null {
    if (pfnBig >= this.maxPfn) return null;
    const pfn = Number(pfnBig);
    if (!this.dumped(pfn)) return null;
    const step = Math.floor(pfn / RANK_STEP);
    let index = this.ranks[step];
    for (let i = step * RANK_STEP; i < pfn; ) {
      if ((i & 7) === 0 && i + 8 <= pfn) {
        index += POPCOUNT[this.bitmap[i >> 3]];
        i += 8;
      } else {
        if (this.dumped(i)) index++;
        i++;
      }
    }
    try {
      const d = this.bytes.read(this.descStart + index * PAGE_DESC_SIZE, PAGE_DESC_SIZE);
      return d.length === PAGE_DESC_SIZE ? d : null;
    } catch {
      return null;
    }
  }

  protected page(pfnBig: bigint): Buffer | null {
    if (pfnBig >= this.maxPfn) return null;
    const pfn = Number(pfnBig);
    if (!this.dumped(pfn)) return null;
    const d = this.descriptorOf(pfnBig);
    if (!d) return this.unreadable();
    const offset = Number(d.readBigInt64LE(0));
    const size = d.readUInt32LE(8);
    const flags = d.readUInt32LE(12);
    const ps = this.info.pageSize;
    if ((flags & DUMP_DH_COMPRESSED_INCOMPLETE) !== 0 || offset <= 0 || size === 0 || size > ps * 2 || offset + size > this.bytes.size) return this.unreadable();
    const data = this.bytes.read(offset, size);
    if (data.length < size) return this.unreadable();
    const c = COMPRESSION_FLAGS.find((x) => (flags & x.bit) !== 0);
    if (!c) return size === ps ? data : this.unreadable();
    this.info.compressions.add(c.name);
    // Damaged pages can be slow to reject: past a budget of time spent on them, compressed pages are no longer decoded.
    if (this.failedMs > DAMAGED_PAGES_MS) return this.unreadable();
    const t0 = Date.now();
    try {
      const page = c.name === 'zlib' ? inflateSync(data, { maxOutputLength: ps }) : c.name === 'lzo' ? lzo1xDecompress(data, ps) : c.name === 'snappy' ? snappyDecompress(data, ps) : zstdPage(data, ps);
      if (page.length === ps) return page;
    } catch {
      // counted below
    }
    this.failedMs += Date.now() - t0;
    return this.unreadable();
  }

  private unreadable(): null {
    this.info.unreadablePages++;
    return null;
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

function cString(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('latin1');
}

function openKdump(bytes: DumpBytes, format: DumpFormat): PhysicalMemory {
  const h = bytes.read(0, 512);
  if (h.length < 464) throw new DumpError('the kdump header is cut short');
  const version = h.readInt32LE(8);
  // struct new_utsname: six fields of 65 bytes from offset 12; release is the third, machine the fifth.
  const utsRelease = cString(h.subarray(12 + 65 * 2, 12 + 65 * 3)) || null;
  const utsMachine = cString(h.subarray(12 + 65 * 4, 12 + 65 * 5)) || null;
  const status = h.readUInt32LE(424);
  const blockSize = h.readInt32LE(428);
  const subHdrSize = h.readInt32LE(432);
  const bitmapBlocks = h.readUInt32LE(436);
  let maxMapnr = BigInt(h.readUInt32LE(440));
  if (blockSize < 1024 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0) throw new DumpError(`the kdump header's block size (${blockSize}) is not a page size: the header is damaged`);
  if (subHdrSize < 0 || subHdrSize > 1 << 20 || bitmapBlocks === 0) throw new DumpError('the kdump header is damaged (sub-header or bitmap size out of range)');
  const sub = bytes.read(blockSize, 104);
  const physBase = sub.length >= 8 ? sub.readBigUInt64LE(0) : null;
  const dumpLevel = sub.length >= 12 ? sub.readInt32LE(8) : null;
  const split = version >= 2 && sub.length >= 32 && sub.readInt32LE(12) !== 0 ? { startPfn: sub.readBigUInt64LE(16), endPfn: sub.readBigUInt64LE(24) } : null;
  let vmcoreinfo: string | null = null;
  let notes: ElfNote[] = [];
  if (version >= 3 && sub.length >= 48) {
    const off = Number(sub.readBigInt64LE(32));
    const size = Number(sub.readBigUInt64LE(40));
    if (off > 0 && size > 0 && size < 1 << 20) vmcoreinfo = bytes.read(off, size).toString('latin1');
  }
  if (version >= 4 && sub.length >= 64) {
    const off = Number(sub.readBigInt64LE(48));
    const size = Number(sub.readBigUInt64LE(56));
    if (off > 0 && size > 0 && size < 64 << 20) notes = readNotes(bytes.read(off, size));
  }
  if (version >= 6 && sub.length >= 104) {
    const m64 = sub.readBigUInt64LE(96);
    if (m64 > 0n) maxMapnr = m64;
  }
  vmcoreinfo ??= notes.find((n) => n.name === 'VMCOREINFO')?.desc.toString('latin1') ?? null;
  const bitmapStart = (1 + subHdrSize) * blockSize;
  const bitmapBytes = (bitmapBlocks * blockSize) / 2;
  if (bitmapBytes > MAX_BITMAP_BYTES) throw new DumpError(`the kdump bitmap (${bitmapBytes} bytes) is larger than any machine's: the header is damaged`);
  // The second bitmap marks the pages written to the dump; their descriptors follow the bitmaps in pfn order.
  const bitmap = readChunked(bytes, bitmapStart + bitmapBytes, bitmapBytes);
  const descStart = bitmapStart + bitmapBlocks * blockSize;
  const info: DumpInfo = {
    format,
    utsRelease,
    utsMachine,
    pageSize: blockSize,
    physBase,
    dumpLevel,
    split,
    incomplete: (status & DUMP_DH_STATUS_INCOMPLETE) !== 0 || bitmap.length < bitmapBytes || (bytes instanceof FlattenedBytes && bytes.truncated),
    compressions: new Set(),
    unreadablePages: 0,
    notes,
    vmcoreinfo,
  };
  return new KdumpMemory(info, bytes, bitmap, maxMapnr, descStart);
}

/** A long range read in parts of at most MAX_READ bytes (the bitmap of a machine of terabytes). */
function readChunked(bytes: DumpBytes, at: number, length: number): Buffer {
  if (length <= MAX_READ) return bytes.read(at, length);
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const b = bytes.read(at + done, Math.min(MAX_READ, length - done));
    b.copy(out, done);
    if (b.length === 0) return out.subarray(0, done);
    done += b.length;
  }
  return out;
}

/** Opens the physical memory of a dump of a known format. */
export function openPhysical(file: DumpBytes, format: DumpFormat): PhysicalMemory {
  if (format === 'elf64') return openElf(file);
  if (format === 'kdump') return openKdump(file, format);
  const flat = new FlattenedBytes(file);
  const head = flat.read(0, 8).toString('latin1');
  if (head !== 'KDUMP   ') {
    flat.close();
    throw new DumpError('a flattened makedumpfile stream that does not hold a kdump image (rebuild it with `makedumpfile -R` and check it)');
  }
  return openKdump(flat, format);
}
