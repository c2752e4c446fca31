// One input from bytes to grouped findings: analysed batch by batch, so that a log full of reports is read in bounded memory.

import { analyzeBatches, analyzePath, DEFAULT_SCAN, InputError, openInput, type Analysis, type Batch, type Batching, type StreamResult } from '../analyze/analyze';
import { followChunks, growingFile } from '../analyze/follow';
import type { CrashReport, ReportTally } from '../model/types';
import type { Lang } from '../render/i18n';
import { runRules } from '../rules/engine';
import { machineOf, mergeMachines, offsetMachine, rememberMachine, type MachineModel } from '../machine';
import { FindingGroups, type GroupedFinding, type Occurrence } from '../rules/group';

/** Reports per batch: far more than one incident prints, few enough that every rule sees a bounded input. */
export const BATCH_REPORTS = 256;
/** Reports kept whole for the text, Markdown and HTML forms; the rest are counted by title. */
export const KEPT_REPORTS = 50;
/** Titles counted for the reports not kept; further titles are counted together. */
const MAX_TALLIES = 1000;
/** Crash `bt` listings outside reports kept for printing. */
const MAX_BACKTRACES = 10_000;

export type Triaged = Omit<Analysis, 'findings'> & { findings: GroupedFinding[]; reportCount: number; moreReports: ReportTally[] };

export interface TriageOptions {
  lang: Lang;
  /** Reports kept in `reports` (the others are tallied). */
  keep?: number;
  /** Receives every report in log order as soon as its batch is diagnosed (the JSON forms print them all). */
  onReport?: (r: CrashReport) => void;
  /** Receives each batch once diagnosed, with its findings and whether each one's diagnosis is new (follow mode prints as it goes). */
  onBatch?: (b: Batch, found: Occurrence[]) => void | Promise<void>;
  /** Follow the input as it is written: each report is handed over as soon as it is complete. */
  follow?: { idleMs: number; stop: () => boolean };
}

/** Counts the reports that are not kept, by title, in order of first appearance. */
class Tallies {
  private readonly byTitle = new Map<string, ReportTally>();
  private other: ReportTally | null = null;

  add(r: CrashReport): void {
    let t = this.byTitle.get(r.title);
    if (!t) {
      if (this.byTitle.size >= MAX_TALLIES) {
        this.other ??= { title: '', count: 0, firstLine: r.startLine, lastLine: r.endLine };
        t = this.other;
      } else {
        t = { title: r.title, count: 0, firstLine: r.startLine, lastLine: r.endLine };
        this.byTitle.set(r.title, t);
      }
    }
    t.count++;
    t.lastLine = r.endLine;
  }

  list(): ReportTally[] {
    return [...this.byTitle.values(), ...(this.other ? [this.other] : [])];
  }
}

/** Analyses one input (a path, or `-`) and diagnoses it; rejects with InputError when it cannot be read. */
export async function triage(path: string, opts: TriageOptions): Promise<Triaged> {
  const keep = opts.keep ?? KEPT_REPORTS;
  const groups = new FindingGroups(opts.lang);
  const reports: CrashReport[] = [];
  const backtraces: Triaged['backtraces'] = [];
  const tallies = new Tallies();
  let machine: MachineModel | null = null;
  const batching: Batching = {
    maxReports: BATCH_REPORTS,
    async onBatch(b) {
      const found = groups.add(runRules(b, opts.lang), b.reports, b.offset);
      const m = machineOf(b);
      // Every batch adds to the one model of the input: the CPUs, tasks and locks it read.
      const here = offsetMachine(m, b.offset);
      machine = machine === null ? here : mergeMachines(machine, here);
      for (const r of b.reports) {
        opts.onReport?.(r);
        if (reports.length < keep) reports.push(r);
        else tallies.add(r);
      }
      for (const t of b.backtraces) if (backtraces.length < MAX_BACKTRACES) backtraces.push(t);
      await opts.onBatch?.(b, found);
    },
  };
  let res: StreamResult;
  if (opts.follow) {
    const stop = opts.follow.stop;
    const chunks = path === '-' ? await openInput(path) : (await openInput(path), growingFile(path, stop));
    res = await followChunks(path, chunks, { ...batching, idleMs: opts.follow.idleMs });
  } else {
    res = await analyzeBatches(path, await openInput(path), batching, DEFAULT_SCAN);
  }
  // A rule that failed on several batches says so once.
  const notes = [...new Set(res.notes)];
  if (groups.dropped > 0) notes.push(`${groups.dropped} finding(s) of further distinct diagnoses were not kept (at most 1000 per input).`);
  const out: Triaged = {
    input: res.input,
    kernel: res.kernel,
    reports,
    findings: groups.result(),
    notes,
    lineCount: res.lineCount,
    backtraces,
    regions: [],
    reportCount: res.reportCount,
    moreReports: tallies.list(),
  };
  if (machine) rememberMachine(out, machine);
  return out;
}

export { InputError, analyzePath, type GroupedFinding };
