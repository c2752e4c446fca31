// Finds crash reports in log lines and titles them: syzkaller's findFirstOops, findReport, extractDescription and isCorrupted.

import type { LogLine, ReportSignature } from '../model/types';
import type { OopsFormat, OopsKind, Step } from './types';
import { oopsTable } from './kinds';
import { CORRUPTED_FRAME, extractStackFrames, frameRes, riscvStackStart, stackStartRes, stripFramePrefixes, type ExtractedFrame } from './stack';
import { cleanTitle } from './sanitize';
import { fileOf, guiltyFile } from './guilty-file';
import { crashType } from './crash-type';
import { crashTaskBound, reportExtent } from './extent';
import { isSuppressed } from './suppressions';
import { isMention, proseLines } from './prose';
import { literalPattern } from '../parse/literals';

/** Regexps never see more of a line than this: printk lines are at most 1 KiB, the rest is junk. */
const MAX_MATCH_LINE = 4096;
/** Lines kept in a report (syzkaller keeps the rest of the log). */
const MAX_REPORT_LINES = 2000;
/** Input lines looked at after a header, whatever their context. */
const MAX_SCAN_LINES = 20_000;
/**
 * syzkaller reads a report's context to the end of the log, through later reports (with
 * printk caller ids for the title too, else for the corruption and guilty-file checks). A
 * report stops at the second later report of its context once it has this many lines: past
 * that point nothing changes what is extracted, and a flood of reports stays linear.
 */
const MIN_LINES_PAST_LATER = 100;
/**
 * Lines of other contexts read past a report's last line of its own before it is taken as
 * finished. A task's report printed with caller ids is interleaved with other tasks' lines, not
 * parted from its rest by thousands of them; without the bound, a flood of reports of distinct
 * tasks reads every report to MAX_SCAN_LINES, quadratic in the reports.
 */
const MAX_CONTEXT_GAP = 1000;

/** Lines the report readers looked at, summed over every call: the work a benchmark or a test compares across input sizes. */
export const extractWork = { linesScanned: 0 };

/** Headers that do not start a new report inside another one: they come with it. */
export const reportStartIgnores: RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  // A double fault can come from handling a page fault on badly corrupted memory.
  /PANIC: double fault/,
  /Internal error:/,
];

/** Of those, messages printed again and again while an earlier problem lasts: never a report after another one. */
const repeatedSymptoms: RegExp[] = [/unregister_netdevice: waiting for/];

/** Messages that are not bugs but print a stack; inside a report they end the part titles come from. */
const infoMessagesWithStack = ['vmalloc: allocation failure:', 'FAULT_INJECTION: forcing a failure', 'FAULT_FLAG_ALLOW_RETRY missing'];

/** Titles that prove lines were merged (a timestamp in the middle of the title). */
const corruptedTitles: RegExp[] = [/\[ *[0-9]+\.[0-9]+\]/];

/** The console connection of a cloud VM dropped: what was captured of the crash is partial. */
const consoleHangup = 'serialport: VM disconnected.';

/** `syz.N.M` executors name their proc and program. */
const executorComm = / Comm: syz\.(\d+)\.(\d+) /;

/** A frame the report's title names (`... in func`), as syzkaller's report.Frame. */
const titleFrame = /.* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+)/;

/** The crash utility's `sys` output quotes the panic message: it is not the console's own line. */
const crashSysPanic = /^ *PANIC: "/;

const questionableFrame = /(?:\[<[0-9a-f]+>\])? \? /;

const CONSOLE = 'console';

const NO_FRAMES = 'extracted no frames';

interface Prepared {
  text: string;
  /** syzkaller's context: the printk caller, `console` for a timestamp alone, '' for neither. */
  context: string;
  /** An unreliable `? func` frame (x86) or `(unreliable)` one (powerpc) of a console line. */
  questionable: boolean;
  /** The next line says this one was cut short and is printed again. */
  replayed: boolean;
  /** Text around a pasted log (prose, markdown), never part of a report. */
  prose: boolean;
  /** The line has a console timestamp. */
  stamped: boolean;
  raw: string;
  /** The kind of report syzkaller would start here (null: none), computed once. */
  syz?: OopsKind | null;
  own?: OopsKind | null;
  /** The `file.c:123` the line names, computed once. */
  file?: string | null;
  /** The stack headings the line holds (a bit each), computed once. */
  headings?: number;
  /** The line shows a stack frame, computed once. */
  frame?: boolean;
}

const syzKinds = oopsTable.filter((k) => !k.own);
const ownKinds = oopsTable.filter((k) => k.own);
/** Every kind's header literal in one pattern: a line that holds none starts no report (most lines of a log). */
const SYZ_HEADER = literalPattern(syzKinds.map((k) => k.header));
const OWN_HEADER = literalPattern(ownKinds.map((k) => k.header));

function prepare(lines: readonly LogLine[]): Prepared[] {
  const out: Prepared[] = new Array(lines.length);
  const prose = proseLines(lines);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const text = l.text.length > MAX_MATCH_LINE ? l.text.slice(0, MAX_MATCH_LINE) : l.text;
    const context = l.caller ?? (l.time !== undefined ? CONSOLE : '');
    let questionable = false;
    if (context !== '' && !text.includes('<EOI>')) questionable = questionableFrame.test(text) || text.endsWith(' (unreliable)');
    const next = lines[i + 1];
    const replayed = next !== undefined && next.raw.includes('** replaying previous printk message **');
    out[i] = { text, context, questionable, replayed, prose: prose[i], stamped: l.time !== undefined, raw: l.raw };
  }
  return out;
}

/** The source file a line names, computed once per line. */
function fileAt(pre: readonly Prepared[], i: number): string | null {
  const p = pre[i];
  if (p.file === undefined) p.file = fileOf(p.text);
  return p.file;
}

function matchesKind(p: Prepared, kind: OopsKind): boolean {
  const text = p.text;
  const at = text.indexOf(kind.header);
  if (at < 0) return false;
  // A header that prose around a paste mentions is not one the kernel printed.
  if (!p.stamped && isMention(text, at)) return false;
  if (kind.when && !kind.when.test(text)) return false;
  if (kind.suppressions) for (const s of kind.suppressions) if (s.test(text)) return false;
  return true;
}

/** The kind of report syzkaller sees starting at line `i`. */
function syzKindAt(pre: readonly Prepared[], i: number): OopsKind | null {
  const p = pre[i];
  if (p.syz === undefined) {
    p.syz = null;
    if (!p.replayed && !p.prose && SYZ_HEADER.test(p.text) && !crashSysPanic.test(p.text)) {
      for (const k of syzKinds) {
        if (matchesKind(p, k)) {
          p.syz = k;
          break;
        }
      }
    }
  }
  return p.syz;
}

/** The kind of report only ktriage knows that starts at line `i`. */
function ownKindAt(pre: readonly Prepared[], i: number): OopsKind | null {
  const p = pre[i];
  if (p.own === undefined) {
    p.own = null;
    if (syzKindAt(pre, i) === null && !p.replayed && !p.prose && OWN_HEADER.test(p.text)) {
      for (const k of ownKinds) {
        if (matchesKind(p, k)) {
          p.own = k;
          break;
        }
      }
    }
  }
  return p.own;
}

// ---- the report body, as syzkaller's findReport ----

interface FoundReport {
  /** Lines of the report in its context, syzkaller's report. */
  lines: string[];
  /** Input index of each of `lines`. */
  index: number[];
  /** How many of `lines` titles come from (syzkaller's reportEnd). */
  reportEnd: number;
}

function reportMinLines(oopsLine: string): number {
  // KMSAN reports lack the Call Trace and other lines that KASAN reports have.
  return oopsLine.includes('BUG: KMSAN:') ? 16 : 22;
}

/** Lines after a header looked at to tell a paste that lost its prefixes from interleaved output. */
const CONTEXT_PROBE_LINES = 2000;

/**
 * The context the report is read in. In a console log, lines without the console's prefix
 * are other programs' output that landed in the middle (the fuzzer's program, a shell) and
 * are not read. But a paste whose header kept its timestamp while none of the lines after
 * it did (or the other way round) is read whole: its lines are one report.
 */
function reportContext(pre: readonly Prepared[], start: number): string {
  const own = pre[start].context;
  const end = Math.min(pre.length, start + 1 + CONTEXT_PROBE_LINES);
  if (start + 1 >= end) return own;
  const other = pre[start + 1].context;
  if (other === own || (own !== '' && other !== '')) return own;
  for (let i = start + 1; i < end; i++) if (pre[i].context !== other) return own;
  return other;
}

function findReport(pre: readonly Prepared[], start: number, context: string, ownKind: OopsKind | null = null): FoundReport {
  const out: FoundReport = { lines: [], index: [], reportEnd: 0 };
  const byCaller = context !== '' && context !== CONSOLE;
  let secondReport = -1;
  let textLines = 0;
  let skipText = false;
  let cpuTraceback = false;
  let later = 0;
  let lastOwn = start;
  const oopsLine = pre[start].text;
  const minLines = reportMinLines(oopsLine);
  const scanEnd = Math.min(pre.length, start + MAX_SCAN_LINES);
  for (let i = start; i < scanEnd && out.lines.length < MAX_REPORT_LINES; i++) {
    extractWork.linesScanned++;
    const p = pre[i];
    const isOops = i === start;
    if (!isOops && secondReport < 0) {
      const k = syzKindAt(pre, i);
      if ((k !== null && !reportStartIgnores.some((re) => re.test(p.text))) || infoMessagesWithStack.some((s) => p.text.includes(s))) secondReport = i;
    }
    if (!isOops && (p.questionable || p.prose || (p.context !== context && !(cpuTraceback && p.context.startsWith('C'))))) {
      if (i - lastOwn > MAX_CONTEXT_GAP) break;
      continue;
    }
    lastOwn = i;
    // A kind only ktriage knows has no syzkaller end: its next header (the next task of a crash listing) starts the next report.
    if (!isOops && ownKind !== null && ownKindAt(pre, i) === ownKind) break;
    if (!isOops && syzKindAt(pre, i) !== null && !reportStartIgnores.some((re) => re.test(p.text))) {
      if (++later >= 2 && out.lines.length >= MIN_LINES_PAST_LATER) break;
    }
    textLines++;
    let skipLine = skipText;
    if (p.text.includes('Disabling lock debugging due to kernel taint')) {
      skipLine = true;
    } else if (p.text.includes('Sending NMI from CPU')) {
      // A backtrace of all CPUs: their lines belong to the report whatever their context.
      cpuTraceback = true;
    } else if ((p.text.includes('Kernel panic - not syncing') || p.text.includes('WARNING: possible circular locking dependency detected')) && textLines > minLines) {
      // panic_on_warn repeats the current stack, and oops reporting can trigger lockdep: the
      // report proper is above, long enough to stand alone.
      skipText = true;
      skipLine = true;
    }
    if (!isOops && skipLine) {
      // Once the repeated stack is skipped nothing later is taken into the report.
      if (skipText) break;
      continue;
    }
    out.lines.push(p.text);
    out.index.push(i);
    if (secondReport < 0 || byCaller) out.reportEnd = out.lines.length;
  }
  return out;
}

/** The lines of the report's context just before it, which syzkaller puts at the top of the report. */
function prefixOf(pre: readonly Prepared[], start: number, context: string): string[] {
  // With caller ids they come from the same task, so more of them are related.
  const max = context !== '' && context !== CONSOLE && context.startsWith('T') ? 50 : 5;
  const out: string[] = [];
  for (let i = start - 1; i >= 0 && i >= start - MAX_SCAN_LINES && out.length < max; i--) {
    const p = pre[i];
    if (p.context === context && p.text !== '' && !p.questionable) out.unshift(p.text);
  }
  return out;
}

// ---- multi-line patterns, matched line by line ----

/** A window of report lines that patterns are matched over. */
interface Window {
  lines: readonly string[];
  /** Input index of each line, ascending. */
  index: readonly number[];
}

interface StepMatch {
  line: number;
  col: number;
  groups: string[];
}

function execFrom(re: RegExp, text: string, from: number): RegExpExecArray | null {
  if (from === 0) return re.exec(text);
  const m = re.exec(text.slice(from));
  if (m) m.index += from;
  return m;
}

function stepText(win: Window, step: Step, l: number): string {
  if (!step.span) return win.lines[l];
  let t = win.lines[l];
  for (let k = 1; k <= step.span && l + k < win.lines.length; k++) t += `\n${win.lines[l + k]}`;
  return t;
}

function groupsOf(m: RegExpExecArray): string[] {
  const g: string[] = [];
  for (let i = 1; i < m.length; i++) g.push(m[i] ?? '');
  return g;
}

/** Matches steps[k..] after a match ending at (line, end); earliest lines first. */
function matchRest(win: Window, steps: readonly Step[], k: number, line: number, end: number, groups: string[]): string[] | null {
  if (k >= steps.length) return groups;
  const st = steps[k];
  const last = st.maxGap === undefined ? win.lines.length - 1 : Math.min(win.lines.length - 1, line + st.maxGap);
  for (let l = line + st.minGap; l <= last; l++) {
    const text = stepText(win, st, l);
    if (st.stop && l > line && st.stop.test(win.lines[l])) return null;
    if (st.literal !== undefined && !text.includes(st.literal)) continue;
    const m = l === line ? execFrom(st.re, text, end) : st.re.exec(text);
    if (!m) continue;
    const r = matchRest(win, steps, k + 1, l, m.index + m[0].length, [...groups, ...groupsOf(m)]);
    if (r) return r;
    // With an unbounded gap a later line cannot help the steps after it.
    if (st.maxGap === undefined) return null;
  }
  return null;
}

/**
 * Lines of the input that hold a kind's header, and for each first step the ones it matches:
 * every title and report pattern starts with its kind's header, so only these lines can start
 * a match, and each is tried once however many reports' windows it falls in.
 */
class Candidates {
  private headerLines = new Map<string, number[]>();
  private hits = new Map<RegExp, number[]>();

  constructor(private readonly pre: readonly Prepared[]) {}

  private linesWith(header: string): number[] {
    let l = this.headerLines.get(header);
    if (!l) {
      l = [];
      for (let i = 0; i < this.pre.length; i++) if (this.pre[i].text.includes(header)) l.push(i);
      this.headerLines.set(header, l);
    }
    return l;
  }

  /** Input lines where the step can start; all header lines when it looks past its own line. */
  of(header: string, step: Step): number[] {
    const all = this.linesWith(header);
    if (step.span) return all;
    let h = this.hits.get(step.re);
    if (!h) {
      h = all.filter((i) => (step.literal === undefined || this.pre[i].text.includes(step.literal)) && step.re.test(this.pre[i].text));
      this.hits.set(step.re, h);
    }
    return h;
  }
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The earliest match of the steps in the window (syzkaller's FindSubmatchIndex over the report text). */
function matchSteps(win: Window, steps: readonly Step[], header: string, cands: Candidates): StepMatch | null {
  if (win.lines.length === 0) return null;
  const first = steps[0];
  const tryAt = (l: number): StepMatch | null | undefined => {
    const text = stepText(win, first, l);
    if (first.literal !== undefined && !text.includes(first.literal)) return undefined;
    const m = first.re.exec(text);
    if (!m || m.index > win.lines[l].length) return undefined;
    const groups = matchRest(win, steps, 1, l, m.index + m[0].length, groupsOf(m));
    return groups ? { line: l, col: m.index, groups } : null;
  };
  if (first.atStart) {
    const m = first.re.exec(win.lines[0]);
    if (!m || m.index !== 0) return null;
    const groups = matchRest(win, steps, 1, 0, m[0].length, groupsOf(m));
    return groups ? { line: 0, col: 0, groups } : null;
  }
  const unbounded = steps.every((s, i) => i === 0 || s.maxGap === undefined);
  const lastInput = win.index[win.index.length - 1];
  const list = cands.of(header, first);
  for (let c = lowerBound(list, win.index[0]); c < list.length && list[c] <= lastInput; c++) {
    const l = lowerBound(win.index, list[c]);
    if (win.index[l] !== list[c]) continue;
    const r = tryAt(l);
    if (r) return r;
    if (r === null && unbounded) return null;
  }
  return null;
}

function before(a: StepMatch, b: StepMatch): boolean {
  return a.line < b.line || (a.line === b.line && a.col < b.col);
}

// ---- titles, as syzkaller's extractDescription ----

/** Go's fmt.Sprintf for the `%[N]v` and `%[N]s` verbs the table uses. */
export function formatTitle(fmt: string, args: readonly string[]): string {
  return fmt.replace(/%\[(\d+)\][vs]/g, (_m, n: string) => args[Number(n) - 1] ?? '%!v(BADINDEX)');
}

interface Description {
  title: string;
  alts: string[];
  corrupted: string | null;
  format: OopsFormat | null;
  frame: string | null;
}

/** Argument lists with the frames as printed and with each wrapper prefix removed, for alternative titles. */
function partiallyStripped(prefix: readonly string[], frames: readonly ExtractedFrame[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= stripFramePrefixes.length; i++) {
    const strip = i > 0 ? stripFramePrefixes[i - 1] : '';
    let add = i === 0;
    const list: string[] = [];
    for (const f of frames) {
      const trimmed = strip !== '' && f.raw.startsWith(strip) ? f.raw.slice(strip.length) : f.raw;
      if (trimmed !== f.raw) add = true;
      list.push(trimmed);
    }
    if (add) out.push([...prefix, ...list]);
  }
  return out;
}

function extractDescription(win: Window, kind: OopsKind, cands: Candidates): Description {
  let best: StepMatch | null = null;
  let desc = '';
  const alts: string[] = [];
  let corrupted: string | null = null;
  let format: OopsFormat | null = null;
  let frame: string | null = null;
  let matchedTitle = false;
  for (const f of kind.formats) {
    const tm = matchSteps(win, f.title, kind.header, cands);
    if (!tm) continue;
    if (best && before(best, tm)) continue;
    if (best && !before(tm, best) && desc !== '') continue;
    if (!best || before(tm, best)) {
      desc = '';
      format = null;
      best = tm;
    }
    matchedTitle = true;
    let m = tm;
    if (f.report) {
      const rm = matchSteps(win, f.report, kind.header, cands);
      if (!rm) continue;
      m = rm;
    }
    corrupted = null;
    let frames: ExtractedFrame[] = [];
    if (f.stack) {
      const from = [win.lines[m.line].slice(m.col), ...win.lines.slice(m.line + 1)];
      const r = extractStackFrames(from, f.stack);
      frames = r.frames;
      if (!r.ok) {
        if (f.fmtWithoutFrame !== undefined) frames = [];
        else corrupted = NO_FRAMES;
      }
    }
    const args = [...m.groups, ...frames.map((fr) => fr.canonical)];
    desc = formatTitle(frames.length === 0 && f.fmtWithoutFrame !== undefined ? f.fmtWithoutFrame : f.fmt, args);
    for (const a of f.alt ?? []) alts.push(formatTitle(a, args));
    // Partly stripped frames name the same bug: they help to group reports.
    for (const seqArgs of frames.length > 0 ? partiallyStripped(m.groups, frames) : []) {
      const alt = formatTitle(f.fmt, seqArgs);
      if (alt !== desc) alts.push(alt);
      for (const a of f.alt ?? []) alts.push(formatTitle(a, seqArgs));
    }
    frame = frames.length > 0 && frames[0] !== CORRUPTED_FRAME ? frames[0].canonical : null;
    format = f;
  }
  if (desc === '') {
    if (matchedTitle) corrupted = 'matched title but not report regexp';
    for (const line of win.lines) {
      const pos = line.indexOf(kind.header);
      if (pos >= 0) {
        desc = line.slice(pos);
        break;
      }
    }
  }
  if (corrupted === null && format?.corrupted) corrupted = 'report format is marked as corrupted';
  return { title: desc, alts: [...new Set(alts)], corrupted, format, frame };
}

// ---- corruption, as syzkaller's isCorrupted ----

/** Which stack headings line `k` of the report holds (a bit each), and whether it shows a frame; cached per input line. */
interface LineFacts {
  headings(k: number): number;
  frame(k: number): boolean;
}

function isCorrupted(title: string, lines: readonly string[], format: OopsFormat | null, facts: LineFacts): string | null {
  for (const re of corruptedTitles) if (re.test(title)) return 'title matches corrupted regexp';
  // A header no format titles is reported as printed; nothing is asked of it.
  if (format === null || format.noStackTrace) return null;
  // Each stack heading must be followed by a frame within a few lines.
  let hasStack = false;
  for (let key = 0; key < stackStartRes.length; key++) {
    let at = -1;
    for (let k = 0; k < lines.length; k++) {
      if (facts.headings(k) & (1 << key)) {
        at = k;
        break;
      }
    }
    if (at < 0) continue;
    // Fewer than two lines after the heading: the trace was cut off.
    if (lines.length - at < 3) return 'call trace is missed';
    let corrupted = true;
    for (let i = at + 1; i < at + 16 && i < lines.length; i++) {
      if (facts.headings(i) !== 0) break;
      if (lines[i].includes('(stack is not available)') || facts.frame(i)) {
        hasStack = true;
        corrupted = false;
        break;
      }
    }
    if (stackStartRes[key] !== riscvStackStart && corrupted) return 'no frames in a stack trace';
  }
  return hasStack ? null : 'no stack trace in report';
}

function headingsOf(text: string): number {
  let mask = 0;
  for (let key = 0; key < stackStartRes.length; key++) if (stackStartRes[key].test(text)) mask |= 1 << key;
  return mask;
}

// ---- reports ----

interface Parsed {
  sig: ReportSignature;
}

/** The function the title names, when the report shows it as a frame. */
function frameOf(title: string, extracted: string | null, lines: readonly string[]): string | null {
  if (extracted !== null) return extracted;
  const m = titleFrame.exec(title);
  if (!m || m[1] === 'corrupted') return null;
  const name = m[1];
  return lines.some((l) => l.includes(`${name}+`) || l.includes(`${name}.`)) ? name : null;
}

/**
 * Whether a format of a kind only ktriage knows can title a report starting at `start`. A format
 * whose report needs a line holding a literal before its stop line (the fault frame of a task in a
 * crash `foreach bt`) cannot, when no line up to a stop line of the report's own context holds it:
 * the report's lines are a subset of these. Thousands of task listings are rejected at this cost.
 */
function mayTitle(pre: readonly Prepared[], start: number, kind: OopsKind): boolean {
  const context = pre[start].context;
  const end = Math.min(pre.length, start + MAX_SCAN_LINES);
  for (const f of kind.formats) {
    const step = f.report?.find((s, i) => i > 0 && s.literal !== undefined && s.stop !== undefined);
    if (!step || !step.stop || step.literal === undefined) return true;
    for (let i = start + 1; i < end; i++) {
      const p = pre[i];
      if (p.text.includes(step.literal)) return true;
      if (step.stop.test(p.text) && p.context === context && !p.questionable && !p.prose) break;
    }
  }
  return false;
}

function parseAt(pre: readonly Prepared[], lines: readonly LogLine[], start: number, kind: OopsKind, cands: Candidates, hangup: boolean): Parsed | null {
  if (kind.own && !mayTitle(pre, start, kind)) return null;
  const context = reportContext(pre, start);
  const rep = findReport(pre, start, context, kind.own ? kind : null);
  const window: Window = { lines: rep.lines.slice(0, rep.reportEnd), index: rep.index.slice(0, rep.reportEnd) };
  const d = extractDescription(window, kind, cands);
  // A kind syzkaller does not know is a report only when one of its formats titles it.
  if (kind.own && d.format === null) return null;
  let corrupted = d.corrupted;
  const facts: LineFacts = {
    headings: (k) => {
      const p = pre[rep.index[k]];
      if (p.headings === undefined) p.headings = headingsOf(p.text);
      return p.headings;
    },
    frame: (k) => {
      const p = pre[rep.index[k]];
      if (p.frame === undefined) p.frame = frameRes.some((re) => re.test(p.text));
      return p.frame;
    },
  };
  if (corrupted === null) corrupted = isCorrupted(d.title, rep.lines, d.format, facts);
  if (corrupted === null && hangup) corrupted = 'the console connection was lost';
  const title = cleanTitle(d.title);
  let exec: RegExpExecArray | null = null;
  for (const l of [...prefixOf(pre, start, context), ...rep.lines]) if (l.includes(' Comm: syz.') && (exec = executorComm.exec(l))) break;
  const sig: ReportSignature = {
    title,
    altTitles: d.alts.map(cleanTitle),
    type: crashType(d.title),
    corrupted: corrupted !== null,
    corruptedReason: corrupted,
    frame: frameOf(title, d.frame, rep.lines),
    guiltyFile: guiltyFile(d.title, rep.lines, (k) => fileAt(pre, rep.index[k])),
    start,
    end: reportExtent({ lines, start, opensReport: (i) => opensNewReport(pre, i), isProse: (i) => pre[i].prose }),
  };
  if (exec) sig.executor = { proc: Number(exec[1]), id: Number(exec[2]) };
  return { sig };
}

/**
 * Every report in the log, in order; the first is the one syzkaller reports. After a report,
 * the next one starts at the first later header that is not part of it.
 *
 * Kinds only ktriage knows never change what syzkaller reports: before the first report
 * syzkaller knows they are reported only when that report continues them (the panic of an
 * OOM or a machine check, which then titles the report), and a report of theirs that runs
 * into a header syzkaller titles as a continuation takes syzkaller's title for it.
 */
export function extractReports(lines: readonly LogLine[]): ReportSignature[] {
  const pre = prepare(lines);
  const cands = new Candidates(pre);
  const hangup = lines.some((l) => l.text.includes(consoleHangup));
  const suppressed = isSuppressed(pre.map((p) => p.text));
  const out: ReportSignature[] = [];
  let firstSyz = -1;
  for (let i = 0; i < pre.length; i++) {
    if (syzKindAt(pre, i)) {
      firstSyz = i;
      break;
    }
  }
  let pos = 0;
  while (pos < pre.length) {
    let start = -1;
    let kind: OopsKind | null = null;
    for (let i = pos; i < pre.length; i++) {
      kind = syzKindAt(pre, i) ?? ownKindAt(pre, i);
      if (kind) {
        start = i;
        break;
      }
    }
    if (start < 0 || !kind) break;
    let parsed: Parsed | null = null;
    if (!kind.own) {
      parsed = parseAt(pre, lines, start, kind, cands, hangup);
    } else if (!mayTitle(pre, start, kind) && noSyzHeaderBefore(pre, start, crashTaskBound(lines, start))) {
      // A task of a crash listing with no fault frame and no console header in it is no report:
      // known without reading its extent, which most tasks of a foreach bt would cost.
      parsed = null;
    } else {
      const end = reportExtent({ lines, start, opensReport: (i) => opensNewReport(pre, i), isProse: (i) => pre[i].prose });
      const cont = continuationIn(pre, start, end);
      if (cont >= 0) {
        parsed = parseAt(pre, lines, cont, syzKindAt(pre, cont) as OopsKind, cands, hangup);
        if (parsed) {
          parsed.sig.start = start;
          parsed.sig.end = Math.max(parsed.sig.end, end);
          // The kind's own report says there is no stack by nature (a machine check).
          if (kind.formats.every((f) => f.noStackTrace) && parsed.sig.corruptedReason !== null && stackReasons.has(parsed.sig.corruptedReason)) {
            parsed.sig.corrupted = false;
            parsed.sig.corruptedReason = null;
          }
        }
      } else if (firstSyz < 0 || start > firstSyz) {
        parsed = parseAt(pre, lines, start, kind, cands, hangup);
      }
    }
    if (parsed) {
      if (suppressed) parsed.sig.suppressed = true;
      out.push(parsed.sig);
    }
    pos = nextReportStart(pre, start, parsed);
  }
  return out;
}

/** Reasons a report is corrupted for its stack alone. */
const stackReasons = new Set(['no stack trace in report', 'call trace is missed', 'no frames in a stack trace']);

/** No line after `start` and before `bound` starts a report syzkaller knows (false when the bound is unknown). */
function noSyzHeaderBefore(pre: readonly Prepared[], start: number, bound: number | null): boolean {
  if (bound === null) return false;
  for (let i = start + 1; i < bound; i++) if (syzKindAt(pre, i)) return false;
  return true;
}

/** The first header syzkaller titles between `start` and `end` of a report: a continuation of it. */
function continuationIn(pre: readonly Prepared[], start: number, end: number): number {
  const context = pre[start].context;
  for (let i = start + 1; i <= end; i++) {
    if (syzKindAt(pre, i) && (context === '' || pre[i].context === context || pre[i].context === '')) return i;
  }
  return -1;
}

/** Line `i` opens a report of its own, not a continuation (a panic after an oops) of the one before. */
function opensNewReport(pre: readonly Prepared[], i: number): boolean {
  const k = syzKindAt(pre, i) ?? ownKindAt(pre, i);
  return k !== null && !k.continuation && !reportStartIgnores.some((re) => re.test(pre[i].text));
}

/** The first line after `start` that opens a report: a new one, or a continuation header past this report's end. */
function nextReportStart(pre: readonly Prepared[], start: number, parsed: Parsed | null): number {
  const end = parsed ? parsed.sig.end : start;
  for (let i = start + 1; i < pre.length; i++) {
    if (i <= end ? opensNewReport(pre, i) : (syzKindAt(pre, i) ?? ownKindAt(pre, i)) !== null && !repeatedSymptoms.some((re) => re.test(pre[i].text))) return i;
  }
  return pre.length;
}

/** Every literal that can open a report, for prefilters. */
export const headerTriggers: readonly string[] = oopsTable.map((k) => k.header);
