// Turns bytes of any encoding into cleaned, numbered log lines.

import { isUtf8 } from 'node:buffer';
import type { LogLine } from '../model/types';
import { cleanPastedLine, detectPasteStyle, type PasteStyle } from './paste';
import { makeLine } from './prefix';

/** printk never emits more than 1 KiB a line; anything past this is garbage and is cut. */
export const MAX_LINE_CHARS = 64 * 1024;
/** How many leading lines decide the paste style. */
export const STYLE_SAMPLE_LINES = 400;

const gb18030 = new TextDecoder('gb18030');

/**
 * Decodes one chunk of bytes. UTF-8 when valid; otherwise each line is tried as
 * UTF-8 and then as GB18030 (which also covers GBK), so Chinese logs from
 * Windows tools read correctly and binary garbage still decodes to something.
 */
export function decodeBytes(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  const parts: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    end = end < 0 ? buf.length : end + 1;
    const piece = buf.subarray(start, end);
    parts.push(isUtf8(piece) ? piece.toString('utf8') : gb18030.decode(piece));
    start = end;
  }
  return parts.join('');
}

/** Removes control characters that terminals would act on; keeps tabs. */
export function stripControls(line: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b-\x1f\x7f]/.test(line) ? line.replace(/\x1b\[[0-9;?]{0,32}[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]/g, '') : line;
}

export class LineBuilder {
  private style: PasteStyle | null = null;
  private pending: string[] = [];
  private next: number;
  truncatedLines = 0;

  constructor(private readonly sink: (line: LogLine) => void, style?: PasteStyle, firstLineNo = 1) {
    if (style) this.style = style;
    this.next = firstLineNo;
  }

  /** The paste style in force (decided from the first lines when not given). */
  get pasteStyle(): PasteStyle | null {
    return this.style;
  }

  /** Feeds one physical line (without its newline). */
  push(physical: string): void {
    if (this.style === null) {
      this.pending.push(physical);
      if (this.pending.length >= STYLE_SAMPLE_LINES) this.flushPending();
      return;
    }
    this.emit(physical, this.style);
  }

  finish(): void {
    if (this.style === null) this.flushPending();
  }

  private flushPending(): void {
    this.style = detectPasteStyle(this.pending);
    const lines = this.pending;
    this.pending = [];
    for (const l of lines) this.emit(l, this.style);
  }

  private emit(physical: string, style: PasteStyle): void {
    let s = physical;
    if (s.length > MAX_LINE_CHARS) {
      s = s.slice(0, MAX_LINE_CHARS);
      this.truncatedLines++;
    }
    this.sink(makeLine(this.next++, stripControls(cleanPastedLine(s, style))));
  }
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
    b.push(text.slice(start, end));
    start = end + 1;
  }
  b.finish();
  return out;
}

export function linesFromBuffer(buf: Buffer, style?: PasteStyle, firstLineNo = 1): LogLine[] {
  return linesFromText(decodeBytes(buf), style, firstLineNo);
}
