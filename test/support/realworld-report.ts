// Scores the diagnosis on the published real crashes in ../shared/cases/realworld: class, culprit function and module.
// Usage: node dist/test/support/realworld-report.js [--all]   (lists every case; mismatches only by default)

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../src/analyze/analyze';
import { runRules } from '../../src/rules/engine';
import { sharedDir } from './shared';

export interface RealCase {
  name: string;
  input: string;
  expected: { culprit_function: string | string[] | null; culprit_module: string | null; root_cause_class: string; secondary_classes: string[] };
}

export function realworldCases(): RealCase[] {
  const dir = sharedDir();
  const base = dir ? join(dir, 'cases', 'realworld') : null;
  if (!base || !existsSync(base)) return [];
  return readdirSync(base)
    .filter((d) => /^\d/.test(d) && existsSync(join(base, d, 'input.txt')))
    .sort()
    .map((d) => ({ name: d, input: readFileSync(join(base, d, 'input.txt'), 'utf8'), expected: JSON.parse(readFileSync(join(base, d, 'expected.json'), 'utf8')) as RealCase['expected'] }));
}

export interface RealScore {
  cases: number;
  classOk: number;
  culpritOk: number;
  moduleOk: number;
  rows: Array<{ name: string; classOk: boolean; culpritOk: boolean; moduleOk: boolean; got: string; want: string }>;
}

export async function scoreRealworld(): Promise<RealScore> {
  const s: RealScore = { cases: 0, classOk: 0, culpritOk: 0, moduleOk: 0, rows: [] };
  for (const c of realworldCases()) {
    const a = await analyzeText(c.name, c.input);
    const f = runRules(a, 'en')[0];
    const want = c.expected;
    const fns: Array<string | null> = want.culprit_function === null ? [null] : typeof want.culprit_function === "string" ? [want.culprit_function] : want.culprit_function;
    const classOk = f?.rootCauseClass === want.root_cause_class;
    const culpritOk = fns.includes(f?.culprit?.function ?? null);
    const moduleOk = (f?.culprit?.module ?? null) === want.culprit_module;
    s.cases++;
    s.classOk += classOk ? 1 : 0;
    s.culpritOk += culpritOk ? 1 : 0;
    s.moduleOk += moduleOk ? 1 : 0;
    s.rows.push({
      name: c.name,
      classOk,
      culpritOk,
      moduleOk,
      got: `${f?.rootCauseClass ?? '-'} ${f?.culprit?.function ?? '-'} [${f?.culprit?.module ?? '-'}] (${f?.rule ?? 'no finding'})`,
      want: `${want.root_cause_class} ${fns.join('|')} [${want.culprit_module ?? '-'}]`,
    });
  }
  return s;
}

export function formatRealScore(s: RealScore, all = false): string {
  const pct = (n: number): string => `${n}/${s.cases} = ${s.cases ? ((100 * n) / s.cases).toFixed(1) : '0'}%`;
  const lines = [`class ${pct(s.classOk)}; culprit function ${pct(s.culpritOk)}; module ${pct(s.moduleOk)}`];
  for (const r of s.rows) {
    if (!all && r.classOk && r.culpritOk && r.moduleOk) continue;
    lines.push(`  ${r.classOk ? 'C' : '.'}${r.culpritOk ? 'F' : '.'}${r.moduleOk ? 'M' : '.'} ${r.name}: got ${r.got}; want ${r.want}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  void scoreRealworld().then((s) => console.log(formatRealScore(s, process.argv.includes('--all'))));
}
