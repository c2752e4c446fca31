// Streams an input of any size and hands over only the parts that can hold a crash report.

import type { LogLine } from '../model/types';
import { LineBuilder, decodeBytes, linesFromBuffer, physicalLine, STYLE_SAMPLE_LINES } from './lines';
import { normalizeStream } from './encoding';
import { detectPasteStyle, type PasteStyle } from './paste';
import { literalPattern } from '../parse/literals';

export interface ScanConfig {
  /** Literal strings of which a line must contain one to open a region (the report headers). */
  triggers: readonly string[];
  /** Inputs up to this size are read whole and analysed in one piece. */
  wholeLimit: number;
  /** Lines kept before a trigger line. */
  before: number;
  /** Lines kept after the last trigger line of a region. */
  after: number;
  /** A region longer than this is handed over and a new one started, to bound memory. */
  maxRegionLines: number;
  /** A line longer than this without a newline is cut, to bound memory. */
  maxCarry: number;
}

export interface ScanResult {
  mode: 'whole' | 'regions';
  bytes: number;
  lineCount: number;
  regions: number;
  truncatedLines: number;
}

interface OpenRegion {
  firstNo: number;
  pieces: Buffer[];
  lines: number;
  linesLeft: number;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  let p = s.indexOf('\n', from);
  while (p >= 0 && p < to) {
    n++;
    p = s.indexOf('\n', p + 1);
  }
  return n;
}

/** Position just after the `count`-th newline at or after `from`, or -1 when the string ends first. */
function advanceLines(s: string, from: number, count: number): number {
  let p = from;
  for (let i = 0; i < count; i++) {
    const q = s.indexOf('\n', p);
    if (q < 0) return -1;
    p = q + 1;
  }
  return p;
}

/** Start of the line `count` lines before the line starting at `from` (not before `floor`). */
function backLines(s: string, from: number, count: number, floor: number): { pos: number; lines: number } {
  let p = from;
  let n = 0;
  while (n < count && p > floor) {
    const q = s.lastIndexOf('\n', p - 2);
    p = q < floor ? floor : q + 1;
    n++;
  }
  return { pos: p, lines: n };
}

class RegionScanner {
  private carry: Buffer = Buffer.alloc(0);
  private style: PasteStyle | null = null;
  private lineNo = 0;
  private tail: Buffer = Buffer.alloc(0);
  private tailLines = 0;
  private region: OpenRegion | null = null;
  regions = 0;
  truncatedLines = 0;
  bytes = 0;

  private readonly triggerRe: RegExp;

  constructor(private readonly cfg: ScanConfig, private readonly onRegion: (lines: LogLine[], cut: boolean) => void) {
    // One alternation of the literal triggers: V8 scans it at several hundred MB/s.
    this.triggerRe = literalPattern(cfg.triggers, 'g');
  }

  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
    let data = chunk;
    if (this.carry.length > 0) {
      // Complete the carried line on its own, so the big chunk is never copied.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        if (this.carry.length > this.cfg.maxCarry) this.carry = this.cutLongLine(this.carry);
        return;
      }
      this.process(Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]));
      this.carry = Buffer.alloc(0);
      data = chunk.subarray(nl + 1);
    }
    const cut = data.lastIndexOf(10);
    if (cut < 0) {
      this.carry = data.length > this.cfg.maxCarry ? this.cutLongLine(data) : Buffer.from(data);
      return;
    }
    this.carry = Buffer.from(data.subarray(cut + 1));
    if (this.carry.length > this.cfg.maxCarry) this.carry = this.cutLongLine(this.carry);
    this.process(data.subarray(0, cut + 1));
  }

  end(): void {
    if (this.carry.length > 0) {
      const last = Buffer.concat([this.carry, Buffer.from('\n')]);
      this.carry = Buffer.alloc(0);
      this.process(last);
    }
    this.closeRegion();
  }

  get lineCount(): number {
    return this.lineNo;
  }

  private cutLongLine(data: Buffer): Buffer {
    // Keep the head of an endless line as one line; drop the rest until its newline.
    this.truncatedLines++;
    this.process(Buffer.concat([data.subarray(0, 64 * 1024), Buffer.from('\n')]));
    return Buffer.alloc(0);
  }

  private ensureStyle(body: Buffer): void {
    if (this.style) return;
    const sample = decodeBytes(body.subarray(0, Math.min(body.length, 256 * 1024))).split('\n').slice(0, STYLE_SAMPLE_LINES);
    this.style = detectPasteStyle(sample);
  }

  /** Line-start positions of trigger lines in `s`. */
  private findHits(s: string): number[] {
    const hits: number[] = [];
    const re = this.triggerRe;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      hits.push(s.lastIndexOf('\n', m.index) + 1);
      const end = s.indexOf('\n', m.index);
      if (end < 0) break;
      re.lastIndex = end + 1;
    }
    return hits;
  }

  private process(body: Buffer): void {
    this.ensureStyle(body);
    const s = body.toString('latin1');
    const hits = this.findHits(s);
    let cursor = 0;
    let cursorNo = this.lineNo; // lines before `cursor`
    let h = 0;
    for (;;) {
      if (this.region) {
        const r = this.region;
        let end = advanceLines(s, cursor, r.linesLeft);
        let lastHit = -1;
        while (h < hits.length && (end < 0 || hits[h] < end)) {
          if (end < 0) {
            // The region already runs past this chunk: every later trigger line is inside it.
            lastHit = hits[hits.length - 1];
            h = hits.length;
            break;
          }
          // Each trigger line pushes the end `after` lines past it: move the end on by the lines
          // since the previous trigger, not from the trigger again (a flood has one every few lines).
          end = lastHit < 0 ? advanceLines(s, hits[h], this.cfg.after + 1) : advanceLines(s, end, countNewlines(s, lastHit, hits[h]));
          lastHit = hits[h];
          h++;
        }
        const stop = end < 0 ? s.length : end;
        const n = countNewlines(s, cursor, stop);
        r.pieces.push(body.subarray(cursor, stop));
        r.lines += n;
        // Past the chunk, the region runs on for what is left after its last trigger line.
        r.linesLeft = end >= 0 ? 0 : lastHit >= 0 ? this.cfg.after + 1 - countNewlines(s, lastHit, s.length) : r.linesLeft - n;
        cursorNo += n;
        cursor = stop;
        if (end >= 0) this.closeRegion();
        else if (r.lines >= this.cfg.maxRegionLines) {
          // Too long to hold: hand it over and go on in a new region from the next line, losing none.
          this.closeRegion(true);
          this.region = { firstNo: cursorNo + 1, pieces: [], lines: 0, linesLeft: r.linesLeft };
        }
        if (end < 0) break;
        continue;
      }
      if (h >= hits.length) break;
      const hit = hits[h];
      if (hit < cursor) {
        h++;
        continue;
      }
      const back = backLines(s, hit, this.cfg.before, cursor);
      const skipped = countNewlines(s, cursor, back.pos);
      cursorNo += skipped;
      const pieces: Buffer[] = [];
      let firstNo = cursorNo + 1;
      if (back.lines < this.cfg.before && back.pos === 0 && cursor === 0 && this.tailLines > 0) {
        pieces.push(this.tail);
        firstNo -= this.tailLines;
      }
      this.region = { firstNo, pieces, lines: firstNo <= cursorNo ? this.tailLines : 0, linesLeft: 0 };
      const firstEnd = advanceLines(s, hit, 1);
      this.region.linesLeft = countNewlines(s, back.pos, firstEnd < 0 ? s.length : firstEnd) + this.cfg.after;
      cursor = back.pos;
    }
    this.lineNo += countNewlines(s, 0, s.length);
    this.rememberTail(body, s);
  }

  private rememberTail(body: Buffer, s: string): void {
    const back = backLines(s, s.length, this.cfg.before, 0);
    this.tail = Buffer.from(body.subarray(back.pos));
    this.tailLines = back.lines;
  }

  /** `cut`: the region was handed over for its size and goes on in the next one. */
  private closeRegion(cut = false): void {
    const r = this.region;
    if (!r) return;
    this.region = null;
    if (r.pieces.length === 0) return;
    const lines = linesFromBuffer(Buffer.concat(r.pieces), this.style ?? undefined, r.firstNo);
    if (lines.length > 0 && lines[lines.length - 1].raw === '' && lines.length > 1) lines.pop();
    this.regions++;
    this.onRegion(lines, cut);
  }
}

/**
 * Receives each region in order; the scan waits for it before reading on (so output can keep pace).
 * `whole`: the region is the whole input; `cut`: it was cut for its size and the next region goes on from its last line.
 */
export type RegionSink = (lines: LogLine[], whole: boolean, cut: boolean) => void | Promise<void>;

/**
 * Reads `chunks` to the end. Inputs up to `wholeLimit` bytes are handed over whole,
 * as one region; larger ones are streamed and only the lines around trigger lines
 * are handed over, so memory stays flat whatever the input size.
 */
export async function scanInput(chunks: AsyncIterable<Buffer>, cfg: ScanConfig, onRegion: RegionSink): Promise<ScanResult> {
  let acc: Buffer[] = [];
  let accBytes = 0;
  let scanner: RegionScanner | null = null;
  const ready: Array<{ lines: LogLine[]; cut: boolean }> = [];
  const drain = async (): Promise<void> => {
    for (let r = ready.shift(); r; r = ready.shift()) await onRegion(r.lines, false, r.cut);
  };
  for await (const chunk of normalizeStream(chunks)) {
    if (scanner) {
      scanner.feed(chunk);
      await drain();
      continue;
    }
    acc.push(chunk);
    accBytes += chunk.length;
    if (accBytes > cfg.wholeLimit) {
      scanner = new RegionScanner(cfg, (lines, cut) => ready.push({ lines, cut }));
      const all = Buffer.concat(acc);
      acc = [];
      scanner.feed(all);
      await drain();
    }
  }
  if (scanner) {
    scanner.end();
    await drain();
    return { mode: 'regions', bytes: scanner.bytes, lineCount: scanner.lineCount, regions: scanner.regions, truncatedLines: scanner.truncatedLines };
  }
  const buf = Buffer.concat(acc);
  acc = [];
  const out: LogLine[] = [];
  const b = new LineBuilder((l) => out.push(l));
  const text = decodeBytes(buf);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    b.push(physicalLine(text, start, end));
    start = end + 1;
  }
  b.finish();
  await onRegion(out, true, false);
  return { mode: 'whole', bytes: buf.length, lineCount: out.length, regions: 1, truncatedLines: b.truncatedLines };
}
