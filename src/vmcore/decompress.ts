// Decompressors of the page formats makedumpfile writes besides zlib: LZO1X (`-l`, RHEL's default), snappy (`-p`) and zstd (`-z`).
// LZO1X and snappy are small formats decoded here; zstd by fzstd. Every decoder stops at the page size and on any inconsistency.

import { decompress as zstdDecompress } from 'fzstd';

export class DecompressError extends Error {}

/** LZO1X, as lzo1x_decompress_safe reads it: literal runs and matches, ending with the 0x11 0x00 0x00 marker. */
export function lzo1xDecompress(src: Buffer, outSize: number): Buffer {
  const out = Buffer.alloc(outSize);
  let ip = 0;
  let op = 0;
  const fail = (why: string): never => {
    throw new DecompressError(`lzo: ${why} at input ${ip}`);
  };
  const byte = (): number => (ip < src.length ? src[ip++] : fail('input overrun'));
  const le16 = (): number => {
    if (ip + 2 > src.length) fail('input overrun');
    const v = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    return v;
  };
  const literals = (n: number): void => {
    if (ip + n > src.length) fail('input overrun');
    if (op + n > outSize) fail('output overrun');
    src.copy(out, op, ip, ip + n);
    ip += n;
    op += n;
  };
  const match = (from: number, n: number): void => {
    if (from < 0) fail('match before the start of the page');
    if (op + n > outSize) fail('output overrun');
    for (let k = 0; k < n; k++) out[op + k] = out[from + k];
    op += n;
  };
  /** A length field of 0: zero bytes add 255 each, then the next byte and the field's own base. */
  const extended = (base: number): number => {
    let n = 0;
    let b = byte();
    while (b === 0) {
      n += 255;
      if (n > outSize + 255) fail('length too long');
      b = byte();
    }
    return n + base + b;
  };
  // state: how many literals followed the last match (0, 1-3), or 4 after a literal run.
  let state = 0;
  if (src.length > 0 && src[0] > 17) {
    const t = byte() - 17;
    literals(t);
    state = t < 4 ? t : 4;
  }
  for (;;) {
    let t = byte();
    let from: number;
    let n: number;
    let next: number;
    if (t < 16) {
      if (state === 0) {
        literals(t === 0 ? extended(15) + 3 : t + 3);
        state = 4;
        continue;
      }
      next = t & 3;
      if (state !== 4) {
        // Two bytes from 1-1024 back.
        from = op - 1 - (t >> 2) - (byte() << 2);
        n = 2;
      } else {
        // Three bytes from 2049-3072 back.
        from = op - 1 - 0x0800 - (t >> 2) - (byte() << 2);
        n = 3;
      }
    } else if (t >= 64) {
      next = t & 3;
      from = op - 1 - ((t >> 2) & 7) - (byte() << 3);
      n = (t >> 5) + 1;
    } else if (t >= 32) {
      n = (t & 31) === 0 ? extended(31) + 2 : (t & 31) + 2;
      const d = le16();
      from = op - 1 - (d >> 2);
      next = d & 3;
    } else {
      // 16-31: a match 16385-49151 back, or the end of the stream.
      const far = (t & 8) << 11;
      n = (t & 7) === 0 ? extended(7) + 2 : (t & 7) + 2;
      const d = le16();
      next = d & 3;
      const back = far + (d >> 2);
      if (back === 0) {
        if (n !== 3) fail('bad end marker');
        if (op !== outSize) fail(`the stream ended after ${op} of ${outSize} bytes`);
        // liblzo (and so makedumpfile) takes a stream with bytes after its end marker as damaged.
        if (ip !== src.length) fail('bytes after the end marker');
        return out;
      }
      from = op - back - 0x4000;
    }
    match(from, n);
    // The match's low two bits are the literals that follow it.
    state = next;
    t = next;
    if (t > 0) literals(t);
  }
}

/** Snappy's raw format (no framing): a varint length, then literals and copies. */
export function snappyDecompress(src: Buffer, outSize: number): Buffer {
  let ip = 0;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= src.length || shift > 28) throw new DecompressError('snappy: bad length');
    const b = src[ip++];
    len |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
  }
  if (len !== outSize) throw new DecompressError(`snappy: ${len} bytes, not a page of ${outSize}`);
  const out = Buffer.alloc(len);
  let op = 0;
  while (ip < src.length) {
    const tag = src[ip++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        if (ip + bytes > src.length) throw new DecompressError('snappy: input overrun');
        n = 0;
        for (let k = 0; k < bytes; k++) n += src[ip + k] * 2 ** (8 * k);
        ip += bytes;
      }
      n += 1;
      if (n > len) throw new DecompressError('snappy: literal longer than the page');
      if (ip + n > src.length || op + n > len) throw new DecompressError('snappy: literal overrun');
      src.copy(out, op, ip, ip + n);
      ip += n;
      op += n;
      continue;
    }
    let n: number;
    let dist: number;
    if (kind === 1) {
      if (ip >= src.length) throw new DecompressError('snappy: input overrun');
      n = ((tag >> 2) & 7) + 4;
      dist = ((tag >> 5) << 8) | src[ip++];
    } else if (kind === 2) {
      if (ip + 2 > src.length) throw new DecompressError('snappy: input overrun');
      n = (tag >> 2) + 1;
      dist = src.readUInt16LE(ip);
      ip += 2;
    } else {
      if (ip + 4 > src.length) throw new DecompressError('snappy: input overrun');
      n = (tag >> 2) + 1;
      dist = src.readUInt32LE(ip);
      ip += 4;
    }
    if (dist === 0 || dist > op || op + n > len) throw new DecompressError('snappy: bad copy');
    for (let k = 0; k < n; k++) out[op + k] = out[op - dist + k];
    op += n;
  }
  if (op !== len) throw new DecompressError(`snappy: ended after ${op} of ${len} bytes`);
  return out;
}

/** The content size a zstd frame header declares, or null when it declares none. */
function zstdContentSize(src: Buffer): number | null {
  if (src.length < 6 || src.readUInt32LE(0) !== 0xfd2fb528) return null;
  const fhd = src[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd & 0x20) !== 0;
  const dictBytes = [0, 1, 2, 4][fhd & 3];
  const at = 5 + (single ? 0 : 1) + dictBytes;
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0 || at + fcsBytes > src.length) return null;
  if (fcsBytes === 1) return src[at];
  if (fcsBytes === 2) return src.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return src.readUInt32LE(at);
  return Number(src.readBigUInt64LE(at));
}

export function zstdPage(src: Buffer, outSize: number): Buffer {
  const declared = zstdContentSize(src);
  if (declared !== null && declared !== outSize) throw new DecompressError(`zstd: a frame of ${declared} bytes, not a page of ${outSize}`);
  try {
    const out = zstdDecompress(src, new Uint8Array(outSize));
    if (out.length !== outSize) throw new DecompressError(`zstd: ${out.length} bytes, not a page of ${outSize}`);
    return Buffer.from(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError(`zstd: ${(e as Error).message}`);
  }
}
