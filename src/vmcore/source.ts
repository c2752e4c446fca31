// Random access to the bytes of a dump: a plain file, or makedumpfile's flattened stream (`makedumpfile -F`, QEMU's kdump output) read through an index of its records.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Reads bytes at an offset of the dump image (the file as it would be once reassembled). */
export interface DumpBytes {
  /** Bytes of the image: its reassembled size for a flattened stream. */
  readonly size: number;
  /** Up to `length` bytes at `offset`; fewer at the end of the image, zeros where a flattened stream wrote nothing. */
  read(offset: number, length: number): Buffer;
  close(): void;
}

/** A dump refused or cut short: the message says what is wrong, plainly. */
export class DumpError extends Error {}

/** Bytes read in one call at most: a hostile length field never allocates more. */
export const MAX_READ = 64 * 1024 * 1024;

export class FileBytes implements DumpBytes {
  readonly size: number;
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Buffer {
    if (this.fd === null) throw new DumpError('the dump was closed');
    if (offset < 0 || length < 0 || length > MAX_READ || !Number.isSafeInteger(offset)) throw new DumpError(`a read of ${length} bytes at ${offset} is out of range`);
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, buf, got, n - got, offset + got);
      if (r <= 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The 16-byte signature of makedumpfile's flattened format, then its type and version (big-endian), in a 4 KiB header. */
export const FLAT_SIGNATURE = 'makedumpfile';
const FLAT_HEADER_SIZE = 4096;
/** Records a flattened stream may have: enough for a dump of terabytes written a page at a time. */
const MAX_FLAT_RECORDS = 64 * 1024 * 1024;

/**
 * makedumpfile's flattened stream: after the header, records of `{offset, size}` (big-endian
 * int64) each followed by `size` bytes that belong at `offset` of the image, until an offset of -1.
 * The records are indexed once (only their 16-byte headers are read); reads then go straight
 * to the bytes.
 */
export class FlattenedBytes implements DumpBytes {
  readonly size: number;
  /** Image offset, size and file position of each record, sorted by image offset. */
  private readonly starts: Float64Array;
  private readonly sizes: Float64Array;
  private readonly positions: Float64Array;
  /** The stream ended without its end marker (a dump cut short while written). */
  readonly truncated: boolean;

  constructor(private readonly file: DumpBytes) {
    const starts: number[] = [];
    const sizes: number[] = [];
    const positions: number[] = [];
    let pos = FLAT_HEADER_SIZE;
    let end = 0;
    let truncated = true;
    while (pos + 16 <= file.size && starts.length < MAX_FLAT_RECORDS) {
      const h = file.read(pos, 16);
      const offset = Number(h.readBigInt64BE(0));
      const size = Number(h.readBigInt64BE(8));
      if (offset === -1) {
        truncated = false;
        break;
      }
      if (offset < 0 || size < 0 || size > MAX_READ || pos + 16 + size > file.size) break;
      starts.push(offset);
      sizes.push(size);
      positions.push(pos + 16);
      end = Math.max(end, offset + size);
      pos += 16 + size;
    }
    const order = starts.map((_, i) => i).sort((a, b) => starts[a] - starts[b]);
    this.starts = Float64Array.from(order, (i) => starts[i]);
    this.sizes = Float64Array.from(order, (i) => sizes[i]);
    this.positions = Float64Array.from(order, (i) => positions[i]);
    this.size = end;
    this.truncated = truncated;
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || length > MAX_READ) throw new DumpError(`a read of ${length} bytes at ${offset} is out of range`);
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = Buffer.alloc(n);
    // The last record starting at or before the offset, then every record the range covers.
    let lo = 0;
    let hi = this.starts.length - 1;
    let at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= offset) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = at; i < this.starts.length && this.starts[i] < offset + n; i++) {
      const from = Math.max(offset, this.starts[i]);
      const to = Math.min(offset + n, this.starts[i] + this.sizes[i]);
      if (to <= from) continue;
      this.file.read(this.positions[i] + (from - this.starts[i]), to - from).copy(out, from - offset);
    }
    return out;
  }

  close(): void {
    this.file.close();
  }
}
