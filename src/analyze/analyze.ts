// The analysis pipeline: bytes -> lines -> reports with their details -> one AnalysedInput.

import { createReadStream, promises as fsp } from 'node:fs';
import type { AnalysedInput, CallTrace, CrashReport, KernelInfo, LogLine, ReportSignature, TaskInfo } from '../model/types';
import { scanInput, type ScanConfig, type ScanResult } from '../ingest/scan';
import { parseDetails, parseKernel } from '../parse/details';
import { parseTraces } from '../parse/trace';
import { moduleFromCaller } from '../parse/literals';
import { extractReports, headerTriggers } from '../signature';
import { identifyInput } from '../ingest/identify';
import { DumpError } from '../vmcore';
import { looksLikeVmcore, vmcoreInput, VmcoreOptionError, type CrashSource, type VmcoreOptions } from '../vmcore/input';
import { INFO_TRIGGERS } from './prefilter';
import { completeFault, decodeFaultingInstruction } from '../decode/report';
import { ERA_MARKERS } from '../knowledge/eras';

/** An input that cannot be analysed at all; the message is for the user. */
export class InputError extends Error {}

export const DEFAULT_SCAN: ScanConfig = {
  triggers: [...headerTriggers, ...INFO_TRIGGERS],
  // Held as lines, an input takes about ten times its size: past this it is streamed.
  wholeLimit: 4 * 1024 * 1024,
  before: 30,
  after: 1500,
  maxRegionLines: 20_000,
  maxCarry: 1024 * 1024,
};

/** Task named in a report header: `comm/pid/0x...`, `[comm:pid]`, `by task comm/pid`. */
const HEADER_TASK: ReadonlyArray<{ re: RegExp; comm: number; pid: number }> = [
  { re: /scheduling while atomic: ?(.{1,64}?)\/(\d{1,10})\/0x[0-9a-f]{1,16}/, comm: 1, pid: 2 },
  { re: /stuck for \d{1,6}s! \[(.{1,64}):(\d{1,10})\]/, comm: 1, pid: 2 },
  { re: /by task (.{1,64}?)\/(\d{1,10})/, comm: 1, pid: 2 },
  { re: /task (.{1,64}):(\d{1,10}) blocked for more than/, comm: 1, pid: 2 },
  { re: /in_atomic\(\): \d, irqs_disabled\(\): \d, (?:non_block: \d, )?pid: (\d{1,10}), name: (.{1,64})$/, comm: 2, pid: 1 },
];
const HEADER_CPU = /CPU#(\d{1,5}) stuck|on CPU (\d{1,5})|NMI watchdog: Watchdog detected hard LOCKUP on cpu (\d{1,5})/;

function taskFromHeader(text: string): TaskInfo {
  const t: TaskInfo = { comm: null, pid: null, cpu: null };
  for (const h of HEADER_TASK) {
    const m = h.re.exec(text);
    if (m) {
      t.comm = m[h.comm];
      t.pid = Number(m[h.pid]);
      break;
    }
  }
  const c = HEADER_CPU.exec(text);
  if (c) t.cpu = Number(c[1] ?? c[2] ?? c[3]);
  return t;
}

/** The lines of a report that belong to it: same printk caller as the header when ids are printed. */
function reportLines(lines: readonly LogLine[], sig: ReportSignature): LogLine[] {
  const slice = lines.slice(sig.start, sig.end + 1);
  const caller = lines[sig.start]?.caller;
  if (!caller) return slice;
  return slice.filter((l) => l.caller === undefined || l.caller === caller);
}

/** crash prints an exception RIP without its module: the report's IP gets its caller's when `moduleFromCaller` says so. */
function moduleOfCrashRip(regs: NonNullable<CrashReport['registers']>, traces: readonly CallTrace[]): void {
  const ip = regs.ip;
  if (!ip || ip.module !== null || !ip.function || !/^\s{0,12}\[exception RIP:/.test(ip.text)) return;
  const fn = ip.function;
  for (const t of traces) {
    if (t.origin !== 'crash-bt') continue;
    const seg = t.segments.find((g) => g.exceptionRip?.startsWith(fn));
    if (!seg) continue;
    ip.module = moduleFromCaller(fn, seg.frames.find((f) => f.reliable && f.function !== null));
    return;
  }
}

export function buildReport(lines: readonly LogLine[], sig: ReportSignature): CrashReport {
  const own = reportLines(lines, sig);
  const d = parseDetails(own);
  const header = lines[sig.start];
  const fromHeader = taskFromHeader(header.text);
  const instruction = decodeFaultingInstruction(d.code, d.registers, d.kernel.release, d.kernel.arch, d.fault.address);
  completeFault(d.fault, instruction, d.kernel.release, d.kernel.arch);
  const traces = parseTraces(own);
  if (d.registers) moduleOfCrashRip(d.registers, traces);
  return {
    ...sig,
    startLine: header.no,
    endLine: lines[sig.end]?.no ?? header.no,
    headerLine: header.no,
    comm: fromHeader.comm ?? d.task.comm,
    pid: fromHeader.pid ?? d.task.pid,
    cpu: d.task.cpu ?? fromHeader.cpu,
    hardware: d.hardware,
    kernel: d.kernel,
    registers: d.registers,
    code: d.code,
    traces,
    modules: d.modules,
    lastUnloaded: d.lastUnloaded,
    fault: d.fault,
    instruction,
  };
}

export function mergeKernel(into: KernelInfo, from: KernelInfo): void {
  if (!into.release && from.release) into.release = from.release;
  if (!into.arch && from.arch) into.arch = from.arch;
  if (!into.taint && from.taint) into.taint = from.taint;
}

/** Crash `bt` listings that are not part of any report, e.g. pasted before the log. */
export function looseBacktraces(lines: readonly LogLine[], reports: ReadonlyArray<Pick<CrashReport, 'startLine' | 'endLine'>>): CallTrace[] {
  // Reports are in line order: the last one starting at or before a line is the only one that can hold it.
  const inReport = (no: number): boolean => {
    let lo = 0;
    let hi = reports.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (reports[mid].startLine <= no) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at >= 0 && no <= reports[at].endLine;
  };
  // A pasted call trace with no report header around it is still a stack to reason about.
  const bareOk = reports.length === 0;
  // A console stack of a named task (an NMI backtrace of another CPU, sysrq t/w, a csd dump) describes the machine too.
  return parseTraces(lines).filter(
    (t) => !inReport(t.startLine) && (t.origin === 'crash-bt' || (t.origin === 'console' && t.task?.pid != null) || (bareOk && t.segments.reduce((n, s) => n + s.frames.length, 0) >= 4)),
  );
}

export interface AnalysisExtras {
  scan: ScanResult;
  backtraces: CallTrace[];
}

export type Analysis = AnalysedInput & {
  backtraces: CallTrace[];
  /** The lines that were parsed (all of a small input; the regions around reports of a large one), in order. */
  regions: LogLine[][];
};

/** A part of an input handed over for diagnosis: a bounded run of consecutive reports with their lines. */
export type Batch = Analysis & {
  /** Index among all the input's reports of the batch's first report. */
  offset: number;
};

export interface Batching {
  /** At most this many reports in one batch, so that whatever the input, each diagnosis sees a bounded part of it. */
  maxReports: number;
  /** Receives each batch in log order; what it does not keep is freed. */
  onBatch: (batch: Batch) => void | Promise<void>;
}

/** Lines a batch holds at most (about 7,000 task stacks of a crash `foreach bt`): past this it is handed over. */
const MAX_BATCH_LINES = 60_000;

/** Lines kept around a run of reports cut out of a larger region: what rules look at before and after a report. */
const BATCH_CONTEXT_LINES = 200;

/** The input line with this number, when it was kept (binary search: regions are in line order). */
export function lineAt(a: Pick<Analysis, 'regions'>, no: number): LogLine | null {
  const regions = a.regions;
  let lo = 0;
  let hi = regions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const region = regions[mid];
    if (region.length === 0 || no < region[0].no) hi = mid - 1;
    else if (no > region[region.length - 1].no) lo = mid + 1;
    else {
      const guess = region[no - region[0].no];
      if (guess && guess.no === no) return guess;
      return region.find((l) => l.no === no) ?? null;
    }
  }
  return null;
}

/** What a summary of the whole input carries once its batches were handed over. */
export interface StreamResult {
  input: string;
  kernel: KernelInfo;
  notes: string[];
  lineCount: number;
  reportCount: number;
  batches: number;
}

/** Records the first line of each era marker (the table's order says which marker wins). */
export function datedBy(lines: readonly LogLine[], hits: Array<number | null>): void {
  ERA_MARKERS.forEach((m, i) => {
    if (hits[i] !== null) return;
    const hit = lines.find((l) => m.pattern.test(l.text));
    if (hit) hits[i] = hit.no;
  });
}

/**
 * Analyses a stream of bytes and hands the reports over in batches of at most
 * `batching.maxReports`, in log order. An input with fewer reports is one batch holding all of
 * it, exactly as `analyzeChunks` returns it. Never throws on content; unreadable or non-text
 * sources reject.
 */
export async function analyzeBatches(name: string, chunks: AsyncIterable<Buffer>, batching: Batching, cfg: ScanConfig = DEFAULT_SCAN): Promise<StreamResult> {
  const kernel: KernelInfo = { release: null, arch: null, taint: null };
  const notes: string[] = [];
  let offset = 0;
  let batches = 0;
  let lineCount = 0;
  let pending: Batch = newBatch();
  function newBatch(): Batch {
    return { input: name, kernel, reports: [], findings: [], notes, lineCount: 0, backtraces: [], regions: [], offset };
  }
  let keptLines = 0;
  async function seal(): Promise<void> {
    const b = pending;
    offset += b.reports.length;
    pending = newBatch();
    keptLines = 0;
    b.lineCount = lineCount;
    batches++;
    await batching.onBatch(b);
  }
  const it = chunks[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  notes.push(...((chunks as InputChunks).notes ?? []));
  const kind = identifyInput(head);
  if (kind && kind.fatal) {
    await it.return?.();
    throw new InputError(`${name}: ${kind.message}`);
  }
  if (kind) notes.push(kind.message);
  async function* rest(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const eraHits: Array<number | null> = ERA_MARKERS.map(() => null);
  // The lines of a report that a region cut for its size left unfinished: read again with the next region.
  let held: LogLine[] = [];
  const onRegion = async (part: LogLine[], whole: boolean, cut: boolean): Promise<void> => {
    let lines = part;
    if (held.length > 0) {
      const before = held;
      held = [];
      if (lines.length > 0 && lines[0].no === before[before.length - 1].no + 1) lines = before.concat(lines);
      else await onRegion(before, false, false);
    }
    lineCount = lines.length > 0 ? Math.max(lineCount, lines[lines.length - 1].no) : lineCount;
    datedBy(lines, eraHits);
    const eraAt = eraHits.findIndex((h) => h !== null);
    if (eraAt >= 0) kernel.era = { label: ERA_MARKERS[eraAt].label, line: eraHits[eraAt] as number };
    let sigs = extractReports(lines);
    const lastSig = sigs[sigs.length - 1];
    if (cut && lastSig && lines.length - lastSig.start <= cfg.maxRegionLines / 2) {
      held = lines.slice(lastSig.start);
      lines = lines.slice(0, lastSig.start);
      sigs = sigs.slice(0, -1);
    }
    const regionKernel = parseKernel(lines);
    // Keep the lines evidence is quoted from; regions without a report are dropped to bound memory.
    // crash listings and the stacks a console prints of every task or CPU (sysrq t/w, NMI backtraces) describe the machine.
    const crashBt = lines.some((l) => l.text.includes('COMMAND: "') || (l.text.startsWith('task:') && l.text.includes(' state:')) || l.text.startsWith('NMI backtrace for cpu'));
    const keep = sigs.length > 0 || crashBt || whole;
    if (pending.reports.length + sigs.length <= batching.maxReports) {
      if (keep) pending.regions.push(lines);
      const here = sigs.map((sg) => buildReport(lines, sg));
      for (const r of here) {
        pending.reports.push(r);
        mergeKernel(kernel, r.kernel);
      }
      mergeKernel(kernel, regionKernel);
      for (const t of looseBacktraces(lines, here)) pending.backtraces.push(t);
      keptLines += keep ? lines.length : 0;
      // A paste of thousands of task stacks (crash foreach bt, sysrq t) is handed over in parts too: memory stays bounded.
      if (pending.reports.length >= batching.maxReports || keptLines >= MAX_BATCH_LINES) await seal();
      return;
    }
    // More reports than a batch holds: cut the region into runs of reports, each with the lines around it.
    // Every report of the region, not only this run's, decides which stacks are outside reports.
    const spans = sigs.map((sg) => ({ startLine: lines[sg.start].no, endLine: lines[sg.end]?.no ?? lines[sg.start].no }));
    const loose = looseBacktraces(lines, spans);
    for (let i = 0; i < sigs.length; ) {
      const room = Math.max(1, batching.maxReports - pending.reports.length);
      const run = sigs.slice(i, i + room);
      i += run.length;
      const last = run[run.length - 1];
      // The region's first run keeps the lines before it (boot messages, the kernel's version); a
      // later one starts a new batch and sees the lines before it again, as one batch would.
      const lo = i === run.length ? 0 : Math.max(0, run[0].start - BATCH_CONTEXT_LINES);
      const hi = Math.min(lines.length, last.end + 1 + BATCH_CONTEXT_LINES);
      pending.regions.push(lines.slice(lo, hi));
      for (const sg of run) {
        const r = buildReport(lines, sg);
        pending.reports.push(r);
        mergeKernel(kernel, r.kernel);
      }
      mergeKernel(kernel, regionKernel);
      const firstNo = lines[lo]?.no ?? 0;
      const lastNo = lines[hi - 1]?.no ?? 0;
      for (const t of loose) if (t.startLine >= firstNo && t.startLine <= lastNo) pending.backtraces.push(t);
      if (pending.reports.length >= batching.maxReports) await seal();
    }
  };
  const scan = await scanInput(rest(), cfg, onRegion);
  // A report left unfinished by a cut region that was the last one.
  if (held.length > 0) {
    const last = held;
    held = [];
    await onRegion(last, false, false);
  }
  if (scan.truncatedLines > 0) notes.push(`${scan.truncatedLines} line(s) longer than 64 KiB were cut.`);
  if (scan.bytes === 0) notes.push('The input is empty.');
  lineCount = scan.lineCount;
  // The last batch is handed over even without reports: rules also read lines outside reports.
  if (pending.reports.length > 0 || pending.regions.length > 0 || pending.backtraces.length > 0 || batches === 0) await seal();
  return { input: name, kernel, notes, lineCount, reportCount: offset, batches };
}

/** Analyses a stream of bytes in one piece. Never throws on content; unreadable sources reject. */
export async function analyzeChunks(name: string, chunks: AsyncIterable<Buffer>, cfg: ScanConfig = DEFAULT_SCAN): Promise<Analysis> {
  const all: Analysis = { input: name, kernel: { release: null, arch: null, taint: null }, reports: [], findings: [], notes: [], lineCount: 0, backtraces: [], regions: [] };
  const res = await analyzeBatches(
    name,
    chunks,
    {
      maxReports: Number.POSITIVE_INFINITY,
      onBatch(b) {
        for (const r of b.reports) all.reports.push(r);
        for (const t of b.backtraces) all.backtraces.push(t);
        for (const g of b.regions) all.regions.push(g);
      },
    },
    cfg,
  );
  return { ...all, kernel: res.kernel, notes: res.notes, lineCount: res.lineCount };
}

async function* readChunks(path: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: 4 * 1024 * 1024 });
  for await (const chunk of stream) yield chunk as Buffer;
}

/** The bytes of a file, or of standard input for `-`. Rejects with a user-facing message when unreadable. */
export async function openInput(path: string, vmcore: VmcoreOptions = {}): Promise<AsyncIterable<Buffer>> {
  if (path === '-') return process.stdin as AsyncIterable<Buffer>;
  let st;
  try {
    st = await fsp.stat(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new InputError(`cannot read ${path}: it is a directory (give the log files inside it)`);
  try {
    await fsp.access(path, 4);
  } catch {
    throw new InputError(`cannot read ${path}: permission denied`);
  }
  // A vmcore: its kernel log is the input, read from the dump with no vmlinux.
  if (st.isFile() && looksLikeVmcore(path)) {
    try {
      const v = await vmcoreInput(path, vmcore);
      return Object.assign(v.chunks, { notes: v.notes, crash: v.crash ?? undefined });
    } catch (e) {
      if (e instanceof DumpError || e instanceof VmcoreOptionError) throw new InputError(e.message);
      throw e;
    }
  }
  return readChunks(path);
}

/** Input chunks with what their source said beside them (a vmcore's facts), and the crash session they are, when crash read a vmcore. */
export type InputChunks = AsyncIterable<Buffer> & { notes?: string[]; crash?: CrashSource };

/** Analyses a file, or standard input for `-`. Rejects with a user-facing message when unreadable. */
export async function analyzePath(path: string, cfg: ScanConfig = DEFAULT_SCAN): Promise<Analysis> {
  return analyzeChunks(path, await openInput(path), cfg);
}

export function analyzeText(name: string, text: string): Promise<Analysis> {
  async function* one(): AsyncGenerator<Buffer> {
    yield Buffer.from(text, 'utf8');
  }
  return analyzeChunks(name, one());
}
