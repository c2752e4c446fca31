// The rule engine: every rule documented in both languages, known issues bound to versions, no rule throws.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePath, analyzeText } from '../src/analyze/analyze';
import { runRules } from '../src/rules/engine';
import { RULES, ruleById } from '../src/rules';
import { ROOT_CAUSE_CLASSES } from '../src/rules/types';
import { seedCases, SKIP_SHARED } from './support/shared';
import { corpusAvailable, readCorpus } from './support/corpus';

const HAN = /[\u4e00-\u9fff]/;

test('every rule has an id, a contract class, and summary and docs in English and Chinese', () => {
  const ids = new Set<string>();
  for (const r of RULES) {
    assert.match(r.meta.id, /^KT-[a-z0-9]+(?:-[a-z0-9]+)*$/, r.meta.id);
    assert.ok(!ids.has(r.meta.id), `duplicate id ${r.meta.id}`);
    ids.add(r.meta.id);
    assert.ok((ROOT_CAUSE_CLASSES as readonly string[]).includes(r.meta.rootCauseClass), `${r.meta.id} class`);
    for (const t of [r.meta.summary, r.meta.docs]) {
      assert.ok(t.en.trim().length > 20, `${r.meta.id} English text`);
      assert.match(t.zh, HAN, `${r.meta.id} Chinese text`);
    }
    assert.equal(ruleById(r.meta.id), r);
  }
});

test('the seed findings read in Chinese when asked', { skip: SKIP_SHARED }, async () => {
  for (const c of seedCases()) {
    const a = await analyzePath(c.inputPath);
    for (const f of runRules(a, 'zh')) {
      assert.match(f.summary, HAN, `${c.name} ${f.rule} summary`);
      assert.match(f.explanation, HAN, `${c.name} ${f.rule} explanation`);
      for (const s of f.nextSteps) assert.ok(s.length > 0);
      for (const e of f.evidence) assert.match(e.note, HAN, `${c.name} ${f.rule} evidence note`);
    }
  }
});

test('a known issue is only offered inside its kernel range', { skip: SKIP_SHARED }, async () => {
  const c = seedCases().find((s) => s.name.startsWith('seed-004'));
  if (!c) return;
  const known = async (release: string | null): Promise<boolean> => {
    const a = await analyzePath(c.inputPath);
    a.kernel.release = release;
    return runRules(a, 'en').some((f) => f.rule === 'KT-known-issue');
  };
  assert.equal(await known(null), true, 'era from the log: 2.6.x');
  assert.equal(await known('2.6.32-431.el6.x86_64'), true, 'an affected RHEL 6 kernel');
  assert.equal(await known('2.6.32-573.el6.x86_64'), false, 'a fixed RHEL 6 kernel');
  assert.equal(await known('3.10.0-514.26.2.el7.x86_64'), false, 'a 3.10 kernel never gets the 2.6.32 advice');
});

test('a log without a crash gives no finding', async () => {
  const a = await analyzeText('quiet', '[    0.000000] Linux version 6.1.0-13-amd64\n[    1.0] usb 1-1: new device\n');
  assert.deepEqual(runRules(a, 'en'), []);
});

test('no rule throws on any corpus report', { skip: corpusAvailable('report') ? false : 'syzkaller corpus not found' }, async () => {
  const failures: string[] = [];
  for (const item of readCorpus('report')) {
    const a = await analyzeText(item.name, item.logBytes.toString('utf8'));
    runRules(a, 'en');
    failures.push(...a.notes.filter((n) => n.startsWith('rule ')).map((n) => `${item.name}: ${n}`));
  }
  assert.deepEqual(failures, []);
});
