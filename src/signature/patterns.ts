// Regexp building blocks shared by the report table, written to stay linear on hostile lines.

import { PARSE_STACK, type StackFmt, type Step } from './types';

/**
 * Expands syzkaller's placeholders. SRC starts only at a path boundary (a lookbehind),
 * so an unanchored search over a long run of path characters is not quadratic.
 */
export function c(src: string, flags = ''): RegExp {
  return new RegExp(
    src
      .replace(/\{\{ADDR\}\}/g, '0x[0-9a-f]+')
      .replace(/\{\{PC\}\}/g, '\\[\\<?(?:0x)?[0-9a-f]+\\>?\\]')
      .replace(/\{\{FUNC\}\}/g, '([a-zA-Z0-9_]+)(?:\\.|\\+)')
      .replace(/\{\{SRC\}\}/g, '(?<![a-zA-Z0-9_/.-])([a-zA-Z0-9_/.-]+\\.[a-z]+:[0-9]+)'),
    flags,
  );
}

/** A single-line pattern. */
export function one(src: string): Step[] {
  return [{ re: c(src), minGap: 0 }];
}

/** A pattern over several lines: each later piece must be on a later line. */
export function lines(...pieces: Array<string | Step>): Step[] {
  return pieces.map((p, i) => (typeof p === 'string' ? { re: c(p), minGap: i === 0 ? 0 : 1 } : p));
}

/** A piece on the same line or within `max` lines of the previous one. */
export function within(max: number, src: string): Step {
  return { re: c(src), minGap: 0, maxGap: max };
}

/** The faulting instruction pointer line of x86 (RIP/IP), powerpc (NIP) and arm (pc/PC is at). */
export const ripFrame = c(
  '(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))',
);

/** x86 RIP of the trap, or powerpc's `--- interrupt: 700 at func+0x..`. */
const warningTrap = new RegExp(`${ripFrame.source}|--- interrupt: [0-9a-f]+ at ${c('{{FUNC}}').source}`);

export const callTrace = c('Call (?:T|t)race:|Backtrace:');

/** WARNING stacks start at the trapping RIP on new kernels (after invalid_op on old ones), else at Call Trace. */
export function warningStack(skip: string[] = []): StackFmt {
  return { parts: [warningTrap, PARSE_STACK], parts2: [callTrace, PARSE_STACK], skip };
}
