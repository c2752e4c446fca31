// What a source check is: metadata with its docs, like a diagnosis rule, and a pure function from a function's lock-state walk to findings.

import type { L10n, RootCauseClass } from '../../rules/types';
import type { FunctionFlow, Site, Summary } from '../flow';

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
}

export interface SourceCheck {
  meta: CheckMeta;
  check(ctx: FunctionContext): CheckDraft[];
}
