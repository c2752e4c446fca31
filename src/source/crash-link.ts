// A crash diagnosis tied to the module's source (`analyze --source DIR`): where the culprit is defined,
// and the source findings that explain the crash (the leaked spin_lock_bh beside the preempt-count
// evidence, the nested spin_unlock_irq beside the EFLAGS evidence, the timer the exit forgot).

import type { Finding, SourceLink } from '../model/types';
import type { CheckFinding, CheckResult } from './check';
import { moduleName, modulesOfFile } from './modules';

/**
 * The source finding classes that explain a crash of each class: a leaked lock shows up as a sleep in
 * atomic context or a deadlock; interrupts turned on under a lock as a deadlock or a lockup (data).
 */
export const EXPLAINING_CLASSES: Readonly<Record<string, readonly string[]>> = {
  'lock-imbalance': ['lock-imbalance', 'irq-state-corruption'],
  'sleep-in-atomic': ['sleep-in-atomic', 'lock-imbalance'],
  'irq-state-corruption': ['irq-state-corruption', 'lock-imbalance'],
  'deadlock-aa': ['irq-state-corruption', 'lock-imbalance', 'sleep-in-atomic'],
  'deadlock-abba': ['lock-imbalance'],
  'dangling-callback-after-unload': ['dangling-callback-after-unload'],
  'use-after-free': ['dangling-callback-after-unload'],
  'stack-overflow': ['stack-overflow'],
  'hung-task-io': ['lock-imbalance', 'sleep-in-atomic'],
};

/**
 * What a crash says of the kind of state that went wrong, and how a source finding says it: with no
 * function of the source on the crash's stack, the candidates are those of the same kind (a BH leak, a
 * leak of interrupts, a timer, work...).
 */
export const KINDS: ReadonlyArray<{ crash: RegExp; source: RegExp }> = [
  { crash: /bottom halves|softirq-disable|_bh\b/i, source: /_bh\b|bottom halves/i },
  { crash: /interrupts (?:were |are )?(?:on|enabled|re-?enabled)|EFLAGS|\bIF\b|_irq\b/i, source: /_irq(?:save)?\b|interrupts/i },
  { crash: /\btimer/i, source: /\btimer/i },
  { crash: /\bwork(?:queue| item|er)?\b/i, source: /\bwork\b|workqueue/i },
  { crash: /kthread|thread/i, source: /kthread|thread/i },
];

/** Candidates of the crash's class shown at most when no function of the crash is in the source. */
const MAX_CANDIDATES = 5;

/** The functions a crash finding names: its culprit, and the stack frames quoted in its evidence (`fn+0x4a/0x80 [mod]`). */
function namesOf(f: Finding): Set<string> {
  const out = new Set<string>();
  if (f.culprit?.function) out.add(f.culprit.function);
  for (const e of f.evidence) for (const m of e.text.matchAll(/\b([A-Za-z_]\w{1,120})(?:\.(?:constprop|isra|part|cold)\.\d{1,4})*\+0x[0-9a-f]{1,8}/g)) out.add(m[1]);
  return out;
}

/** Module names as the kernel prints them: `i2c-piix4` and `i2c_piix4` are one module. */
/** The modules a crash finding names: its culprit's, and the `[mod]` of the frames in its evidence. */
function modulesOf(f: Finding): Set<string> {
  const out = new Set<string>();
  if (f.culprit?.module) out.add(moduleName(f.culprit.module));
  for (const e of f.evidence) for (const m of e.text.matchAll(/\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8} \[([\w-]{1,64})\]/g)) out.add(moduleName(m[1]));
  return out;
}

/** A source finding as the check's JSON prints it, in the output language. */
function asJson(s: CheckFinding, lang: 'en' | 'zh', match: SourceLink['findings'][number]['match']): SourceLink['findings'][number] {
  return { match, rule: s.rule, class: s.class, file: s.file, line: s.line, column: s.column, function: s.function, message: s.message[lang], help: s.help[lang], trace: s.trace.map((t) => ({ file: t.file, line: t.line, note: t.note[lang] })) };
}

/**
 * The link of one crash finding to the source: its culprit's definition; the source findings of a class
 * that explains it in a function its stack names; and, after them, the other findings of that class in the
 * source (of the same kind when the crash says which: a BH leak, a timer...), as candidates.
 */
export function linkFinding(f: Finding, r: CheckResult, lang: 'en' | 'zh'): SourceLink | null {
  const names = namesOf(f);
  const explaining = EXPLAINING_CLASSES[f.rootCauseClass] ?? [];
  const culpritName = f.culprit?.function ?? null;
  const def = culpritName ? r.definitions.find((d) => d.name === culpritName) : undefined;
  const ofClass = r.findings.filter((s) => explaining.includes(s.class));
  const named = ofClass.filter((s) => names.has(s.function));
  // The culprit's own findings first, then those of the class the crash has.
  const rank = (s: CheckFinding): number => (s.function === culpritName ? 0 : 2) + (s.class === f.rootCauseClass ? 0 : 1);
  named.sort((a, b) => rank(a) - rank(b));
  const said = `${f.summary}\n${f.explanation}`;
  const kinds = KINDS.filter((k) => k.crash.test(said));
  // The candidates are in the modules the crash names, when the source holds one of them: another driver of
  // the directory explains nothing. (Source of none of them is the user's module under another name.)
  const modules = modulesOf(f);
  const inModules = (file: string): boolean => [...modulesOfFile(file)].some((m) => modules.has(m));
  const restrict = modules.size > 0 && r.definitions.some((d) => inModules(d.file));
  let others = ofClass.filter((s) => !named.includes(s) && (!restrict || inModules(s.file)));
  const sameKind = others.filter((s) => kinds.some((k) => k.source.test(s.message.en)));
  if (kinds.length > 0 && sameKind.length > 0) others = sameKind;
  others.sort((a, b) => (a.class === f.rootCauseClass ? 0 : 1) - (b.class === f.rootCauseClass ? 0 : 1));
  const candidates = others.slice(0, MAX_CANDIDATES);
  if (!def && named.length === 0 && candidates.length === 0) return null;
  return {
    culprit: def && culpritName ? { function: culpritName, file: def.file, line: def.line } : null,
    findings: [...named.map((s) => asJson(s, lang, s.function === culpritName ? 'culprit' : 'stack')), ...candidates.map((s) => asJson(s, lang, 'class'))],
  };
}
