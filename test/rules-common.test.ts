// The common-kind rules on real syzkaller logs: each fires on its kind with the right class and culprit, stays quiet on others, speaks both languages.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, type Analysis } from '../src/analyze/analyze';
import { runRules, type RenderedFinding } from '../src/rules/engine';
import { RULES as COMMON_RULES } from '../src/rules';
import { baseName, roleOf } from '../src/rules/blame';
import { corpusAvailable, readCorpus, type CorpusFile } from './support/corpus';

const SKIP = corpusAvailable('report') ? false : 'the syzkaller corpus (shared/corpus/syzkaller-linux) is absent: corpus-based rule tests skipped';
const CJK = /[\u4e00-\u9fff]/;

const corpus: CorpusFile[] = SKIP ? [] : readCorpus('report');
const title = (f: CorpusFile): string => f.fields.TITLE?.[0] ?? '';
const corrupted = (f: CorpusFile): boolean => f.fields.CORRUPTED?.[0] === 'Y';

async function analyse(f: CorpusFile): Promise<Analysis> {
  return analyzeText(f.name, f.logBytes.toString('utf8'));
}

/** Corpus files whose TITLE matches, uncorrupted ones first, at most n. */
function pick(re: RegExp, n: number): CorpusFile[] {
  const hits = corpus.filter((f) => re.test(title(f)));
  return [...hits.filter((f) => !corrupted(f)), ...hits.filter(corrupted)].slice(0, n);
}

interface Case {
  rule: string;
  /** More specific rules that may explain the report instead. */
  orRules?: string[];
  /** TITLE lines of the kind the rule explains. */
  fires: RegExp;
  classes: string[];
  /** The finding's culprit must be syzkaller's FRAME for uncorrupted reports that have one. */
  culpritIsFrame: boolean;
  /** TITLE lines of other kinds, where the rule must stay quiet. */
  quietOn: RegExp;
}

const CASES: Case[] = [
  { rule: 'KT-null-deref', fires: /^BUG: unable to handle kernel NULL pointer dereference in (?!corrupted)/, classes: ['null-deref'], culpritIsFrame: true, quietOn: /^KASAN: use-after-free|^INFO: task hung in (?!corrupted)/ },
  { rule: 'KT-bad-kernel-access', fires: /^(?:general protection fault|BUG: unable to handle kernel paging request) in (?!corrupted)/, classes: ['memory-corruption', 'use-after-free', 'null-deref', 'stack-overflow'], culpritIsFrame: true, quietOn: /^BUG: unable to handle kernel NULL pointer|^WARNING: refcount bug/ },
  { rule: 'KT-kasan', fires: /^KASAN: (?:slab-)?(?:use-after-free|out-of-bounds|slab-out-of-bounds|global-out-of-bounds|stack-out-of-bounds)/, classes: ['use-after-free', 'memory-corruption'], culpritIsFrame: true, quietOn: /^KFENCE|^INFO: rcu detected stall/ },
  { rule: 'KT-kfence', fires: /^KFENCE: /, classes: ['use-after-free', 'memory-corruption'], culpritIsFrame: true, quietOn: /^KASAN: use-after-free/ },
  { rule: 'KT-ubsan', fires: /^UBSAN: /, classes: ['other', 'memory-corruption'], culpritIsFrame: true, quietOn: /^KASAN|^kernel BUG/ },
  { rule: 'KT-kernel-bug-assertion', fires: /^kernel BUG in (?!corrupted)/, classes: ['other'], culpritIsFrame: true, quietOn: /^WARNING in|^INFO: task hung/ },
  { rule: 'KT-kernel-warning', fires: /^WARNING(?:: (?:refcount|ODEBUG|kobject|kmalloc) bug)? in (?!corrupted)/, classes: ['other', 'use-after-free', 'hardware'], culpritIsFrame: true, quietOn: /^possible deadlock|^WARNING: possible circular|^KASAN/ },
  { rule: 'KT-soft-lockup', fires: /^BUG: soft lockup in/, classes: ['other', 'deadlock-aa'], culpritIsFrame: true, quietOn: /^INFO: rcu detected stall|^INFO: task hung/ },
  { rule: 'KT-rcu-stall', fires: /^INFO: rcu detected stall in (?!corrupted)/, classes: ['other', 'deadlock-aa'], culpritIsFrame: true, quietOn: /^BUG: soft lockup|^INFO: task hung/ },
  { rule: 'KT-hung-task', fires: /^INFO: task hung in (?!corrupted)/, classes: ['hung-task-io', 'deadlock-abba', 'other'], culpritIsFrame: true, quietOn: /^INFO: rcu detected stall|^BUG: soft lockup/ },
  { rule: 'KT-sleep-in-atomic', fires: /^BUG: sleeping function called from invalid context in (?!corrupted)/, classes: ['sleep-in-atomic', 'lock-imbalance'], culpritIsFrame: true, quietOn: /^BUG: scheduling while atomic|^KASAN/ },
  { rule: 'KT-scheduling-while-atomic', orRules: ['KT-bh-leak-return-to-user', 'KT-bh-disabled-sleep'], fires: /^BUG: scheduling while atomic in/, classes: ['sleep-in-atomic', 'lock-imbalance'], culpritIsFrame: true, quietOn: /^BUG: sleeping function called|^WARNING in/ },
  { rule: 'KT-lockdep-circular', fires: /^(?:possible deadlock|WARNING: possible circular locking dependency detected) in (?!corrupted)/, classes: ['deadlock-abba'], culpritIsFrame: true, quietOn: /^inconsistent lock state|^WARNING: bad unlock balance/ },
  { rule: 'KT-lockdep-inconsistent', fires: /^inconsistent lock state in/, classes: ['deadlock-aa'], culpritIsFrame: true, quietOn: /^WARNING: possible circular|^BUG: bad unlock balance/ },
  { rule: 'KT-lockdep-unlock-balance', fires: /bad unlock balance in/, classes: ['lock-imbalance'], culpritIsFrame: true, quietOn: /^possible deadlock|^WARNING: held lock freed/ },
  { rule: 'KT-lockdep-held-lock-freed', fires: /^WARNING: held lock freed in/, classes: ['use-after-free'], culpritIsFrame: true, quietOn: /bad unlock balance|^inconsistent lock state/ },
  { rule: 'KT-lock-held-leak', fires: /still has locks held|lock held when returning to user space|workqueue leaked lock/, classes: ['lock-imbalance'], culpritIsFrame: false, quietOn: /bad unlock balance|^possible deadlock/ },
  { rule: 'KT-stack-overflow', fires: /^(?:BUG: stack guard page was hit|PANIC: double fault|kernel panic: (?:corrupted stack end|stack is corrupted))/, classes: ['stack-overflow', 'memory-corruption'], culpritIsFrame: true, quietOn: /^general protection fault|^KASAN/ },
  { rule: 'KT-list-corruption', fires: /^BUG: corrupted list/, classes: ['memory-corruption', 'use-after-free'], culpritIsFrame: true, quietOn: /^kernel BUG in|^KASAN/ },
  { rule: 'KT-unexplained-report', fires: /^memory leak in|^KMSAN: /, classes: ['resource-exhaustion', 'other'], culpritIsFrame: false, quietOn: /^KASAN: use-after-free|^INFO: task hung in (?!corrupted)/ },
];

function ofRule(fs: RenderedFinding[], rule: string): RenderedFinding[] {
  return fs.filter((f) => f.rule === rule);
}

describe('common rules on syzkaller reports of their kind', { skip: SKIP }, () => {
  for (const c of CASES) {
    test(`${c.rule} explains "${c.fires.source.slice(0, 60)}" reports with class ${c.classes.join('/')} and a culprit from the log`, async () => {
      const files = pick(c.fires, 4);
      assert.ok(files.length > 0, `no corpus file has a title matching ${c.fires}`);
      for (const f of files) {
        const a = await analyse(f);
        // A report the seed rules explain more specifically is left to them.
        const all = runRules(a, 'en');
        const found = [c.rule, ...(c.orRules ?? [])].map((r) => ofRule(all, r)).find((x) => x.length > 0) ?? [];
        assert.ok(found.length > 0, `${c.rule} did not fire on ${f.name} (${title(f)})`);
        for (const x of found) assert.ok(c.classes.includes(x.rootCauseClass), `${f.name}: class ${x.rootCauseClass}`);
        for (const x of found) assert.ok(x.evidence.length > 0 && x.evidence.every((e) => e.text !== ''), `${f.name}: evidence must quote input lines`);
        const frame = f.fields.FRAME?.[0];
        if (c.culpritIsFrame && frame && !corrupted(f)) {
          // The culprit is code from this log, by base name, and never reporting machinery, a primitive or entry plumbing.
          const text = f.logBytes.toString('utf8');
          for (const x of found) {
            const fn = x.culprit?.function;
            assert.ok(fn, `${f.name}: no culprit named (syzkaller's frame is ${frame})`);
            assert.equal(baseName(fn), fn, `${f.name}: culprit ${fn} keeps a compiler suffix`);
            assert.ok(text.includes(fn), `${f.name}: culprit ${fn} is not in the log`);
            const role = roleOf(fn)?.role;
            assert.ok(role === undefined || role === 'helper', `${f.name}: culprit ${fn} is ${role} code`);
          }
        }
      }
    });

    test(`${c.rule} stays quiet on reports of other kinds`, async () => {
      const files = pick(c.quietOn, 3);
      assert.ok(files.length > 0, `no corpus file has a title matching ${c.quietOn}`);
      for (const f of files) {
        const found = ofRule(runRules(await analyse(f), 'en'), c.rule);
        assert.equal(found.length, 0, `${c.rule} fired on ${f.name} (${title(f)}): ${found[0]?.summary}`);
      }
    });
  }

  test('KASAN use-after-free names the allocating and freeing functions from the Allocated/Freed stacks', async () => {
    const files = corpus.filter((f) => /^KASAN: (?:slab-)?use-after-free/.test(title(f)) && /Freed by task/.test(f.logBytes.toString('utf8'))).slice(0, 3);
    assert.ok(files.length > 0);
    for (const f of files) {
      const k = ofRule(runRules(await analyse(f), 'en'), 'KT-kasan')[0];
      assert.ok(k, f.name);
      assert.equal(k.rootCauseClass, 'use-after-free');
      assert.ok(typeof k.facts.freedBy === 'string' && !/^(?:kfree|kmem_cache_free|__kasan)/.test(k.facts.freedBy), `${f.name}: freedBy ${String(k.facts.freedBy)}`);
    }
  });

  test('a NULL dereference at a small address is explained as the member at that offset', async () => {
    const f = corpus.find((x) => /^BUG: unable to handle kernel NULL pointer dereference in (?!corrupted)/.test(title(x)) && /NULL pointer dereference at 0{8,}[1-9a-f][0-9a-f]\b/.test(x.logBytes.toString('utf8')));
    assert.ok(f);
    const n = ofRule(runRules(await analyse(f), 'en'), 'KT-null-deref')[0];
    assert.ok(n && typeof n.facts.memberOffset === 'string', 'memberOffset decoded');
    assert.match(n.summary, new RegExp(`offset ${n.facts.memberOffset as string}|NULL function pointer`));
  });

  test('hung tasks say what they wait for (mutex, rwsem, I/O, completion)', async () => {
    const files = pick(/^INFO: task hung in (?!corrupted)/, 6);
    const kinds = new Set<string>();
    for (const f of files) for (const x of ofRule(runRules(await analyse(f), 'en'), 'KT-hung-task')) kinds.add(String(x.facts.waitKind));
    assert.ok([...kinds].some((k) => k !== 'other'), `wait kinds: ${[...kinds].join(',')}`);
  });

  test('every corpus report gets at least one finding', async () => {
    for (const f of corpus) {
      const a = await analyse(f);
      if (a.reports.length === 0) continue;
      const fs = runRules(a, 'en');
      assert.ok(fs.length > 0, `${f.name} (${title(f)}) has a report but no finding`);
      assert.ok(!a.notes.some((n) => /rule .* failed/.test(n)), `${f.name}: ${a.notes.join('; ')}`);
    }
  });

  test('every finding is written in English and in Chinese (summary, explanation, steps, evidence notes)', async () => {
    const sample = corpus.filter((_, i) => i % 7 === 0);
    for (const f of sample) {
      const a = await analyse(f);
      const en = runRules(a, 'en', COMMON_RULES);
      const zh = runRules(a, 'zh', COMMON_RULES);
      assert.equal(en.length, zh.length, f.name);
      for (const x of en) {
        assert.ok(x.summary.trim() && x.explanation.trim(), `${f.name} ${x.rule}: empty English text`);
        assert.ok(x.nextSteps.length > 0 && x.nextSteps.every((s) => s.trim() !== ''), `${f.name} ${x.rule}: next steps`);
      }
      for (const x of zh) {
        assert.ok(CJK.test(x.summary) && CJK.test(x.explanation), `${f.name} ${x.rule}: Chinese text expected: ${x.summary}`);
        assert.ok(x.nextSteps.every((s) => s.trim() !== '') && x.evidence.every((e) => CJK.test(e.note)), `${f.name} ${x.rule}: Chinese steps/evidence`);
      }
    }
  });
});

describe('common rules on real logs the corpus lacks (test/fixtures/qemu, made under qemu)', () => {
  const QEMU = path.join(__dirname, '..', '..', 'test', 'fixtures', 'qemu');
  const table: Array<{ file: string; rule: string; cls: string; zh: RegExp }> = [
    { file: 'oom.log', rule: 'KT-oom-panic', cls: 'resource-exhaustion', zh: /内存/ },
    { file: 'initexit.log', rule: 'KT-killed-init', cls: 'other', zh: /init/ },
    { file: 'mce.log', rule: 'KT-hardware-error', cls: 'hardware', zh: /硬件/ },
  ];
  for (const c of table) {
    test(`${c.rule} explains ${c.file} in English and Chinese`, async () => {
      const a = await analyzeText(c.file, fs.readFileSync(path.join(QEMU, c.file), 'utf8'));
      const en = ofRule(runRules(a, 'en'), c.rule);
      assert.equal(en.length, 1, `${c.rule} on ${c.file}`);
      assert.equal(en[0].rootCauseClass, c.cls);
      assert.ok(en[0].evidence.length > 0);
      const zh = ofRule(runRules(a, 'zh'), c.rule)[0];
      assert.match(zh.summary, c.zh);
      assert.match(zh.explanation, CJK);
    });
  }

  test('none of these rules fire on the boot part of a real log', async () => {
    const log = fs.readFileSync(path.join(QEMU, 'oom.log'), 'utf8').split('\n');
    const boot = log.slice(0, log.findIndex((l) => /invoked oom-killer/.test(l))).join('\n');
    assert.ok(boot.includes('Linux version'));
    const found = runRules(await analyzeText('boot', boot), 'en', COMMON_RULES);
    assert.deepEqual(found.map((f) => f.rule), []);
  });
});

describe('common rule metadata', () => {
  test('every common rule has an id, a contract class and docs in both languages', () => {
    const ids = new Set<string>();
    for (const r of COMMON_RULES) {
      assert.match(r.meta.id, /^KT-[a-z0-9]+(?:-[a-z0-9]+)*$/);
      assert.ok(!ids.has(r.meta.id), `duplicate id ${r.meta.id}`);
      ids.add(r.meta.id);
      for (const t of [r.meta.summary, r.meta.docs]) {
        assert.ok(t.en.trim() !== '' && t.zh.trim() !== '', `${r.meta.id}: empty text`);
        assert.match(t.zh, CJK, `${r.meta.id}: Chinese text expected`);
      }
    }
    assert.ok(COMMON_RULES.length >= 20);
  });
});
