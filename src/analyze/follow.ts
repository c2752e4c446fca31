// Follow mode: reads a log as it is written and hands each report over as soon as it is complete, in flat memory.

import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import type { KernelInfo, LogLine } from '../model/types';
import { decodeBytes, LineBuilder, STYLE_SAMPLE_LINES } from '../ingest/lines';
import { detectPasteStyle } from '../ingest/paste';
import { identifyInput } from '../ingest/identify';
import { extractReports, headerTriggers } from '../signature';
import { parseDetails } from '../parse/details';
import { ERA_MARKERS } from '../knowledge/eras';
import { buildReport, datedBy, InputError, looseBacktraces, mergeKernel, type Batch, type StreamResult } from './analyze';
import { literalPattern } from '../parse/literals';

/** Lines kept before a report (what rules look at before its header). */
const CONTEXT_LINES = 30;
/** A report without an end marker is complete this many lines after its header (the signature layer reads no further). */
const REPORT_LINES = 2000;
/** A line longer than this without a newline is cut. */
const MAX_CARRY = 1024 * 1024;

export interface FollowOptions {
  /** At most this many reports in one batch. */
  maxReports: number;
  /** Quiet time after which the reports read so far count as complete. */
  idleMs: number;
  onBatch: (batch: Batch) => void | Promise<void>;
}

const END_MARKER = /---\[ end (?:trace|Kernel panic)/;
const triggerRe = literalPattern(headerTriggers);

type Next = IteratorResult<Buffer> | 'idle';

/**
 * Reads `chunks` until they end and hands over each report once complete: when its end marker
 * is read, a later report starts, it is REPORT_LINES long, or the input has been quiet for
 * `idleMs`. Only the lines of reports not yet complete (and a few before them) are held.
 */
export async function followChunks(name: string, chunks: AsyncIterable<Buffer>, opts: FollowOptions): Promise<StreamResult> {
  const kernel: KernelInfo = { release: null, arch: null, taint: null };
  const notes: string[] = [];
  const eraHits: Array<number | null> = ERA_MARKERS.map(() => null);
  let pending: LogLine[] = [];
  /** Index in `pending` of the first line not handed over yet (those before are context). */
  let fresh = 0;
  /**
   * The header of the last report handed over, kept first in `pending`: what follows it is read
   * as in one piece (a panic printed after a report belongs to that report, not a new one).
   */
  let anchor: LogLine | null = null;
  let triggered = false;
  let offset = 0;
  let batches = 0;
  let lineNo = 0;
  let carry: Buffer = Buffer.alloc(0);
  let builder: LineBuilder | null = null;

  const take = (l: LogLine): void => {
    pending.push(l);
    lineNo = l.no;
    if (!triggered && triggerRe.test(l.text)) triggered = true;
  };

  async function hand(sigs: ReturnType<typeof extractReports>, lines: LogLine[]): Promise<void> {
    for (let i = 0; i < sigs.length || (i === 0 && sigs.length === 0); i += Math.max(1, opts.maxReports)) {
      const run = sigs.slice(i, i + opts.maxReports);
      const reports = run.map((s) => buildReport(lines, s));
      for (const r of reports) mergeKernel(kernel, r.kernel);
      mergeKernel(kernel, parseDetails(lines).kernel);
      const b: Batch = { input: name, kernel, reports, findings: [], notes, lineCount: lineNo, backtraces: looseBacktraces(lines, reports), regions: anchor && lines[0] === anchor ? [[anchor], lines.slice(1)] : [lines], offset };
      offset += reports.length;
      batches++;
      await opts.onBatch(b);
    }
  }

  /** `chunk`: more may come; `idle`: the input is quiet, what was read counts as complete; `end`: nothing more comes. */
  async function flush(mode: 'chunk' | 'idle' | 'end'): Promise<void> {
    const final = mode !== 'chunk';
    datedBy(pending.slice(fresh), eraHits);
    const eraAt = eraHits.findIndex((h) => h !== null);
    if (eraAt >= 0) kernel.era = { label: ERA_MARKERS[eraAt].label, line: eraHits[eraAt] as number };
    if (!triggered) {
      if (mode === 'end' && batches === 0) {
        await hand([], pending);
        return;
      }
      // Nothing opens a report: keep only the lines a later report may need before it.
      if (pending.length > CONTEXT_LINES + 1) {
        mergeKernel(kernel, parseDetails(pending).kernel);
        const kept = pending.slice(Math.max(anchor ? 1 : 0, pending.length - CONTEXT_LINES));
        pending = anchor ? [anchor, ...kept] : kept;
      }
      fresh = pending.length;
      return;
    }
    const sigs = extractReports(pending).filter((s) => s.start >= fresh);
    let done = 0;
    for (let i = 0; i < sigs.length; i++) {
      const s = sigs[i];
      const complete = final || i < sigs.length - 1 || END_MARKER.test(pending[s.end].text) || pending.length - s.start >= REPORT_LINES;
      if (!complete) break;
      done = i + 1;
    }
    if (done > 0) {
      await hand(sigs.slice(0, done), pending);
      const last = sigs[done - 1];
      anchor = pending[last.start];
      const cut = last.end + 1;
      const from = Math.max(last.start + 1, cut - CONTEXT_LINES);
      pending = [anchor, ...pending.slice(from)];
      fresh = cut - from + 1;
    } else if (sigs.length === 0 && !final) {
      // A header that opens no report (a suppressed kind, a panic after a report): drop the lines as above.
      const kept = pending.slice(Math.max(anchor ? 1 : 0, pending.length - CONTEXT_LINES));
      pending = anchor ? [anchor, ...kept] : kept;
      fresh = pending.length;
    }
    triggered = pending.slice(fresh).some((l) => triggerRe.test(l.text));
    // An input without reports still gets its one (empty) batch: rules also read lines outside reports.
    if (mode === 'end' && batches === 0) await hand([], pending);
  }

  function feed(chunk: Buffer): void {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const cut = data.lastIndexOf(10);
    if (cut < 0) {
      carry = data.length > MAX_CARRY ? Buffer.alloc(0) : Buffer.from(data);
      if (data.length > MAX_CARRY) notes.push('a line longer than 1 MiB was dropped.');
      return;
    }
    carry = Buffer.from(data.subarray(cut + 1));
    data = data.subarray(0, cut);
    const text = decodeBytes(data);
    const parts = text.split('\n');
    if (!builder) builder = new LineBuilder(take, detectPasteStyle(parts.slice(0, STYLE_SAMPLE_LINES)), 1);
    for (const p of parts) builder.push(p);
  }

  const it = chunks[Symbol.asyncIterator]();
  let waiting: Promise<IteratorResult<Buffer>> | null = null;
  let first = true;
  for (;;) {
    waiting ??= it.next();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), opts.idleMs);
    });
    const n: Next = await Promise.race([waiting, idle]);
    clearTimeout(timer);
    if (n === 'idle') {
      (builder as LineBuilder | null)?.drain();
      await flush('idle');
      continue;
    }
    waiting = null;
    if (n.done) break;
    if (first) {
      first = false;
      const kind = identifyInput(n.value);
      if (kind && kind.fatal) {
        await it.return?.();
        throw new InputError(`${name}: ${kind.message}`);
      }
      if (kind) notes.push(kind.message);
    }
    feed(n.value);
    await flush('chunk');
  }
  if (carry.length > 0) {
    builder ??= new LineBuilder(take);
    builder.push(decodeBytes(carry));
  }
  builder?.finish();
  await flush('end');
  if (lineNo === 0) notes.push('The input is empty.');
  return { input: name, kernel, notes, lineCount: lineNo, reportCount: offset, batches };
}

/** The bytes of a file as it grows, like `tail -f` from its start; a truncated file is read again from its start. Ends when `stop()` is true. */
export async function* growingFile(path: string, stop: () => boolean, pollMs = 250): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let pos = 0;
    const buf = Buffer.alloc(4 * 1024 * 1024);
    while (!stop()) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n > 0) {
        pos += n;
        yield Buffer.from(buf.subarray(0, n));
        continue;
      }
      if (fstatSync(fd).size < pos) pos = 0;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    closeSync(fd);
  }
}
