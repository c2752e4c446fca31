// Finds crash reports in log lines and titles them: syzkaller's findFirstOops, findReport, extractDescription and isCorrupted.

import type { LogLine, ReportSignature } from '../model/types';
import type { OopsFormat, OopsKind, Step } from './types';
import { oopsTable } from './kinds';
import { extractStackFrame, frameRes, stackStartRes } from './stack';
import { cleanTitle } from './sanitize';
import { guiltyFile } from './guilty-file';

/** Regexps never see more of a line than this: printk lines are at most 1 KiB, the rest is junk. */
const MAX_MATCH_LINE = 4096;
/** Lines of a report kept after its header (syzkaller keeps the rest of the log). */
const MAX_REPORT_LINES = 2000;
/** Lines kept past the start of the next report: enough to see the stack a cut-short report lost. */
const MAX_LINES_PAST_NEXT = 200;
/** Lines and characters the title patterns are applied to. */
const MAX_WINDOW_LINES = 1000;
const MAX_WINDOW_CHARS = 256 * 1024;

/** A later line that holds a header but does not end the report being read. */
const reportStartIgnores: RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  // A double fault usually comes from the same fault being handled.
  /PANIC: double fault/,
  /Internal error:/,
];

/** Messages that are not bugs but print a stack; inside a report they end the part used for the title. */
const infoMessagesWithStack = ['vmalloc: allocation failure:', 'FAULT_INJECTION: forcing a failure', 'FAULT_FLAG_ALLOW_RETRY missing'];

/** Titles that prove lines were merged (a timestamp in the middle of the title). */
const corruptedTitles: RegExp[] = [/\[ *[0-9]+\.[0-9]+\]/];

const NO_FRAMES = 'extracted no frames';

/** printk's note that the console lost messages (`** 2395 printk messages dropped **`). */
const DROPPED_NOTE = 'printk messages dropped **';

interface Prepared {
  text: string;
  context: string;
  /** printk noted that messages were lost just before this line. */
  dropped: boolean;
  /** The line carries a console timestamp. */
  stamped: boolean;
  /** The kind of report this line opens (null: none), computed once on first use. */
  opens?: OopsKind | null;
}

function prepare(lines: readonly LogLine[]): Prepared[] {
  return lines.map((l) => ({
    text: l.text.length > MAX_MATCH_LINE ? l.text.slice(0, MAX_MATCH_LINE) : l.text,
    context: l.caller ?? '',
    dropped: l.raw.includes(DROPPED_NOTE),
    stamped: l.time !== undefined,
  }));
}

function matchesKind(text: string, kind: OopsKind): boolean {
  if (!text.includes(kind.header)) return false;
  if (kind.suppressions) for (const s of kind.suppressions) if (s.test(text)) return false;
  return true;
}

function kindOf(text: string): OopsKind | null {
  for (const k of oopsTable) if (matchesKind(text, k)) return k;
  return null;
}

/** The kind of report line `i` opens, or null; a header on a later line of a report can be one that does not end it. */
function opensReport(pre: readonly Prepared[], i: number): OopsKind | null {
  const p = pre[i];
  if (p.opens === undefined) {
    const k = kindOf(p.text);
    p.opens = k && !reportStartIgnores.some((re) => re.test(p.text)) ? k : null;
  }
  return p.opens;
}

// ---- multi-line patterns, matched line by line ----

interface StepMatch {
  line: number;
  col: number;
  groups: Array<string | undefined>;
}

function execFrom(re: RegExp, text: string, from: number): RegExpExecArray | null {
  if (from === 0) return re.exec(text);
  const m = re.exec(text.slice(from));
  if (m) m.index += from;
  return m;
}

/** Matches the rest of a step list after a match ending at (line, end); earliest lines first. */
function matchRest(win: readonly string[], steps: readonly Step[], k: number, line: number, end: number, groups: Array<string | undefined>): Array<string | undefined> | null {
  if (k >= steps.length) return groups;
  const st = steps[k];
  const last = st.maxGap === undefined ? win.length - 1 : Math.min(win.length - 1, line + st.maxGap);
  for (let l = line + (st.minGap > 0 ? st.minGap : 0); l <= last; l++) {
    const m = l === line ? execFrom(st.re, win[l], end) : st.re.exec(win[l]);
    if (!m) continue;
    const r = matchRest(win, steps, k + 1, l, m.index + m[0].length, [...groups, ...m.slice(1)]);
    if (r) return r;
    // With an unbounded gap a later choice cannot help the following steps.
    if (st.maxGap === undefined) return null;
  }
  return null;
}

function allUnbounded(steps: readonly Step[]): boolean {
  return steps.every((s, i) => i === 0 || s.maxGap === undefined);
}

export function matchSteps(win: readonly string[], steps: readonly Step[]): StepMatch | null {
  const first = steps[0].re;
  for (let l = 0; l < win.length; l++) {
    const m = first.exec(win[l]);
    if (!m) continue;
    const groups = matchRest(win, steps, 1, l, m.index + m[0].length, m.slice(1));
    if (groups) return { line: l, col: m.index, groups };
    if (allUnbounded(steps)) return null;
  }
  return null;
}

function before(a: StepMatch, b: StepMatch): boolean {
  return a.line < b.line || (a.line === b.line && a.col < b.col);
}

// ---- the report body ----

interface FoundReport {
  /** Stripped lines of the report in its context. */
  lines: string[];
  /** Indexes into the input of `lines`. */
  index: number[];
  /** How many of `lines` precede the next report (the part titles come from). */
  reportEnd: number;
  /** Index of the next line that opens another report, or -1. */
  next: number;
  /** Messages were lost inside the part titles come from. */
  dropped: boolean;
}

/**
 * `? func+0x..` frames were found on the stack but are not proven to be on the call chain
 * (powerpc marks them `(unreliable)`): syzkaller drops them from the report, whatever the
 * context, so a trace made only of them leaves the report corrupted.
 */
function isQuestionable(text: string): boolean {
  if (text.includes('<EOI>')) return false;
  return text.startsWith(' ? ') || text.startsWith('? ') || text.endsWith(' (unreliable)');
}

/**
 * Lines of the same context that a report keeps before a later report of its own context can end
 * the part titles come from: enough for a header's continuation lines and for a report that
 * prints another one's header inside it (a WARNING in the middle of an RCU stall report).
 */
const SAME_CONTEXT_MIN_LINES = 25;

function findReport(pre: readonly Prepared[], start: number, context: string): FoundReport {
  const out: FoundReport = { lines: [], index: [], reportEnd: 0, next: -1, dropped: false };
  // Without caller ids every later report ends the part titles come from (`cut`). With them,
  // reports of other tasks interleave without ending this one, and syzkaller reads on through
  // later reports of the same task too; a later report of the same task ends the title part
  // once the report is long enough (`cutSame`).
  let cut = false;
  let cutSame = false;
  // Lines past the title part are kept for the corruption and guilty-file checks, but only up
  // to the second later report of the same context met after that many lines: so a flood of
  // short reports is read in time linear in its length, each line by a bounded number of reports.
  let tailOpen = false;
  let textLines = 0;
  let skipText = false;
  // In a console log, lines without the console prefix are other programs' output (the fuzzer's
  // program text, a shell) that landed in the middle: syzkaller keeps only console lines. A
  // paste whose prefixes were lost after the header keeps all its lines.
  const stamped = pre[start].stamped && start + 1 < pre.length && pre[start + 1].stamped;
  let limit = Math.min(pre.length, start + MAX_REPORT_LINES);
  for (let i = start; i < limit; i++) {
    const p = pre[i];
    const opens = i > start && opensReport(pre, i) !== null;
    if (i > start) {
      if (opens && out.next < 0) {
        out.next = i;
        cut = true;
        limit = Math.min(limit, i + MAX_LINES_PAST_NEXT);
      } else if (!cut && infoMessagesWithStack.some((s) => p.text.includes(s))) {
        cut = true;
      }
    }
    if (p.context !== context || isQuestionable(p.text) || (stamped && !p.stamped)) continue;
    if (opens && out.lines.length > SAME_CONTEXT_MIN_LINES) {
      if (tailOpen) break;
      if (context !== '') cutSame = true;
      tailOpen = true;
    }
    textLines++;
    let skipLine = skipText;
    if (p.text.includes('Disabling lock debugging due to kernel taint')) {
      skipLine = true;
    } else if (textLines > 40 && p.text.includes('Kernel panic - not syncing')) {
      // The panic_on_warn panic repeats the current stack; the report is above it.
      skipText = true;
      skipLine = true;
    }
    if (skipLine) continue;
    out.lines.push(p.text);
    out.index.push(i);
    if (context === '' ? !cut : !cutSame) {
      out.reportEnd = out.lines.length;
      if (p.dropped) out.dropped = true;
    }
  }
  if (out.next < 0) {
    for (let i = Math.max(limit, start + 1); i < pre.length; i++) {
      if (opensReport(pre, i)) {
        out.next = i;
        break;
      }
    }
  }
  return out;
}

function windowOf(lines: readonly string[], end: number): string[] {
  const win: string[] = [];
  let chars = 0;
  for (let i = 0; i < end && i < MAX_WINDOW_LINES; i++) {
    chars += lines[i].length + 1;
    if (chars > MAX_WINDOW_CHARS) break;
    win.push(lines[i]);
  }
  return win;
}

// ---- titles ----

/** Go's fmt.Sprintf for the `%[N]v` verbs the table uses. */
export function formatTitle(fmt: string, args: readonly string[]): string {
  return fmt.replace(/%\[(\d+)\]v/g, (_m, n: string) => args[Number(n) - 1] ?? '');
}

interface Description {
  title: string;
  alts: string[];
  corrupted: string | null;
  format: OopsFormat | null;
  frame: string | null;
}

function extractDescription(win: readonly string[], kind: OopsKind): Description {
  let best: StepMatch | null = null;
  let desc = '';
  let alts: string[] = [];
  let corrupted: string | null = null;
  let format: OopsFormat | null = null;
  let frame: string | null = null;
  let matchedTitle = false;
  for (const f of kind.formats) {
    const tm = matchSteps(win, f.title);
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
      const rm = matchSteps(win, f.report);
      if (!rm) continue;
      m = rm;
    }
    corrupted = null;
    const args = m.groups.map((g) => g ?? '');
    let others: string[] = [];
    frame = null;
    if (f.stack) {
      const from = [win[m.line].slice(m.col), ...win.slice(m.line + 1)];
      const ef = extractStackFrame(from, f.stack);
      if (ef) {
        frame = ef.title;
        others = ef.others;
      } else {
        frame = 'corrupted';
        corrupted = NO_FRAMES;
      }
    }
    desc = formatTitle(f.fmt, [...args, frame ?? '']);
    alts = (f.alt ?? []).map((a) => formatTitle(a, [...args, frame ?? '']));
    for (const other of others) {
      // Other spellings of the frame name the same bug; syzkaller lists them as alternatives.
      alts.push(formatTitle(f.fmt, [...args, other]));
      for (const a of f.alt ?? []) alts.push(formatTitle(a, [...args, other]));
    }
    format = f;
  }
  if (desc === '') {
    if (matchedTitle) corrupted = 'matched title but not report regexp';
    for (const line of win) {
      const pos = line.indexOf(kind.header);
      if (pos >= 0) {
        desc = line.slice(pos);
        break;
      }
    }
  }
  if (corrupted === null && format?.corrupted) corrupted = 'report format is marked as corrupted';
  return { title: desc, alts, corrupted, format, frame };
}

function isCorrupted(title: string, lines: readonly string[], format: OopsFormat | null): string | null {
  for (const re of corruptedTitles) if (re.test(title)) return 'title matches corrupted regexp';
  if (format?.corrupted) return 'report format is marked as corrupted';
  const noStack = format?.noStackTrace === true;
  // A header no format titles (`WARNING: foo`) is reported as printed; syzkaller does not ask it for a stack.
  if (noStack || format === null) return null;
  const keyword = lines.some((l) => /Call (?:T|t)race|[Bb]acktrace|Allocated:|Freed:/.test(l));
  // Newer KMSAN and KCSAN print frames right under the header, with no heading.
  if (!keyword && countFrames(lines) < 3) return 'no stack trace in report';
  // Every stack heading must be followed by at least one frame within a few lines.
  let hasStack = false;
  for (const key of stackStartRes) {
    const at = lines.findIndex((l) => key.test(l));
    if (at < 0) continue;
    // Fewer than three lines after the heading: the trace was cut off.
    if (lines.length - at < 3) return 'call trace is missed';
    let corrupted = true;
    for (let i = at + 1; i < at + 16 && i < lines.length; i++) {
      if (stackStartRes.some((re) => re.test(lines[i]))) break;
      if (lines[i].includes('(stack is not available)') || frameRes.some((re) => re.test(lines[i]))) {
        hasStack = true;
        corrupted = false;
        break;
      }
    }
    if (corrupted) return 'no frames in a stack trace';
  }
  if (!hasStack && !(keyword ? false : countFrames(lines) >= 3)) return 'no stack trace in report';
  return null;
}

function countFrames(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (frameRes.some((re) => re.test(l)) && ++n >= 3) break;
  return n;
}

function typeOf(format: OopsFormat | null, kind: OopsKind, title: string): string {
  if (!format) return kind.defaultType ?? 'UNKNOWN';
  if (format.type === undefined) return 'UNKNOWN';
  return typeof format.type === 'string' ? format.type : format.type(title);
}

function uniqueSorted(titles: string[], exclude: string): string[] {
  return [...new Set(titles)].filter((t) => t !== exclude && t !== '').sort();
}

function parseAt(pre: readonly Prepared[], start: number, kind: OopsKind): { sig: ReportSignature; next: number } {
  const context = pre[start].context;
  const rep = findReport(pre, start, context);
  const d = extractDescription(windowOf(rep.lines, rep.reportEnd), kind);
  let corrupted = d.corrupted;
  if (corrupted === null) corrupted = isCorrupted(d.title, rep.lines, d.format);
  // The console lost lines in the middle of the report: what is left cannot be trusted whole.
  if (corrupted === null && rep.dropped) corrupted = 'printk messages were dropped inside the report';
  const title = cleanTitle(d.title);
  const endIdx = reportEndIndex(pre, start, rep);
  return {
    sig: {
      title,
      altTitles: uniqueSorted(d.alts.map(cleanTitle), title),
      type: typeOf(d.format, kind, title),
      corrupted: corrupted !== null,
      corruptedReason: corrupted,
      frame: d.frame !== null && d.frame !== 'corrupted' ? d.frame : null,
      guiltyFile: guiltyFile(title, rep.lines, d.frame !== 'corrupted' ? d.frame : null),
      start,
      end: endIdx,
    },
    next: rep.next,
  };
}

/** End trace markers close a report; otherwise it runs to the next report (bounded). */
function reportEndIndex(pre: readonly Prepared[], start: number, rep: FoundReport): number {
  const stop = rep.next >= 0 ? rep.next - 1 : Math.min(pre.length - 1, start + MAX_REPORT_LINES - 1);
  let end = start;
  for (let i = start; i <= stop; i++) {
    end = i;
    if (i > start && /---\[ end (?:trace|Kernel panic)/.test(pre[i].text)) break;
  }
  return end;
}

/** Every report in the log, in order; the first is the one syzkaller would report. */
export function extractReports(lines: readonly LogLine[]): ReportSignature[] {
  const pre = prepare(lines);
  const out: ReportSignature[] = [];
  let pos = 0;
  while (pos < pre.length) {
    let start = -1;
    let kind: OopsKind | null = null;
    for (let i = pos; i < pre.length; i++) {
      kind = kindOf(pre[i].text);
      if (kind) {
        start = i;
        break;
      }
    }
    if (start < 0 || !kind) break;
    const { sig, next } = parseAt(pre, start, kind);
    out.push(sig);
    if (next <= start) break;
    pos = next;
  }
  return out;
}

/** Every literal that can open a report, for prefilters. */
export const headerTriggers: readonly string[] = oopsTable.map((k) => k.header);
