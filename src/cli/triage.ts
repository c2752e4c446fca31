// One input from bytes to grouped findings: analysed batch by batch, so that a log full of reports is read in bounded memory.

import { analyzeBatches, analyzePath, DEFAULT_SCAN, InputError, lineAt, openInput, type Analysis, type Batch, type Batching, type InputChunks, type StreamResult } from '../analyze/analyze';
import { CRASH_COMMAND_SECONDS, runCrash, sessionText } from '../investigate/crash';
import { investigationCommands } from '../investigate/steps';
import { followChunks, growingFile } from '../analyze/follow';
import type { CrashReport, InvestigationStep, LogLine, ReportTally } from '../model/types';
import type { Lang } from '../render/i18n';
import { runRules } from '../rules/engine';
import { MAX_CONTEXTS, machineOf, mergeMachines, offsetMachine, rememberMachine, type MachineModel, type WaitCycle } from '../machine';
import { waitForCycle } from '../rules/locking/wait-for-cycle';
import type { VmcoreOptions } from '../vmcore/input';
import { FindingGroups, type GroupedFinding, type Occurrence } from '../rules/group';

/** Reports per batch: far more than one incident prints, few enough that every rule sees a bounded input. */
export const BATCH_REPORTS = 256;
/** Reports kept whole for the text, Markdown and HTML forms; the rest are counted by title. */
export const KEPT_REPORTS = 50;
/** Titles counted for the reports not kept; further titles are counted together. */
const MAX_TALLIES = 1000;
/** Crash `bt` listings outside reports kept for printing. */
const MAX_BACKTRACES = 10_000;
/** Lines kept from every batch for the evidence of what only the joined model shows (the waits and holds of its locks). */
const MAX_JOINED_EVIDENCE_LINES = 8192;

/** A ring by who waits for which lock: the same ring read in one batch and found again in the joined model is one. */
function ringKey(c: WaitCycle, m: MachineModel): string {
  return c.edges
    .map((e) => {
      const w = m.contexts[e.waiter];
      const l = m.locks[e.lock];
      return `${w?.pid}:${w?.cpu}>${l?.address ?? l?.name ?? l?.kind}`;
    })
    .sort()
    .join('|');
}

/** The rules that reason over the whole machine, run again on the model joined from every batch. */
const JOINED_RULES = [waitForCycle];

export type Triaged = Omit<Analysis, 'findings'> & { findings: GroupedFinding[]; reportCount: number; moreReports: ReportTally[] };

export interface TriageOptions {
  lang: Lang;
  /** Reports kept in `reports` (the others are tallied). */
  keep?: number;
  /** Receives every report in log order as soon as its batch is diagnosed (the JSON forms print them all). */
  onReport?: (r: CrashReport) => void;
  /** Receives each batch once diagnosed, with its findings and whether each one's diagnosis is new (follow mode prints as it goes). */
  onBatch?: (b: Batch, found: Occurrence[]) => void | Promise<void>;
  /** How a vmcore is read (crash and its vmlinux, or natively). */
  vmcore?: VmcoreOptions;
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

/** Rounds of investigation in a vmcore at most: each runs what the findings of the one before ask for. */
const MAX_ROUNDS = 2;

/**
 * Analyses one input (a path, or `-`) and diagnoses it; rejects with InputError when it cannot be read.
 * A vmcore that crash opened is investigated: the commands the findings ask for next are run in
 * the dump, their answers join the session, and the whole is diagnosed again.
 */
export async function triage(path: string, opts: TriageOptions): Promise<Triaged> {
  if (opts.follow) return triageChunks(path, null, opts);
  const chunks = (await openInput(path, opts.vmcore)) as InputChunks;
  const crash = chunks.crash;
  if (!crash || opts.vmcore?.investigate === false) return triageChunks(path, chunks, opts);
  let session = crash.session;
  const notes: string[] = [];
  const steps: InvestigationStep[] = [];
  const ran = new Set<string>(crash.commands);
  // --crash-timeout is for all of crash's work on the dump: the rounds share what the first pass left.
  const deadline = Date.now() + (opts.vmcore?.crashTimeout ?? 600) * 1000 - crash.seconds * 1000;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const left = deadline - Date.now();
    if (left < 5000) {
      notes.push(`Investigation round ${round} was not run: --crash-timeout was used up.`);
      break;
    }
    const look = await triageChunks(path, textChunks(session, chunks.notes ?? []), { lang: 'en' });
    const commands = investigationCommands(look.findings, ran, look.reports);
    if (commands.length === 0) break;
    opts.vmcore?.progress?.(`investigation round ${round}: ${commands.join('; ')}`);
    const r = await runCrash(crash.vmlinux, crash.vmcore, commands, left, (opts.vmcore?.commandTimeout ?? CRASH_COMMAND_SECONDS) * 1000);
    for (const c of commands) ran.add(c);
    if (r.answers.length === 0) {
      notes.push(`Investigation round ${round}: crash did not answer (${r.error ?? 'no output'}).`);
      break;
    }
    const lineFrom = session.split('\n').length + 1;
    // Each answer's place in the session: its prompt line, then the answer below it.
    let at = lineFrom;
    for (const a of r.answers) {
      const lines = a.output === '' ? [] : a.output.split('\n');
      steps.push({ round, command: a.command, line: at + 1, answer: lines.slice(0, ANSWER_LINES_SHOWN), more: Math.max(0, lines.length - ANSWER_LINES_SHOWN) });
      at += 1 + lines.length + 1;
    }
    session += `\n${sessionText(r.answers)}`;
    notes.push(`Investigation round ${round} (the findings' next steps, run in the dump): ${r.answers.map((a) => `crash> ${a.command}`).join('; ')} (answers from line ${lineFrom}, ${r.seconds.toFixed(1)} s).`);
  }
  const out = await triageChunks(path, textChunks(session, [...(chunks.notes ?? []), ...notes]), opts);
  if (steps.length > 0) out.investigation = steps;
  return out;
}

/** Lines of each investigation answer shown in the report (the whole answer is in the input it quotes). */
const ANSWER_LINES_SHOWN = 8;

function textChunks(text: string, notes: string[]): InputChunks {
  async function* one(): AsyncGenerator<Buffer> {
    yield Buffer.from(text, 'latin1');
  }
  return Object.assign(one(), { notes });
}

async function triageChunks(path: string, input: InputChunks | null, opts: TriageOptions): Promise<Triaged> {
  const keep = opts.keep ?? KEPT_REPORTS;
  const groups = new FindingGroups(opts.lang);
  const reports: CrashReport[] = [];
  const backtraces: Triaged['backtraces'] = [];
  const tallies = new Tallies();
  let machine: MachineModel | null = null;
  let batches = 0;
  /** Tasks of batches read after the model was full: their stacks are reports and backtraces, not machine tasks. */
  let unmodelled = 0;
  const ringsSeen = new Set<string>();
  const evidence = new Map<number, LogLine>();
  const batching: Batching = {
    maxReports: BATCH_REPORTS,
    async onBatch(b) {
      const found = groups.add(runRules(b, opts.lang), b.reports, b.offset);
      const m = machineOf(b);
      batches++;
      for (const c of m.cycles) ringsSeen.add(ringKey(c, m));
      // The lines a wait or a hold stands on, for a ring that only the joined model closes.
      for (const l of m.locks) {
        for (const x of [...l.waiters, ...l.holders]) {
          const no = x.lines[0];
          if (no === undefined || evidence.has(no) || evidence.size >= MAX_JOINED_EVIDENCE_LINES) continue;
          const ln = lineAt(b, no);
          if (ln) evidence.set(no, ln);
        }
      }
      // Every batch adds to the one model of the input: the CPUs, tasks and locks it read.
      const here = offsetMachine(m, b.offset);
      if (machine !== null && machine.contexts.length + here.contexts.length > MAX_CONTEXTS) unmodelled += here.tasks.length;
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
    res = await analyzeBatches(path, input ?? (await openInput(path, opts.vmcore)), batching, DEFAULT_SCAN);
  }
  // A ring whose waiters were read in different batches closes only in the joined model: its finding is made there.
  if (machine !== null && batches > 1) joinedFindings(res, machine, ringsSeen, evidence, groups, opts.lang);
  // A rule that failed on several batches says so once.
  const notes = [...new Set(res.notes)];
  if (unmodelled > 0) notes.push(`The machine model keeps the first ${MAX_CONTEXTS.toLocaleString('en-US')} contexts: the stacks of ${unmodelled.toLocaleString('en-US')} further task(s) were read for reports, not modelled.`);
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

/** The findings of the rings only the joined model shows, added to the input's groups. */
function joinedFindings(res: StreamResult, machine: MachineModel, seen: ReadonlySet<string>, evidence: ReadonlyMap<number, LogLine>, groups: FindingGroups, lang: Lang): void {
  const rings = machine.cycles.filter((c) => !seen.has(ringKey(c, machine)));
  if (rings.length === 0) return;
  // The reports of earlier batches are gone: the contexts of this pass stand on their lines alone.
  const model: MachineModel = { ...machine, cycles: rings, contexts: machine.contexts.map((c) => (c.report === null ? c : { ...c, report: null })) };
  const joined: Analysis = {
    input: res.input,
    kernel: res.kernel,
    reports: [],
    findings: [],
    notes: res.notes,
    lineCount: res.lineCount,
    backtraces: [],
    regions: [...evidence.values()].sort((x, y) => x.no - y.no).map((l) => [l]),
  };
  rememberMachine(joined, model);
  groups.add(runRules(joined, lang, JOINED_RULES), []);
}

export { InputError, analyzePath, type GroupedFinding };
