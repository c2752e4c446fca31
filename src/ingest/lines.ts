// Turns bytes of any encoding into cleaned, numbered log lines.

import type { LogLine } from '../model/types';
import { decodeBytes } from './encoding';
import { cleanPastedLine, detectPasteStyle, type PasteStyle } from './paste';
import { makeLine, splitPrefix, type Prefix } from './prefix';
import { continuation, joinWrapped, MAX_JOINED, wrapWidth, type WrapLine } from './wrap';

export { decodeBytes } from './encoding';

/** printk never emits more than 1 KiB a line; anything past this is garbage and is cut. */
export const MAX_LINE_CHARS = 64 * 1024;
/** How many leading lines decide the paste style. */
export const STYLE_SAMPLE_LINES = 400;
/** Paste damage is judged per region: blank-line separated blocks of at most this many lines. */
const BLOCK_LINES = 400;
/** A block this small is too little to judge: it keeps the style of the block before. */
const SMALL_BLOCK = 4;

/** Removes control characters that terminals would act on; keeps tabs. */
export function stripControls(line: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b-\x1f\x7f]/.test(line) ? line.replace(/\x1b\[[0-9;?]{0,32}[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]/g, '') : line;
}

/**
 * Builds numbered log lines from physical lines. Paste damage (spaces turned into '?', bullets,
 * line numbers, quoting and indentation) is judged per region, so that a clean log with a damaged
 * paste inside it is repaired only where it is damaged; lines a mail client wrapped are rejoined.
 */
export class LineBuilder {
  private readonly base: PasteStyle | null;
  private style: PasteStyle | null = null;
  private block: string[] = [];
  private next: number;
  /** The widest breakable line seen so far: a log with long lines was not wrapped by a mailer. */
  private width = 0;
  /** Lines proven wrapped so far: only then is a line without a timestamp taken for a wrapped tail. */
  private wrapEvidence = 0;
  truncatedLines = 0;

  constructor(private readonly sink: (line: LogLine) => void, style?: PasteStyle, firstLineNo = 1) {
    this.base = style ?? null;
    this.next = firstLineNo;
  }

  /** The paste style of the last region read. */
  get pasteStyle(): PasteStyle | null {
    return this.style;
  }

  /** Feeds one physical line (without its newline). */
  push(physical: string): void {
    let s = physical;
    if (s.length > MAX_LINE_CHARS) {
      s = s.slice(0, MAX_LINE_CHARS);
      this.truncatedLines++;
    }
    this.block.push(s);
    if (this.block.length >= BLOCK_LINES || s.trim() === '') this.flushBlock();
  }

  finish(): void {
    this.flushBlock();
  }

  /** Hands over the lines held for the current block (a followed input went quiet: what was read is complete). */
  drain(): void {
    this.flushBlock();
  }

  private styleFor(block: readonly string[]): PasteStyle {
    const sample = block.map((l) => l.replace(/\r$/, '').replace(/[\u00a0\u3000]/g, ' '));
    const own = detectPasteStyle(sample);
    let nonEmpty = 0;
    for (const l of sample) if (l.trim() !== '') nonEmpty++;
    const inherited = this.style ?? this.base;
    if (nonEmpty >= SMALL_BLOCK || !inherited) return own;
    const style: PasteStyle = { ...inherited, indent: own.indent };
    if (!own.indent) delete style.indent;
    return style;
  }

  private flushBlock(): void {
    const block = this.block;
    if (block.length === 0) return;
    this.block = [];
    const style = this.styleFor(block);
    this.style = style;
    const prefixes: Prefix[] = new Array(block.length);
    const wl: WrapLine[] = block.map((physical, k) => {
      const raw = stripControls(cleanPastedLine(physical, style));
      const p = (prefixes[k] = splitPrefix(raw));
      return { raw, text: p.text, prefixed: p.text !== raw };
    });
    this.width = Math.max(this.width, wrapWidth(wl));
    // Each pair of neighbours is judged once; a pair is judged again only when its first line was rebuilt by a join.
    const pairs: Array<ReturnType<typeof continuation>> = new Array(Math.max(0, wl.length - 1));
    for (let i = 0; i + 1 < wl.length; i++) if ((pairs[i] = continuation(wl[i], wl[i + 1], this.width)) === 'strong') this.wrapEvidence++;
    const joins = (c: ReturnType<typeof continuation>): boolean => c === 'strong' || (c === 'weak' && this.wrapEvidence > 0);
    for (let i = 0; i < wl.length; ) {
      let cur = wl[i];
      let j = i + 1;
      while (j < wl.length && j - i < MAX_JOINED && joins(j - i === 1 ? pairs[i] : continuation(cur, wl[j], this.width))) cur = joinWrapped(cur, wl[j++]);
      // A line left alone keeps the prefix read above; a joined one is read again.
      const line = makeLine(this.next + i, cur.raw, j - i === 1 ? prefixes[i] : undefined);
      if (j - i > 1) line.joined = j - i - 1;
      this.sink(line);
      i = j;
    }
    this.next += block.length;
  }
}

/**
 * The physical line from `start` to `end` of a text, as a string of its own. A plain slice is a view of
 * the whole text, and everything read out of the line later (a task's address, a frame's symbol) keeps
 * all of the text alive: the model of a 30 MB foreach bt would hold the 30 MB to the end.
 */
export function physicalLine(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end);
  // Concatenated, then flattened by the slice: a copy the size of the line.
  return (text.slice(start, end) + '\n').slice(0, -1);
}

/** Splits a whole text into log lines (for small inputs and tests). */
export function linesFromText(text: string, style?: PasteStyle, firstLineNo = 1): LogLine[] {
  const out: LogLine[] = [];
  const b = new LineBuilder((l) => out.push(l), style, firstLineNo);
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end === text.length && start === end) break;
    b.push(physicalLine(text, start, end));
    start = end + 1;
  }
  b.finish();
  return out;
}

export function linesFromBuffer(buf: Buffer, style?: PasteStyle, firstLineNo = 1): LogLine[] {
  return linesFromText(decodeBytes(buf), style, firstLineNo);
}
