// The JSON form of one analysed input, as contract.md fixes it (plus extension fields).

import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallTrace, CrashReport } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import { machineOf } from '../machine';
import { machineJson } from '../machine/json';

export function traceJson(t: CallTrace): Record<string, unknown> {
  return {
    origin: t.origin,
    label: t.label,
    task: t.task,
    startLine: t.startLine,
    endLine: t.endLine,
    segments: t.segments.map((s) => ({
      context: s.context,
      exceptionRip: s.exceptionRip,
      registers: s.registers,
      startLine: s.startLine,
      endLine: s.endLine,
      frames: s.frames,
    })),
  };
}

export function reportJson(r: CrashReport): Record<string, unknown> {
  return {
    // The contract's fields first, in its order.
    title: r.title,
    altTitles: r.altTitles,
    type: r.type,
    corrupted: r.corrupted,
    frame: r.frame,
    cpu: r.cpu,
    pid: r.pid,
    comm: r.comm,
    startLine: r.startLine,
    endLine: r.endLine,
    // Extensions.
    corruptedReason: r.corruptedReason,
    guiltyFile: r.guiltyFile,
    headerLine: r.headerLine,
    hardware: r.hardware,
    kernel: r.kernel,
    ip: r.registers?.ip ?? null,
    registers: r.registers ? r.registers.values : null,
    code: r.code,
    instruction: r.instruction,
    fault: r.fault,
    modules: r.modules,
    lastUnloaded: r.lastUnloaded,
    traces: r.traces.map(traceJson),
  };
}

export function analysisJson(a: Analysis, reports: unknown = a.reports.map(reportJson)): Record<string, unknown> {
  return {
    input: a.input,
    // The contract's three fields; the era the log's format shows is an extension beside them.
    kernel: { release: a.kernel.release, arch: a.kernel.arch, taint: a.kernel.taint },
    reports,
    findings: a.findings,
    notes: a.notes,
    lines: a.lineCount,
    era: a.kernel.era ?? null,
    reportCount: a.reportCount ?? a.reports.length,
    backtraces: a.backtraces.map(traceJson),
    machine: machineJson(machineOf(a)),
    investigation: a.investigation ?? [],
  };
}

/** The JSON object printed for an input that could not be read at all. */
export function unreadableJson(input: string, message: string): Record<string, unknown> {
  return { input, error: message, kernel: { release: null, arch: null, taint: null }, reports: [], findings: [] };
}

/** Reports' JSON kept in memory up to this many characters; past it they go to a temporary file. */
const SPOOL_MEMORY_CHARS = 8 * 1024 * 1024;

/** Temporary folders of the spools in use, removed however the program ends. */
const liveDirs = new Set<string>();
let cleanupHooked = false;
function track(dir: string): void {
  liveDirs.add(dir);
  if (cleanupHooked) return;
  cleanupHooked = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * The `reports` array of one input, serialised report by report as the analysis goes, so that
 * a log of any number of reports is printed whole while memory holds only a bounded part of it.
 */
export class ReportSpool {
  private parts: string[] = [];
  private chars = 0;
  private dir: string | null = null;
  private fd: number | null = null;
  count = 0;

  /** `depth`: nesting of the array in the printed document (2 for one input, 3 inside an array of inputs); null prints compact JSON. */
  constructor(private readonly depth: number | null) {}

  add(r: CrashReport): void {
    const pad = this.depth === null ? '' : ' '.repeat(this.depth * 2);
    const body = this.depth === null ? JSON.stringify(reportJson(r)) : JSON.stringify(reportJson(r), null, 2).replace(/\n/g, `\n${pad}`);
    const piece = this.depth === null ? (this.count > 0 ? ',' : '') + body : `${this.count > 0 ? ',' : ''}\n${pad}${body}`;
    this.count++;
    if (this.fd === null && this.chars + piece.length <= SPOOL_MEMORY_CHARS) {
      this.parts.push(piece);
      this.chars += piece.length;
      return;
    }
    if (this.fd === null) {
      this.dir = mkdtempSync(join(tmpdir(), 'ktriage-'));
      track(this.dir);
      this.fd = openSync(join(this.dir, 'reports.json'), 'w');
      writeSync(this.fd, this.parts.join(''));
      this.parts = [];
    }
    writeSync(this.fd, piece);
  }

  /** Writes the array, then frees what it held. */
  async writeTo(write: (s: string) => Promise<void>): Promise<void> {
    try {
      if (this.count === 0) return await write('[]');
      await write('[');
      for (const p of this.parts) await write(p);
      if (this.fd !== null && this.dir !== null) {
        closeSync(this.fd);
        this.fd = null;
        for await (const chunk of createReadStream(join(this.dir, 'reports.json'), { encoding: 'utf8', highWaterMark: 1 << 20 })) await write(chunk as string);
      }
      await write(this.depth === null ? ']' : `\n${' '.repeat((this.depth - 1) * 2)}]`);
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    this.parts = [];
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.dir !== null) {
      rmSync(this.dir, { recursive: true, force: true });
      liveDirs.delete(this.dir);
    }
    this.dir = null;
  }
}

const REPORTS_HERE = '\u0000reports\u0000';
const BACKTRACES_HERE = '\u0000backtraces\u0000';
const MACHINE_HERE = '\u0000machine\u0000';

/** Pieces of output handed to `write` at about this size: a paste of 20,000 tasks is never one string. */
const PIECE_CHARS = 1 << 18;

/**
 * An array printed one element a line, each element compact: the layout of the two sections that
 * grow with the input (every stack of a `foreach bt`, every task of the model). Indented as
 * `JSON.stringify(_, null, 2)` would put the array at `level`. Written in pieces, so that the
 * memory it takes does not grow with the array.
 */
async function writeLinesArray(items: readonly unknown[], level: number, write: (s: string) => Promise<void>): Promise<void> {
  if (items.length === 0) return write('[]');
  const pad = ' '.repeat((level + 1) * 2);
  let piece = '[\n';
  for (let i = 0; i < items.length; i++) {
    piece += (i > 0 ? ',\n' : '') + pad + JSON.stringify(items[i]);
    if (piece.length >= PIECE_CHARS) {
      await write(piece);
      piece = '';
    }
  }
  await write(`${piece}\n${' '.repeat(level * 2)}]`);
}

/** The machine object with each of its arrays printed one element a line. */
async function writeLinesObject(o: Record<string, unknown>, level: number, write: (s: string) => Promise<void>): Promise<void> {
  const entries = Object.entries(o);
  if (entries.length === 0) return write('{}');
  const pad = ' '.repeat((level + 1) * 2);
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    await write(`${i === 0 ? '{\n' : ',\n'}${pad}${JSON.stringify(k)}: `);
    if (Array.isArray(v)) await writeLinesArray(v, level + 1, write);
    else await write(JSON.stringify(v));
  }
  await write(`\n${' '.repeat(level * 2)}}`);
}

/**
 * Prints the JSON of one input with its reports streamed from the spool. `depth` 1 is a document
 * of its own, 2 an element of an array of inputs; null is one compact line (jsonl). The reports
 * are indented in full; `backtraces` and the machine's arrays hold an element a line, so that the
 * output of a paste of thousands of tasks stays near the paste's size.
 */
export async function writeAnalysisJson(a: Analysis, spool: ReportSpool, write: (s: string) => Promise<void>, depth: number | null): Promise<void> {
  const doc = analysisJson(a, REPORTS_HERE);
  if (depth === null) {
    const text = JSON.stringify(doc);
    const mark = JSON.stringify(REPORTS_HERE);
    const at = text.indexOf(mark);
    await write(text.slice(0, at));
    await spool.writeTo(write);
    await write(text.slice(at + mark.length));
    return;
  }
  const backtraces = doc.backtraces as unknown[];
  const machine = doc.machine as Record<string, unknown>;
  let text = JSON.stringify({ ...doc, backtraces: BACKTRACES_HERE, machine: MACHINE_HERE }, null, 2);
  if (depth > 1) text = text.replace(/\n/g, `\n${' '.repeat((depth - 1) * 2)}`);
  const pieces = [
    { mark: JSON.stringify(REPORTS_HERE), put: async () => spool.writeTo(write) },
    { mark: JSON.stringify(BACKTRACES_HERE), put: async () => writeLinesArray(backtraces, depth, write) },
    { mark: JSON.stringify(MACHINE_HERE), put: async () => writeLinesObject(machine, depth, write) },
  ]
    .map((p) => ({ ...p, at: text.indexOf(p.mark) }))
    .sort((x, y) => x.at - y.at);
  let from = 0;
  for (const p of pieces) {
    await write(text.slice(from, p.at));
    await p.put();
    from = p.at + p.mark.length;
  }
  await write(text.slice(from));
}
