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
/** Records a flattened stream may have: past this (a dump of tens of GiB written a page a record), reassemble it with `makedumpfile -R`. */
const MAX_FLAT_RECORDS = 16 * 1024 * 1024;
/** Bytes read at once while indexing the records. */
const INDEX_CHUNK = 1 << 20;

/** A growable array of doubles (offsets past 2^32). */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}

/**
 * makedumpfile's flattened stream: after the header, records of `{offset, size}` (big-endian
 * int64) each followed by `size` bytes that belong at `offset` of the image, until an offset of -1.
 * The records are indexed once (their 16-byte headers, read a megabyte at a time); reads then go
 * straight to the bytes. Where records overlap, the one written later wins, as `makedumpfile -R`
 * lays them down.
 */
export class FlattenedBytes implements DumpBytes {
  readonly size: number;
  /** Image offset, size and file position of each record, sorted by image offset (then by stream order). */
  private readonly starts: Float64Array;
  private readonly sizes: Float64Array;
  private readonly positions: Float64Array;
  /** The largest end of the records up to each one (in sorted order): how far back a read must look. */
  private readonly reach: Float64Array;
  /** The stream ended without its end marker (a dump cut short while written), or had more records than are indexed. */
  readonly truncated: boolean;
  readonly tooManyRecords: boolean;

  constructor(private readonly file: DumpBytes) {
    const starts = new Column();
    const sizes = new Column();
    const positions = new Column();
    let pos = FLAT_HEADER_SIZE;
    let end = 0;
    let truncated = true;
    let buf: Buffer = Buffer.alloc(0);
    let bufAt = 0;
    const header = (at: number): Buffer | null => {
      if (at < bufAt || at + 16 > bufAt + buf.length) {
        buf = file.read(at, INDEX_CHUNK);
        bufAt = at;
      }
      return at + 16 <= bufAt + buf.length ? buf.subarray(at - bufAt, at - bufAt + 16) : null;
    };
    while (pos + 16 <= file.size && starts.length < MAX_FLAT_RECORDS) {
      const h = header(pos);
      if (!h) break;
      const offset = Number(h.readBigInt64BE(0));
      const size = Number(h.readBigInt64BE(8));
      if (offset === -1) {
        truncated = false;
        break;
      }
      if (offset < 0 || size < 0 || size > MAX_READ || !Number.isSafeInteger(offset) || pos + 16 + size > file.size) break;
      starts.push(offset);
      sizes.push(size);
      positions.push(pos + 16);
      end = Math.max(end, offset + size);
      pos += 16 + size;
    }
    this.tooManyRecords = starts.length >= MAX_FLAT_RECORDS;
    const n = starts.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Stream order breaks ties, so that among records at one offset the later is applied last.
    order.sort((a, b) => starts.data[a] - starts.data[b] || a - b);
    this.starts = Float64Array.from(order, (i) => starts.data[i]);
    this.sizes = Float64Array.from(order, (i) => sizes.data[i]);
    this.positions = Float64Array.from(order, (i) => positions.data[i]);
    this.reach = new Float64Array(n);
    let far = 0;
    for (let i = 0; i < n; i++) this.reach[i] = far = Math.max(far, this.starts[i] + this.sizes[i]);
    this.size = end;
    this.truncated = truncated || this.tooManyRecords;
  }

  read(offset: number, length: number): Buffer {
    if (offset < 0 || length < 0 || length > MAX_READ) throw new DumpError(`a read of ${length} bytes at ${offset} is out of range`);
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = Buffer.alloc(n);
    // The last record starting before the range's end; then back while earlier records still reach into it.
    let lo = 0;
    let hi = this.starts.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < offset + n) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let first = last;
    while (first > 0 && this.reach[first - 1] > offset) first--;
    const hits: number[] = [];
    for (let i = Math.max(0, first); i <= last; i++) if (this.starts[i] + this.sizes[i] > offset) hits.push(i);
    // Applied in the order they were written.
    hits.sort((a, b) => this.positions[a] - this.positions[b]);
    for (const i of hits) {
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
