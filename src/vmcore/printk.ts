// The kernel log in a dump's memory: the lockless printk_ringbuffer (5.10+), the structured log_buf of printk_log records (3.5-5.9), the plain-text log_buf before them. Read with VMCOREINFO's symbols, offsets and sizes alone.

import type { KernelMemory } from './translate';
import { offsetOf, sizeOf, symbolOf, type VmcoreInfo } from './vmcoreinfo';

export interface LogRecord {
  seq: number;
  /** Nanoseconds since boot, as printk stamped the record. */
  tsNsec: bigint;
  level: number | null;
  /** `T123` (a task) or `C1` (a CPU outside task context), when the kernel records the caller. */
  caller: string | null;
  text: string;
}

export interface KernelLog {
  /** Which buffer the log was read from. */
  source: 'printk_ringbuffer' | 'printk_log' | 'log_buf';
  records: LogRecord[];
  /** What could not be read, said plainly (records skipped, a ring whose indices are out of range). */
  problems: string[];
}

/** Records read at most: a ring of garbage indices ends here. */
const MAX_RECORDS = 4_000_000;
/** Bytes of text of one record at most (the kernel's own limit is 1 KiB; 8 KiB for safety). */
const MAX_TEXT = 8192;

function callerOf(id: number): string | null {
  if (id === 0) return null;
  return (id & 0x80000000) !== 0 ? `C${id & 0x7fffffff}` : `T${id}`;
}

/** Structures the log is read through are small: a VMCOREINFO of garbage sizes or offsets is refused before any read. */
const MAX_STRUCT = 4096;

function fieldsFit(struct: string, size: number, fields: ReadonlyArray<[number, number]>): void {
  if (size <= 0 || size > MAX_STRUCT) throw new Error(`VMCOREINFO's SIZE(${struct}) = ${size} is not a size this structure has`);
  for (const [at, width] of fields) if (at < 0 || at + width > size) throw new Error(`VMCOREINFO's offsets of ${struct} run past its size (${size})`);
}

/** The lockless ring of 5.10 and later: descriptors in a ring of 2^count_bits, their text in a data ring of 2^size_bits bytes. */
function readRingbuffer(mem: KernelMemory, info: VmcoreInfo): KernelLog {
  const problems: string[] = [];
  const prbPtr = mem.u64(symbolOf(info, 'prb'));
  if (prbPtr === null) throw new Error('the `prb` pointer is not in the dump');
  const prb = prbPtr;
  const descRing = prb + BigInt(offsetOf(info, 'printk_ringbuffer.desc_ring'));
  const textRing = prb + BigInt(offsetOf(info, 'printk_ringbuffer.text_data_ring'));
  const counter = info.offsets.get('atomic_long_t.counter') ?? 0;
  const countBits = mem.u32(descRing + BigInt(offsetOf(info, 'prb_desc_ring.count_bits')));
  const descs = mem.u64(descRing + BigInt(offsetOf(info, 'prb_desc_ring.descs')));
  const infos = mem.u64(descRing + BigInt(offsetOf(info, 'prb_desc_ring.infos')));
  const headId = mem.u64(descRing + BigInt(offsetOf(info, 'prb_desc_ring.head_id') + counter));
  const tailId = mem.u64(descRing + BigInt(offsetOf(info, 'prb_desc_ring.tail_id') + counter));
  const sizeBits = mem.u32(textRing + BigInt(offsetOf(info, 'prb_data_ring.size_bits')));
  const data = mem.u64(textRing + BigInt(offsetOf(info, 'prb_data_ring.data')));
  if (countBits === null || descs === null || infos === null || headId === null || tailId === null || sizeBits === null || data === null) throw new Error('the printk ring buffer is not in the dump (its pages were filtered out or are missing)');
  if (countBits > 24 || sizeBits > 28) throw new Error(`the printk ring buffer's sizes are not valid (2^${countBits} descriptors, 2^${sizeBits} bytes of text)`);
  const descSize = sizeOf(info, 'prb_desc');
  const infoSize = sizeOf(info, 'printk_info');
  const stateVar = offsetOf(info, 'prb_desc.state_var') + counter;
  const lpos = offsetOf(info, 'prb_desc.text_blk_lpos');
  const lposBegin = offsetOf(info, 'prb_data_blk_lpos.begin');
  const lposNext = offsetOf(info, 'prb_data_blk_lpos.next');
  const iSeq = offsetOf(info, 'printk_info.seq');
  const iTs = offsetOf(info, 'printk_info.ts_nsec');
  const iLen = offsetOf(info, 'printk_info.text_len');
  const iCaller = info.offsets.get('printk_info.caller_id') ?? null;
  // Each field must lie inside its structure, and the structures be of a sane size.
  fieldsFit('prb_desc', descSize, [[stateVar, 8], [lpos + lposBegin, 8], [lpos + lposNext, 8]]);
  fieldsFit('printk_info', infoSize, [[iSeq, 8], [iTs, 8], [iLen, 2], ...(iCaller !== null ? [[iCaller, 4] as [number, number]] : [])]);
  // Two bits of state above the id in each state_var (desc_committed = 1, desc_finalized = 2).
  const idMask = (1n << 62n) - 1n;
  const count = 1n << BigInt(countBits);
  const dataSize = 1n << BigInt(sizeBits);
  const records: LogRecord[] = [];
  // The whole text ring at once: it is a few hundred KiB to a few MiB, and read page by page otherwise.
  const ring = mem.read(data, Number(dataSize));
  if (!ring) throw new Error('the printk text ring is not in the dump');
  const descTable = mem.read(descs, Number(count) * descSize);
  const infoTable = mem.read(infos, Number(count) * infoSize);
  if (!descTable || !infoTable) throw new Error('the printk descriptor ring is not in the dump');
  let skipped = 0;
  let id = tailId & idMask;
  const head = headId & idMask;
  for (let n = 0; n < MAX_RECORDS && n <= Number(count); n++) {
    if (!readRecord()) break;
    if (id === head) break;
    id = (id + 1n) & idMask;
  }
  if (skipped > 0) problems.push(`${skipped} record(s) being written when the machine stopped were not complete and were left out`);
  return { source: 'printk_ringbuffer', records, problems };

  /** Reads the record of `id`; false when its fields cannot be read (what was read so far is kept). */
  function readRecord(): boolean {
    try {
      readOne();
      return true;
    } catch (e) {
      problems.push(`the log was read up to a record that could not be read (${(e as Error).message})`);
      return false;
    }
  }

  function readOne(): void {
    if (!descTable || !infoTable || !ring) return;
    const ent = Number(id % count);
    const d = ent * descSize;
    const state = Number((descTable.readBigUInt64LE(d + stateVar) >> 62n) & 3n);
    const descId = descTable.readBigUInt64LE(d + stateVar) & idMask;
    if ((state === 1 || state === 2) && descId === id) {
      const begin = descTable.readBigUInt64LE(d + lpos + lposBegin);
      const next = descTable.readBigUInt64LE(d + lpos + lposNext);
      const ii = ent * infoSize;
      const seq = Number(infoTable.readBigUInt64LE(ii + iSeq));
      const tsNsec = infoTable.readBigUInt64LE(ii + iTs);
      const textLen = infoTable.readUInt16LE(ii + iLen);
      const caller = iCaller !== null ? callerOf(infoTable.readUInt32LE(ii + iCaller)) : null;
      // Data-less records (lpos with bit 0 set) have no text.
      let text = '';
      if ((begin & 1n) === 0n) {
        let b = begin % dataSize;
        const e = next % dataSize;
        // A block that wraps is stored whole at the ring's start.
        if (b > e) b = 0n;
        // Each block starts with the id of its descriptor.
        b += 8n;
        const len = Math.min(textLen, Math.max(0, Number(e - b)), MAX_TEXT);
        text = ring.subarray(Number(b), Number(b) + len).toString('latin1');
      }
      records.push({ seq, tsNsec, level: null, caller, text });
    } else if (state === 0 && descId === id) skipped++;
    // A reserved record was being written when the machine stopped; a reusable or older one was overwritten (the ring's normal wrap).
  }
}

/** The structured log_buf of 3.5-5.9: `struct printk_log` headers, each followed by its text. */
function readPrintkLog(mem: KernelMemory, info: VmcoreInfo): KernelLog {
  const problems: string[] = [];
  const buf = mem.u64(symbolOf(info, 'log_buf'));
  const bufLen = mem.u32(symbolOf(info, 'log_buf_len'));
  const first = mem.u32(symbolOf(info, 'log_first_idx'));
  const next = mem.u32(symbolOf(info, 'log_next_idx'));
  if (buf === null || bufLen === null || first === null || next === null) throw new Error('the kernel log buffer is not in the dump');
  if (bufLen === 0 || bufLen > 1 << 30 || first >= bufLen || next >= bufLen) throw new Error(`the kernel log buffer's indices are not valid (length ${bufLen}, first ${first}, next ${next})`);
  const all = mem.read(buf, bufLen);
  if (!all) throw new Error('the kernel log buffer is not in the dump');
  // 3.11 renamed `struct log` to `struct printk_log`: VMCOREINFO names whichever the kernel has.
  const st = info.sizes.has('printk_log') ? 'printk_log' : 'log';
  const hdr = sizeOf(info, st);
  const oTs = offsetOf(info, `${st}.ts_nsec`);
  const oLen = offsetOf(info, `${st}.len`);
  const oText = offsetOf(info, `${st}.text_len`);
  const oCaller = info.offsets.get(`${st}.caller_id`) ?? null;
  fieldsFit(st, hdr, [[oTs, 8], [oLen, 2], [oText, 2], ...(oCaller !== null ? [[oCaller, 4] as [number, number]] : [])]);
  const records: LogRecord[] = [];
  let idx = first;
  let wrapped = false;
  for (let seq = 0; seq < MAX_RECORDS && idx !== next; seq++) {
    if (idx + hdr > bufLen) {
      problems.push(`a record header runs past the end of the log buffer at ${idx}`);
      break;
    }
    const len = all.readUInt16LE(idx + oLen);
    if (len === 0) {
      // A zero length marks the wrap to the start of the buffer.
      if (wrapped) break;
      wrapped = true;
      idx = 0;
      continue;
    }
    const textLen = Math.min(all.readUInt16LE(idx + oText), len - hdr, MAX_TEXT);
    const text = textLen > 0 ? all.subarray(idx + hdr, idx + hdr + textLen).toString('latin1') : '';
    records.push({ seq, tsNsec: all.readBigUInt64LE(idx + oTs), level: null, caller: oCaller !== null ? callerOf(all.readUInt32LE(idx + oCaller)) : null, text });
    if (len < hdr || idx + len > bufLen) {
      problems.push(`a record of impossible length ${len} at ${idx}: the log was read up to it`);
      break;
    }
    idx += len;
  }
  return { source: 'printk_log', records, problems };
}

/** Before 3.5: the text of the log in a ring of characters, `log_end` counting every byte ever written. */
function readPlainLogBuf(mem: KernelMemory, info: VmcoreInfo): KernelLog {
  const buf = mem.u64(symbolOf(info, 'log_buf'));
  const bufLen = mem.u32(symbolOf(info, 'log_buf_len'));
  const end = mem.u32(symbolOf(info, 'log_end'));
  if (buf === null || bufLen === null || end === null || bufLen === 0 || bufLen > 1 << 30) throw new Error('the kernel log buffer is not in the dump');
  const all = mem.read(buf, bufLen);
  if (!all) throw new Error('the kernel log buffer is not in the dump');
  const at = end % bufLen;
  const text = (end >= bufLen ? Buffer.concat([all.subarray(at), all.subarray(0, at)]) : all.subarray(0, at)).toString('latin1');
  // Each line carries its own `<N>[ ... ]` prefix; the reader takes them as a console log does.
  const records = text.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '').map((l, seq) => ({ seq, tsNsec: -1n, level: null, caller: null, text: l }));
  return { source: 'log_buf', records, problems: [] };
}

/** The kernel log of the dump, from whichever buffer its kernel has. */
export function readKernelLog(mem: KernelMemory, info: VmcoreInfo): KernelLog {
  if (info.symbols.has('prb')) return readRingbuffer(mem, info);
  if (info.sizes.has('printk_log') || info.sizes.has('log')) return readPrintkLog(mem, info);
  if (info.symbols.has('log_end')) return readPlainLogBuf(mem, info);
  throw new Error('VMCOREINFO names no kernel log buffer (neither prb, log_buf with printk_log, nor log_end)');
}

/** How a record's text is printed: as crash's `log` does, or as makedumpfile --dump-dmesg does. */
export type LogStyle = 'crash' | 'makedumpfile';

/**
 * The log as crash's `log` prints it: `[seconds.micro] text`, a record's further lines under its
 * text, bytes that are neither printable nor white space as `.`. With `makedumpfile`, as
 * makedumpfile --dump-dmesg prints it: the same further lines (as makedumpfile 1.7.2 prints a 6.1
 * dump's log, byte for byte the same as crash's), unprintable bytes as `\xNN`. With `caller`, the caller id after the time, as a console with
 * CONFIG_PRINTK_CALLER prints it.
 */
export function formatLog(log: KernelLog, opts: { caller?: boolean; style?: LogStyle } = {}): string[] {
  const out: string[] = [];
  const style = opts.style ?? 'crash';
  for (const r of log.records) {
    if (r.tsNsec < 0n) {
      out.push(...(style === 'crash' ? printable(r.text) : escaped(r.text)).split('\n'));
      continue;
    }
    const sec = r.tsNsec / 1_000_000_000n;
    const usec = (r.tsNsec % 1_000_000_000n) / 1000n;
    let prefix = `[${sec.toString().padStart(5)}.${usec.toString().padStart(6, '0')}] `;
    if (opts.caller && r.caller) prefix += `[${r.caller.padStart(6)}] `;
    const lines = (style === 'makedumpfile' ? escaped(r.text) : printable(r.text)).split('\n');
    out.push(prefix + lines[0]);
    const pad = ' '.repeat(prefix.length);
    for (const l of lines.slice(1)) out.push(pad + l);
  }
  return out;
}

/** What crash prints of a record's bytes: printable characters and white space as they are, others as `.`. */
function printable(s: string): string {
  return s.replace(/[\x00-\x08\x0e-\x1f\x7f-\xff]/g, '.');
}

/** What makedumpfile prints of them: white space and printable characters as they are, others as `\xNN`. */
function escaped(s: string): string {
  return s.replace(/[\x00-\x08\x0e-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
