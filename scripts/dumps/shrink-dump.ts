// Writes a small copy of a dump that holds only the pages ktriage's native reader needs (the page
// tables it walks, the printk ring, the kallsyms tables, each CPU's stack from its RSP): a real dump, as makedumpfile's filtering
// would leave it, small enough to commit as a test fixture. The pages are copied as they are
// (compressed pages keep their compression), with the dump's own headers, notes and VMCOREINFO.
//
// Usage (after npm run build):
//   node dist/scripts/dumps/shrink-dump.js IN OUT [--flattened|--plain] [--log-only] [--compress lzo|snappy|zstd]
// IN: an ELF64 or kdump-compressed (plain or flattened) vmcore. OUT is written in IN's format
// (a flattened IN gives a flattened OUT unless --plain is given; --flattened flattens a plain one).
// --log-only keeps the log's pages without the kallsyms tables. --compress (a kdump IN) compresses
// every kept page again as makedumpfile -l, -p or -z does (LZO1X-1, raw snappy, a zstd frame), with
// the real libraries (Debian's python3-lzo and python3-snappy, the zstd program); a page that does
// not shrink is kept plain, as makedumpfile keeps it.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBytes, FlattenedBytes, type DumpBytes } from '../../src/vmcore/source';
import { dumpKind, openPhysical, KdumpMemory, ElfMemory, type PagedMemory } from '../../src/vmcore/dump';
import { parseVmcoreInfo } from '../../src/vmcore/vmcoreinfo';
import { kernelMemory } from '../../src/vmcore/translate';
import { readKernelLog } from '../../src/vmcore/printk';
import { readKallsyms } from '../../src/vmcore/kallsyms';
import { prstatusRegisters } from '../../src/vmcore/notes';
import { stackEntries } from '../../src/vmcore/index';

function pagesNeeded(mem: PagedMemory, logOnly: boolean): bigint[] {
  const pages = new Set<bigint>();
  mem.onPage = (pfn) => pages.add(pfn);
  const info = parseVmcoreInfo(mem.info.vmcoreinfo ?? '');
  const km = kernelMemory(mem, info);
  readKernelLog(km, info);
  if (!logOnly) try {
    const symbols = readKallsyms(km, info);
    // Each CPU's stack, for the code addresses on it.
    for (const c of prstatusRegisters(mem.info.notes)) if (c.registers.RSP) stackEntries(km, symbols, BigInt(`0x${c.registers.RSP}`));
  } catch {
    // A kernel without kallsyms in VMCOREINFO: the log alone.
  }
  return [...pages].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

class Out {
  private fd: number;
  private pos = 0;
  constructor(path: string, private readonly flattened: boolean) {
    this.fd = openSync(path, 'w');
    if (flattened) {
      const h = Buffer.alloc(4096);
      h.write('makedumpfile', 0, 'latin1');
      h.writeBigInt64BE(1n, 16);
      h.writeBigInt64BE(1n, 24);
      writeSync(this.fd, h);
    }
  }
  /** Writes `b` at image offset `at` (in order for a plain file). */
  put(at: number, b: Buffer): void {
    if (this.flattened) {
      const r = Buffer.alloc(16);
      r.writeBigInt64BE(BigInt(at), 0);
      r.writeBigInt64BE(BigInt(b.length), 8);
      writeSync(this.fd, r);
      writeSync(this.fd, b);
      return;
    }
    if (at > this.pos) writeSync(this.fd, Buffer.alloc(at - this.pos));
    writeSync(this.fd, b);
    this.pos = Math.max(this.pos, at + b.length);
  }
  close(): void {
    if (this.flattened) {
      const end = Buffer.alloc(16);
      end.writeBigInt64BE(-1n, 0);
      writeSync(this.fd, end);
    }
    closeSync(this.fd);
  }
}

/** The descriptor flag of each compression (makedumpfile's DUMP_DH_COMPRESSED_*). */
const FLAGS: Record<string, number> = { lzo: 0x2, snappy: 0x4, zstd: 0x20 };

/** Each page compressed by the real library of `how`. */
function compressPages(pages: Buffer[], how: string): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'kt-shrink-'));
  try {
    pages.forEach((p, i) => writeFileSync(join(dir, `${i}`), p));
    if (how === 'zstd') {
      for (let i = 0; i < pages.length; i++) {
        const r = spawnSync('zstd', ['-q', '-1', '--no-check', '-c', join(dir, `${i}`)]);
        if (r.status !== 0) throw new Error('zstd failed (apt-get install zstd)');
        writeFileSync(join(dir, `${i}.out`), r.stdout);
      }
    } else {
      const code = how === 'lzo' ? 'import lzo\nz = lambda b: lzo.compress(b, 1, False)' : 'import snappy\nz = snappy.compress';
      const py = `${code}\nimport sys\nfor i in range(${pages.length}):\n    p = sys.argv[1] + "/" + str(i)\n    open(p + ".out", "wb").write(z(open(p, "rb").read()))\n`;
      const r = spawnSync('/usr/bin/python3', ['-c', py, dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${how} failed (apt-get install python3-lzo python3-snappy): ${r.stderr}`);
    }
    return pages.map((_, i) => readFileSync(join(dir, `${i}.out`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function shrinkKdump(image: DumpBytes, mem: KdumpMemory, pages: bigint[], out: Out, compress: string | null): void {
  const h = image.read(0, 512);
  const bs = h.readInt32LE(428);
  const subHdr = h.readInt32LE(432);
  const bitmapBlocks = h.readUInt32LE(436);
  const headers = Buffer.from(image.read(0, (1 + subHdr) * bs));
  const half = (bitmapBlocks * bs) / 2;
  const bitmap = Buffer.alloc(half);
  const kept: Array<{ pfn: bigint; descriptor: Buffer; data: Buffer }> = [];
  for (const pfn of pages) {
    const raw = mem.rawPage(pfn);
    if (!raw) continue;
    kept.push({ pfn, ...raw });
    bitmap[Number(pfn >> 3n)] |= 1 << Number(pfn & 7n);
  }
  if (compress) {
    const plain = kept.map((k) => mem.readPhys(k.pfn * BigInt(bs), bs) as Buffer);
    const packed = compressPages(plain, compress);
    kept.forEach((k, i) => {
      const small = packed[i].length < bs;
      k.data = small ? packed[i] : plain[i];
      k.descriptor = Buffer.from(k.descriptor);
      k.descriptor.writeUInt32LE(k.data.length, 8);
      k.descriptor.writeUInt32LE(small ? FLAGS[compress] : 0, 12);
    });
    // The header's status names the compression, as makedumpfile writes it.
    headers.writeUInt32LE((headers.readUInt32LE(424) & ~0x27) | FLAGS[compress], 424);
  }
  out.put(0, headers);
  const bitmapAt = (1 + subHdr) * bs;
  out.put(bitmapAt, bitmap);
  out.put(bitmapAt + half, bitmap);
  const descAt = bitmapAt + bitmapBlocks * bs;
  let dataAt = descAt + kept.length * 24;
  const descs = Buffer.alloc(kept.length * 24);
  kept.forEach((k, i) => {
    k.descriptor.copy(descs, i * 24);
    descs.writeBigInt64LE(BigInt(dataAt), i * 24);
    dataAt += k.data.length;
  });
  out.put(descAt, descs);
  let at = descAt + kept.length * 24;
  for (const k of kept) {
    out.put(at, k.data);
    at += k.data.length;
  }
  process.stderr.write(`kept ${kept.length} of the dump's pages\n`);
}

function shrinkElf(image: DumpBytes, mem: ElfMemory, pages: bigint[], out: Out): void {
  const eh = image.read(0, 64);
  const phoff = Number(eh.readBigUInt64LE(32));
  const phentsize = eh.readUInt16LE(54);
  const phnum = eh.readUInt16LE(56);
  const table = image.read(phoff, phnum * phentsize);
  const notes: Buffer[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = table.subarray(i * phentsize, (i + 1) * phentsize);
    if (p.readUInt32LE(0) === 4) notes.push(image.read(Number(p.readBigUInt64LE(8)), Number(p.readBigUInt64LE(32))));
  }
  const ps = BigInt(mem.info.pageSize);
  // Runs of consecutive pages, one PT_LOAD each.
  const runs: Array<{ pfn: bigint; count: number }> = [];
  for (const pfn of pages) {
    const last = runs[runs.length - 1];
    if (last && last.pfn + BigInt(last.count) === pfn) last.count++;
    else runs.push({ pfn, count: 1 });
  }
  const note = Buffer.concat(notes);
  const headers = 64 + (1 + runs.length) * 56;
  let at = headers + note.length;
  at = Math.ceil(at / Number(ps)) * Number(ps);
  const ph = Buffer.alloc((1 + runs.length) * 56);
  ph.writeUInt32LE(4, 0);
  ph.writeBigUInt64LE(BigInt(headers), 8);
  ph.writeBigUInt64LE(BigInt(note.length), 32);
  ph.writeBigUInt64LE(BigInt(note.length), 40);
  const data: Buffer[] = [];
  runs.forEach((r, i) => {
    const p = ph.subarray((i + 1) * 56);
    const size = BigInt(r.count) * ps;
    p.writeUInt32LE(1, 0);
    p.writeUInt32LE(7, 4);
    p.writeBigUInt64LE(BigInt(at), 8);
    p.writeBigUInt64LE(r.pfn * ps, 24);
    p.writeBigUInt64LE(size, 32);
    p.writeBigUInt64LE(size, 40);
    const bytes = mem.readPhys(r.pfn * ps, Number(size)) ?? Buffer.alloc(Number(size));
    data.push(bytes);
    at += Number(size);
  });
  const head = Buffer.from(eh);
  head.writeBigUInt64LE(64n, 32);
  head.writeBigUInt64LE(0n, 40);
  head.writeUInt16LE(56, 54);
  head.writeUInt16LE(1 + runs.length, 56);
  out.put(0, head);
  out.put(64, ph);
  out.put(headers, note);
  let pos = Math.ceil((headers + note.length) / Number(ps)) * Number(ps);
  for (const d of data) {
    out.put(pos, d);
    pos += d.length;
  }
  process.stderr.write(`kept ${pages.length} pages in ${runs.length} PT_LOAD segments\n`);
}

function main(): void {
  const [src, dst, ...flags] = process.argv.slice(2);
  if (flags.includes('--compress') && !flags.includes('--plain') && !flags.includes('--flattened')) flags.push('--plain');
  if (!src || !dst) {
    process.stderr.write('usage: node dist/scripts/dumps/shrink-dump.js IN OUT [--flattened|--plain]\n');
    process.exit(2);
  }
  const file = new FileBytes(src);
  const kind = dumpKind(file.read(0, 64));
  if (!kind || 'refused' in kind) throw new Error(`${src}: not a dump this tool copies`);
  const image: DumpBytes = kind.format === 'kdump-flattened' ? new FlattenedBytes(file) : file;
  const mem = openPhysical(file, kind.format) as PagedMemory;
  const pages = pagesNeeded(mem, flags.includes('--log-only'));
  const ci = flags.indexOf('--compress');
  const compress = ci >= 0 ? flags[ci + 1] : null;
  if (compress !== null && !(compress in FLAGS)) throw new Error(`--compress ${compress}: lzo, snappy or zstd`);
  const flattened = flags.includes('--flattened') || (kind.format === 'kdump-flattened' && !flags.includes('--plain'));
  const out = new Out(dst, flattened && kind.format !== 'elf64');
  if (mem instanceof KdumpMemory) shrinkKdump(image, mem, pages, out, compress);
  else if (mem instanceof ElfMemory) shrinkElf(image, mem, pages, out);
  out.close();
}

main();
