// Types of the report table: kinds of kernel report, their title formats and stack recipes.

/** Marks the place in a stack recipe where ordinary frames are read until the trace ends. */
export const PARSE_STACK: unique symbol = Symbol('parseStackTrace');

export type StackPart = RegExp | typeof PARSE_STACK;

/**
 * One line-level step of a multi-line pattern. A pattern `X(?:.*\n)+?.*Y` is two steps,
 * Y with `minGap: 1` (a later line, matched from the line start); a single-line pattern
 * is one step. Matching line by line keeps JavaScript's backtracking bounded by one line.
 */
export interface Step {
  re: RegExp;
  /** Lines that must separate this step from the previous one (0: continues on the same line). */
  minGap: number;
  /** At most this many lines may separate it; undefined: unbounded. */
  maxGap?: number;
  /** The pattern is anchored at the start of the report (`^` outside multi-line mode). */
  atStart?: boolean;
  /** Later lines the step may run into (a task name may hold newlines): it sees them joined by `\n`. */
  span?: number;
  /** A line that ends the search for this step (the next task of a crash `foreach bt`): the step must match before it. */
  stop?: RegExp;
  /** Text every line the step matches holds: a line without it is not tried (the pattern's own cheap test). */
  literal?: string;
}

/**
 * How the guilty frame is chosen from the frames read: the first one, the representative
 * frame of a stall (the dispatcher or syscall below the loop), or that of a hung task.
 */
export type FrameExtractor = 'first' | 'stall' | 'hung-task';

export interface StackFmt {
  /**
   * Regexps matched in order, each on a later line than the previous; their capture groups
   * are frames. PARSE_STACK reads a trace; each PARSE_STACK after the first starts the next
   * frame of the title (KMSAN names the use and the origin).
   */
  parts: StackPart[];
  /** Tried when `parts` gives no usable frame. */
  parts2?: StackPart[];
  /** Extra skip patterns (unanchored) on top of the common list. */
  skip?: string[];
  extractor?: FrameExtractor;
}

export interface OopsFormat {
  /** Steps of the title pattern; the earliest match in the report decides which format applies. */
  title: Step[];
  /** Stricter pattern whose groups fill the title; matching the title but not this means corruption. */
  report?: Step[];
  /** Printf-like `%[N]v` template over the captured groups, then the frames. */
  fmt: string;
  alt?: string[];
  stack?: StackFmt;
  /** The report carries no stack trace by nature (so its absence does not mean corruption). */
  noStackTrace?: boolean;
  /** A title from this format always means a damaged or partial report. */
  corrupted?: boolean;
  /**
   * For kinds syzkaller does not know: the title when the stack names no frame (an OOM in a
   * page fault), which then does not mean the report is damaged.
   */
  fmtWithoutFrame?: string;
}

/** One kind of report: the literal that opens it and the formats that title it. */
export interface OopsKind {
  header: string;
  formats: OopsFormat[];
  /** Lines containing the header that nevertheless are not reports. */
  suppressions?: RegExp[];
  /**
   * A kind syzkaller does not know. It never ends or shapes the title of a report syzkaller
   * knows, and is reported only after the first such report, or when the log has none.
   */
  own?: boolean;
  /** Only lines that also match this open the kind (a header literal that is common elsewhere). */
  when?: RegExp;
  /** Opens a report only outside the extent of the report before (a `bt` listing after `sys`). */
  continuation?: boolean;
}
