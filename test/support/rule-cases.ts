// Table-driven tests of one diagnosis rule on real logs: the logs it must explain (with class and culprit) and the logs it must leave alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../src/analyze/analyze';
import { runRules, type RenderedFinding } from '../../src/rules/engine';
import type { Rule } from '../../src/rules/types';
import { REPO, sharedDir } from './shared';

/**
 * Where a real log lives: `shared:cases/realworld/005-.../input.txt` (read in place beside the repository),
 * `corpus:report/123` (the syzkaller corpus, header stripped), or a path under the repository
 * (`test/fixtures/qemu/bhleak.log`).
 */
export type LogRef = string;

export interface FiresOn {
  log: LogRef;
  /** Why this log is an instance of the rule's idea (shown in the test name). */
  why: string;
  class?: string;
  /** Acceptable culprit functions (any one); null: the rule must name none. */
  culprit?: string | readonly string[] | null;
  module?: string | null;
  /** The rule's finding must be the first finding of the input. */
  first?: boolean;
}

export interface QuietOn {
  log: LogRef;
  why: string;
}

export interface RuleCases {
  rule: Rule;
  valid: readonly FiresOn[];
  invalid: readonly QuietOn[];
}

/** The text of a log, or null when it lives in ../shared and that is absent. */
export function readLog(ref: LogRef): string | null {
  if (ref.startsWith('shared:')) {
    const dir = sharedDir();
    const p = dir ? join(dir, ref.slice('shared:'.length)) : null;
    return p && existsSync(p) ? readFileSync(p, 'utf8') : null;
  }
  if (ref.startsWith('corpus:')) {
    const dir = process.env.KTRIAGE_SYZ_CORPUS ?? (sharedDir() ? join(sharedDir() as string, 'corpus', 'syzkaller-linux') : null);
    const p = dir ? join(dir, ref.slice('corpus:'.length)) : null;
    if (!p || !existsSync(p)) return null;
    const b = readFileSync(p);
    const sep = b.indexOf('\n\n');
    return (sep < 0 ? b : b.subarray(sep + 2)).toString('utf8');
  }
  return readFileSync(join(REPO, ref), 'utf8');
}

export async function findingsOf(text: string, name = 'input'): Promise<RenderedFinding[]> {
  const a = await analyzeText(name, text);
  return runRules(a, 'en');
}

/** Registers the rule's valid/invalid tests; logs from ../shared skip cleanly when it is absent. */
export function ruleCases(c: RuleCases): void {
  const id = c.rule.meta.id;
  for (const v of c.valid) {
    const text = readLog(v.log);
    test(`${id} explains ${v.why}`, { skip: text === null ? `${v.log} is not available` : false }, async () => {
      const all = await findingsOf(text as string, v.log);
      const mine = all.filter((f) => f.rule === id);
      assert.ok(mine.length > 0, `${id} did not fire on ${v.log}; findings: ${all.map((f) => f.rule).join(', ')}`);
      const f = mine[0];
      if (v.first) assert.equal(all[0].rule, id, `the first finding is ${all[0].rule}: ${all[0].summary}`);
      if (v.class !== undefined) assert.equal(f.rootCauseClass, v.class, f.summary);
      if (v.culprit !== undefined) {
        if (v.culprit === null) assert.equal(f.culprit?.function ?? null, null, `culprit ${f.culprit?.function}`);
        else {
          const ok = typeof v.culprit === 'string' ? [v.culprit] : v.culprit;
          assert.ok(ok.includes(f.culprit?.function ?? ''), `culprit ${f.culprit?.function ?? 'none'}, expected ${ok.join(' or ')}: ${f.summary}`);
        }
      }
      if (v.module !== undefined) assert.equal(f.culprit?.module ?? null, v.module, `module of ${f.culprit?.function}`);
      for (const e of f.evidence) assert.ok(e.text !== '', `evidence line ${e.line} quotes nothing`);
    });
  }
  for (const q of c.invalid) {
    const text = readLog(q.log);
    test(`${id} stays quiet on ${q.why}`, { skip: text === null ? `${q.log} is not available` : false }, async () => {
      const mine = (await findingsOf(text as string, q.log)).filter((f) => f.rule === id);
      assert.equal(mine.length, 0, `${id} fired on ${q.log}: ${mine[0]?.summary}`);
    });
  }
}
