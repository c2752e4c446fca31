// What a source check is: metadata with its docs, like a diagnosis rule, and a pure function from a function's lock-state walk to findings.

import type { L10n, RootCauseClass } from '../../rules/types';
import type { FunctionFlow, Site, Summary } from '../flow';
import type { Node } from '../parse';

export interface CheckMeta {
  /** Stable id, `KT-check-` followed by kebab-case words. */
  id: string;
  rootCauseClass: RootCauseClass;
  summary: L10n;
  docs: L10n;
  references: readonly string[];
}

/** One place a finding points at besides its own: the lock taken, the helper that took it. */
export interface TraceStep {
  site: Site;
  note: L10n;
  /** Another file than the finding's (a helper's). */
  file?: string;
}

export interface CheckDraft {
  /** Where the fix belongs: the bad release, the return that leaks. */
  site: Site;
  message: L10n;
  trace: TraceStep[];
  help: L10n;
}

export interface FunctionContext {
  flow: FunctionFlow;
  /** `__acquires(x)` / `__releases(x)` / `__must_hold(x)` of the function, by kind: the locks as written. */
  annotations: { acquires: string[]; releases: string[]; mustHold: string[] };
  /** The file the function is in. */
  file: string;
  /** What each function of the files does to its caller's locks, by name. */
  helpers: ReadonlyMap<string, Summary>;
  /**
   * Its name is used as a value in the files (`.read = foo_read`, `request_irq(irq, foo_isr, ...)`): the kernel
   * calls it through a pointer, and takes back nothing it leaves held.
   */
  callback: boolean;
  /** The functions of the files that call it, with their walks. */
  callers: ReadonlyArray<{ name: string; flow: FunctionFlow }>;
  /** Declared `static`: every caller is in the files. */
  isStatic: boolean;
}

export interface SourceCheck {
  meta: CheckMeta;
  check(ctx: FunctionContext): CheckDraft[];
}

/** One file of the run, as read and as parsed. */
export interface ProgramFile {
  path: string;
  /** The file as read. */
  text: string;
  /** The length-preserving text the tree was parsed from (one #if branch, attributes blanked...). */
  prepared: string;
  root: Node;
}

/** One function definition of the files, with its final walk. */
export interface ProgramFunction {
  name: string;
  flow: FunctionFlow;
  file: string;
  /** Declared `static`: only its own file (and the files that #include it) can call it. */
  isStatic: boolean;
}

/** The whole run: every function's walk, the files, and the callbacks that run with interrupts off. */
export interface Program {
  /** Each function's final walk, by name (the first definition of a name), with its file. */
  flows: ReadonlyMap<string, { flow: FunctionFlow; file: string }>;
  /** Every definition, in file order (two files may each have a static function of one name). */
  functions: readonly ProgramFunction[];
  /** The definition a call made in `file` reaches: the file's own, else the one non-static definition elsewhere. */
  resolve(name: string, file: string): ProgramFunction | null;
  /** Functions registered to run with interrupts off (request_irq...), with what registered them. */
  irqOffCallbacks: ReadonlyMap<ProgramFunction, { what: string; site: Site; file: string }>;
  files: readonly ProgramFile[];
  /** `--kernel RELEASE`, when given. */
  kernel: string | null;
}

/** A finding of a whole-program check: in the file and function named. */
export interface ProgramDraft {
  file: string;
  function: string;
  site: Site;
  message: L10n;
  trace: Array<{ file: string; site: Site; note: L10n }>;
  help: L10n;
}

export interface ProgramCheck {
  meta: CheckMeta;
  check(p: Program): ProgramDraft[];
}
