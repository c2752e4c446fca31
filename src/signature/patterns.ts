// Regexp building blocks shared by the report table, written to stay linear on hostile lines.

import { PARSE_STACK, type StackFmt, type Step } from './types';

/**
 * Expands the table's placeholders (and the two POSIX classes the table uses). SRC starts
 * only at a path boundary (a lookbehind): the leftmost match starts there anyway, and an
 * unanchored search over a long run of path characters stays linear.
 */
export function c(src: string, flags = ''): RegExp {
  return new RegExp(
    src
      .replace(/\{\{ADDR\}\}/g, '0x[0-9a-f]+')
      .replace(/\{\{PC\}\}/g, '\\[\\<?(?:0x)?[0-9a-f]+\\>?\\]')
      .replace(/\{\{FUNC\}\}/g, '([a-zA-Z0-9_]+)(?:\\.|\\+)')
      .replace(/\{\{SRC\}\}/g, '(?<![a-zA-Z0-9_/.-])([a-zA-Z0-9_/.-]+\\.[a-z]+:[0-9]+)')
      .replace(/\{\{TASK\}\}/g, '[\\s\\S]{0,100}?')
      .replace(/\[\[:xdigit:\]\]/g, '[0-9A-Fa-f]')
      .replace(/\[\[:space:\]\]/g, '\\s'),
    flags,
  );
}

/** Lines a task name may run over: `{{TASK}}` is up to 100 characters, newlines included. */
const TASK_SPAN = 2;

/** A single-line pattern; a leading `^` anchors it at the start of the report. */
export function one(src: string): Step[] {
  const step: Step = { re: c(src), minGap: 0 };
  if (src.startsWith('^')) step.atStart = true;
  if (src.includes('{{TASK}}')) step.span = TASK_SPAN;
  return [step];
}

/**
 * A pattern over several lines, as `first(?:.*\n)+?rest1(?:.*\n)+?rest2`: each later piece
 * is matched from the start of a later line, so it is written with its own `.*` or `.*?`
 * (greedy takes the last occurrence on the line, lazy the first).
 */
export function seq(first: string, ...rest: string[]): Step[] {
  return [one(first)[0], ...rest.map((p) => ({ re: c(`^(?:${p})`), minGap: 1 }))];
}

/** A piece that must be on the very next line (`first[^\n]*?\n(...)`). */
export function nextLine(first: string, next: string): Step[] {
  return [one(first)[0], { re: c(`^(?:${next})`), minGap: 1, maxGap: 1 }];
}

/** The faulting instruction pointer line of x86 (RIP/IP), powerpc (NIP) and arm (pc/PC is at). */
export const ripFrame = c(
  '(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))',
);

export const callTrace = c('(?:Call (?:T|t)race:)|(?:Backtrace:)');

/** x86 RIP of the trap, or powerpc's `--- interrupt: 700 at func+0x..`. */
const warningTrap = c(`(?:${ripFrame.source}|--- interrupt: [0-9]+ at {{FUNC}})`);

/** WARNING stacks start at the trapping RIP on new kernels, else at the Call Trace. */
export function warningStack(...skip: string[]): StackFmt {
  return { parts: [warningTrap, PARSE_STACK], parts2: [callTrace, PARSE_STACK], skip };
}

/** The usual recipe of an oops: the faulting RIP, else the first frame of the Call Trace. */
export const ripThenTrace: StackFmt = { parts: [ripFrame, callTrace, PARSE_STACK] };

/** Frames of the Call Trace only. */
export function traceStack(...skip: string[]): StackFmt {
  return { parts: [callTrace, PARSE_STACK], skip };
}
