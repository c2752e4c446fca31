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

interface Prepared {
  text: string;
  context: string;
}

/**
 * A console prefix after other output on the same line (`syzkaller login: [ 1.2][ T5] BUG: ...`):
 * the caller id still says which task printed the message.
 */
const LATE_CALLER = /\[ {0,12}\d{1,10}\.\d{1,9}\]\[ {0,8}([TC]\d{1,10})\] ?/;

function prepare(lines: readonly LogLine[]): Prepared[] {
  return lines.map((l) => {
    const text = l.text.length > MAX_MATCH_LINE ? l.text.slice(0, MAX_MATCH_LINE) : l.text;
    let context = l.caller ?? '';
    if (context === '' && text.includes('][')) {
      const m = LATE_CALLER.exec(text);
      if (m) context = m[1];
    }
    return { text, context };
  });
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
}

function stripQuestionable(text: string, context: string, useQuestionable: boolean): { text: string; questionable: boolean } {
  if (context === '' || text.includes('<EOI>')) return { text, questionable: false };
  if (text.startsWith(' ? ')) return { text: text.slice(2), questionable: !useQuestionable };
  if (text.startsWith('? ')) return { text: ' ' + text.slice(2), questionable: !useQuestionable };
  if (text.endsWith(' (unreliable)')) return { text: text.slice(0, -13), questionable: !useQuestionable };
  return { text, questionable: false };
}

function findReport(pre: readonly Prepared[], start: number, context: string, useQuestionable: boolean): FoundReport {
  const out: FoundReport = { lines: [], index: [], reportEnd: 0, next: -1 };
  let cut = false;
  // With caller ids, reports of other tasks interleave without ending this one, and syzkaller
  // reads on through later reports of the same task too. A flood of reports from one task
  // would make that quadratic, so a later report of the same task ends the part titles come
  // from once the report is long enough to hold a header's continuation lines.
  let cutSame = false;
  let textLines = 0;
  const SAME_TASK_MIN_LINES = 100;
  let skipText = false;
  let limit = Math.min(pre.length, start + MAX_REPORT_LINES);
  for (let i = start; i < limit; i++) {
    const p = pre[i];
    if (i > start && out.next < 0) {
      const k = kindOf(p.text);
      if (k && !reportStartIgnores.some((re) => re.test(p.text))) {
        out.next = i;
        cut = true;
        limit = Math.min(limit, i + MAX_LINES_PAST_NEXT);
      } else if (!cut && infoMessagesWithStack.some((s) => p.text.includes(s))) {
        cut = true;
      }
    }
    const s = stripQuestionable(p.text, p.context, useQuestionable);
    if (p.context !== context || s.questionable) continue;
    textLines++;
    let skipLine = skipText;
    if (s.text.includes('Disabling lock debugging due to kernel taint')) {
      skipLine = true;
    } else if (textLines > 40 && s.text.includes('Kernel panic - not syncing')) {
      // The panic_on_warn panic repeats the current stack; the report is above it.
      skipText = true;
      skipLine = true;
    }
    if (skipLine) continue;
    out.lines.push(s.text);
    out.index.push(i);
    if (context !== '' && !cutSame && out.next >= 0 && out.lines.length > SAME_TASK_MIN_LINES && kindOf(s.text) && !reportStartIgnores.some((re) => re.test(s.text))) {
      cutSame = true;
    }
    if (context === '' ? !cut : !cutSame) out.reportEnd = out.lines.length;
  }
  if (out.next < 0) {
    for (let i = Math.max(limit, start + 1); i < pre.length; i++) {
      if (kindOf(pre[i].text) && !reportStartIgnores.some((re) => re.test(pre[i].text))) {
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
  if (noStack) return null;
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
  for (let useQuestionable = false; ; useQuestionable = true) {
    const rep = findReport(pre, start, context, useQuestionable);
    const d = extractDescription(windowOf(rep.lines, rep.reportEnd), kind);
    let corrupted = d.corrupted;
    if (corrupted === null) corrupted = isCorrupted(d.title, rep.lines, d.format);
    if (corrupted === NO_FRAMES && context !== '' && !useQuestionable) continue;
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
