// Types of the report table: kinds of kernel report, their title formats and stack recipes.

/** Marks the place in a stack recipe where ordinary frames are read until the trace ends. */
export const PARSE_STACK: unique symbol = Symbol('parseStackTrace');

export type StackPart = RegExp | typeof PARSE_STACK;

/**
 * One line-level step of a multi-line pattern. Go's `X(?:.*\n)+?.*Y` becomes two
 * steps, Y with `minGap: 1`; `X(?:.*\n){0,15}?.*Y` is Y with `minGap: 0, maxGap: 15`.
 * Matching line by line keeps JavaScript's backtracking bounded by one line.
 */
export interface Step {
  re: RegExp;
  /** Lines that must separate this step from the previous one (0: may continue on the same line). */
  minGap: number;
  /** At most this many lines may separate it; undefined: unbounded. */
  maxGap?: number;
}

/** How the guilty frame is chosen from the frames read. */
export type FrameExtractor = 'first' | 'stall';

export interface StackFmt {
  /** Regexps matched in order (each on a later line than the previous); PARSE_STACK reads a trace. */
  parts: StackPart[];
  /** Tried when `parts` gives no usable frame. */
  parts2?: StackPart[];
  /** Extra skip patterns (unanchored, like syzkaller's) on top of the common list. */
  skip?: string[];
  extractor?: FrameExtractor;
}

export interface OopsFormat {
  /** Steps of the title pattern; the first step's position decides which format wins. */
  title: Step[];
  /** Optional stricter pattern that must also match for the format to apply. */
  report?: Step[];
  /** Printf-like `%[N]v` template over the captured groups, then the frame. */
  fmt: string;
  alt?: string[];
  stack?: StackFmt;
  /** The report carries no stack trace by nature (so its absence does not mean corruption). */
  noStackTrace?: boolean;
  /** A title from this format always means a damaged or partial report. */
  corrupted?: boolean;
  /** syzkaller crash type, or a function of the final title. */
  type?: string | ((title: string) => string);
}

/** One kind of report: the literal that opens it and the formats that title it. */
export interface OopsKind {
  header: string;
  formats: OopsFormat[];
  /** Lines containing the header that nevertheless are not reports. */
  suppressions?: RegExp[];
  /** Type of a report of this kind that no format titles. */
  defaultType?: string;
}
