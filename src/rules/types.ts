// What a diagnosis rule is: metadata with its docs, and a pure function from the analysed input to findings.

import type { CrashReport, Evidence, LogLine } from '../model/types';
import type { Analysis } from '../analyze/analyze';

/** A text in every language the tool speaks; rules write both, the renderer picks one. */
export interface L10n {
  en: string;
  zh: string;
}

export const ROOT_CAUSE_CLASSES = [
  'lock-imbalance',
  'sleep-in-atomic',
  'deadlock-aa',
  'deadlock-abba',
  'irq-state-corruption',
  'use-after-free',
  'null-deref',
  'stack-overflow',
  'memory-corruption',
  'dangling-callback-after-unload',
  'hung-task-io',
  'resource-exhaustion',
  'hardware',
  'firmware-bios',
  'other',
] as const;
export type RootCauseClass = (typeof ROOT_CAUSE_CLASSES)[number];

export interface RuleMeta {
  /** Stable id, `KT-` followed by kebab-case words. */
  id: string;
  rootCauseClass: RootCauseClass;
  /** One line: what the rule recognises. */
  summary: L10n;
  /** What `ktriage explain ID` prints: what the rule looks for, why it means what it says, what to do. */
  docs: L10n;
  references: readonly string[];
  /** The rule's texts: message ids to their English and Chinese text with {{placeholders}} (see messages.ts). */
  messages?: Readonly<Record<string, L10n>>;
}

export interface EvidenceDraft {
  line: number;
  note: L10n;
}

/** A finding as a rule writes it; the engine fills in the rule id, class, quoted lines and language. */
export interface FindingDraft {
  confidence: number;
  summary: L10n;
  explanation: L10n;
  evidence: EvidenceDraft[];
  culprit: { function: string | null; module: string | null } | null;
  nextSteps: L10n[];
  /** Overrides the rule's class when one rule can conclude several (e.g. leak vs balanced sleep). */
  rootCauseClass?: RootCauseClass;
  /** Other classes that also apply (e.g. the AA deadlock that a dangling timer caused). */
  secondaryClasses?: RootCauseClass[];
  /** Structured facts the conclusion rests on (decoded values, inferred panic, address class, lock). */
  facts?: Record<string, unknown>;
  references?: string[];
  /** Index of the report in analysis.reports the finding is about, if one. */
  report?: number;
  /** Later reports the same finding covers (the same lockup or stall reported again while it lasts). */
  alsoExplains?: number[];
}

export interface RuleContext {
  analysis: Analysis;
  /** The input line with this number (for quoting evidence), when it was kept. */
  line(no: number): LogLine | null;
  /** Lines whose text contains `needle` (bounded search over the kept lines). */
  findLines(needle: string | RegExp, limit?: number): LogLine[];
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): FindingDraft[];
}

export type { CrashReport, Evidence };
