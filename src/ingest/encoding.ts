// Turns the bytes of any text encoding users save logs in (UTF-16 from Windows tools, CR-only line ends, Big5, GBK) into UTF-8 with LF line ends.

import { isUtf8 } from 'node:buffer';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a stream from its first bytes: a byte-order mark, or UTF-16's tell-tale NUL bytes
 * (ASCII text in UTF-16 has a NUL in every other byte, at odd offsets for little-endian).
 */
export function sniffEncoding(head: Buffer): { encoding: TextEncodingName; bom: number } {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 16) return { encoding: 'utf-8', bom: 0 };
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul * 10 >= pairs * 7 && evenNul * 10 < pairs) return { encoding: 'utf-16le', bom: 0 };
  if (evenNul * 10 >= pairs * 7 && oddNul * 10 < pairs) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/**
 * Wraps a byte stream so that what comes out is UTF-8 (or the original single/multi-byte text) with
 * LF line ends: UTF-16 is transcoded, a BOM dropped, and a CR that is not followed by LF (old Mac
 * files, some serial capture tools) becomes LF. CRLF is left for the line cleaner.
 */
export async function* normalizeStream(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let head: Buffer[] | null = [];
  let headBytes = 0;
  let pendingCr = false;
  const convert = (input: Buffer): Buffer | null => {
    const chunk = decoder ? Buffer.from(decoder.decode(input, { stream: true }), 'utf8') : input;
    const out = crToLf(chunk, pendingCr);
    pendingCr = out.endsWithCr;
    return out.bytes.length > 0 ? out.bytes : null;
  };
  const sniffed = (): Buffer => {
    const all = Buffer.concat(head ?? []);
    head = null;
    const { encoding, bom } = sniffEncoding(all);
    if (encoding !== 'utf-8') decoder = new TextDecoder(encoding);
    return all.subarray(bom);
  };
  for await (const raw of chunks) {
    if (head) {
      // Enough bytes to see a BOM or UTF-16's NUL pattern, however the source chunks its reads.
      head.push(raw);
      headBytes += raw.length;
      if (headBytes < SNIFF_BYTES) continue;
      const out = convert(sniffed());
      if (out) yield out;
      continue;
    }
    const out = convert(raw);
    if (out) yield out;
  }
  if (head) {
    const out = convert(sniffed());
    if (out) yield out;
  }
  const dec = decoder as InstanceType<typeof TextDecoder> | null;
  if (dec) {
    const tail = Buffer.from(dec.decode(), 'utf8');
    if (tail.length > 0 || pendingCr) yield crToLf(tail, pendingCr).bytes;
    if (tail.length > 0 && tail[tail.length - 1] === 13) yield Buffer.from('\n');
  } else if (pendingCr) {
    yield Buffer.from('\n');
  }
}

/** How many leading bytes decide the encoding. */
const SNIFF_BYTES = 4096;

/** Lone CRs become LFs; a CR at the end of a chunk is held back until the next byte is known. */
function crToLf(chunk: Buffer, pendingCr: boolean): { bytes: Buffer; endsWithCr: boolean } {
  const prefix = pendingCr ? (chunk.length > 0 && chunk[0] === 10 ? '\r' : '\n') : '';
  if (chunk.indexOf(13) < 0) {
    return { bytes: prefix ? Buffer.concat([Buffer.from(prefix, 'latin1'), chunk]) : chunk, endsWithCr: false };
  }
  const endsWithCr = chunk[chunk.length - 1] === 13;
  const body = endsWithCr ? chunk.subarray(0, chunk.length - 1) : Buffer.from(chunk);
  const copy = endsWithCr ? Buffer.from(body) : body;
  for (let i = 0; i < copy.length; i++) {
    if (copy[i] === 13 && (i + 1 >= copy.length || copy[i + 1] !== 10)) copy[i] = 10;
  }
  return { bytes: prefix ? Buffer.concat([Buffer.from(prefix, 'latin1'), copy]) : copy, endsWithCr };
}

const gb18030 = new TextDecoder('gb18030');
const big5 = new TextDecoder('big5');

/**
 * Big5 (Taiwan, Hong Kong) or GBK/GB18030 (mainland) for bytes that are not UTF-8. Both are
 * double-byte with overlapping ranges, so the choice is statistical: Big5's common hanzi have lead
 * bytes A4-AF, where GBK has only symbols and unassigned rows, and about a third of them have a
 * trail byte below 0x80, which GB2312's characters never have.
 */
export function pickLegacyChineseDecoder(buf: Buffer): InstanceType<typeof TextDecoder> {
  let pairs = 0;
  let big5Leads = 0;
  let lowTrails = 0;
  const n = Math.min(buf.length, 1 << 20);
  for (let i = 0; i < n - 1; i++) {
    const b = buf[i];
    if (b < 0x81 || b === 0xff) continue;
    const t = buf[i + 1];
    pairs++;
    if (b >= 0xa4 && b <= 0xaf) big5Leads++;
    if (t >= 0x40 && t <= 0x7e) lowTrails++;
    i++;
  }
  if (pairs < 4) return gb18030;
  const bigLike = big5Leads * 100 >= pairs * 15 || lowTrails * 100 >= pairs * 20;
  if (!bigLike) return gb18030;
  // Big5 must also decode cleanly; GB18030 accepts almost any byte pair, so it is the fallback.
  const probe = big5.decode(buf.subarray(0, n));
  let bad = 0;
  for (let i = 0; i < probe.length; i++) if (probe.charCodeAt(i) === 0xfffd) bad++;
  return bad * 50 <= pairs ? big5 : gb18030;
}

/**
 * Decodes one chunk of bytes. UTF-8 when valid; otherwise each line is tried as UTF-8 and the lines
 * that are not are read as Big5 or GB18030 (which also covers GBK), decided once for the chunk, so
 * Chinese logs from Windows tools read correctly and binary garbage still decodes to something.
 */
export function decodeBytes(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  const pieces: Buffer[] = [];
  const legacyPieces: Buffer[] = [];
  let legacyBytes = 0;
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    end = end < 0 ? buf.length : end + 1;
    const piece = buf.subarray(start, end);
    pieces.push(piece);
    // A MiB of the non-UTF-8 lines is plenty to tell Big5 from GBK.
    if (legacyBytes < 1 << 20 && !isUtf8(piece)) {
      legacyPieces.push(piece);
      legacyBytes += piece.length;
    }
    start = end;
  }
  const legacy = pickLegacyChineseDecoder(Buffer.concat(legacyPieces));
  return pieces.map((p) => (isUtf8(p) ? p.toString('utf8') : legacy.decode(p))).join('');
}
