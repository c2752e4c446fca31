// ktriage check on small modules with each seed's bug beside a correct twin, on locking that is correct but hard to see, and on input that is not C.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './support/shared';
import { checkSources } from '../src/source/check';
import { prepareSource } from '../src/source/prepare';
import { checkSarif } from '../src/render/check';
import { CHECK_METAS } from '../src/source/checks';

const BIN = join(REPO, 'bin', 'ktriage');
const DIR = join(REPO, 'test', 'fixtures', 'source');

/** Each fixture and what must be found in it: rule and line; [] for the correct twins. */
const CASES: Array<{ file: string; want: Array<[string, number]> }> = [
  { file: 'link_config.c', want: [['KT-check-lock-variant-mismatch', 32], ['KT-check-lock-variant-mismatch', 33]] },
  { file: 'link_config_fixed.c', want: [] },
  { file: 'server_stop.c', want: [['KT-check-held-at-return', 32]] },
  { file: 'server_stop_fixed.c', want: [] },
  { file: 'helpers_split.c', want: [['KT-check-lock-variant-mismatch', 31], ['KT-check-held-at-return', 39]] },
  { file: 'balanced.c', want: [] },
  { file: 'alias_lock.c', want: [['KT-check-held-at-return', 43]] },
  { file: 'trylock_or.c', want: [['KT-check-held-at-return', 33]] },
  { file: 'irq_restore_saved.c', want: [['KT-check-lock-variant-mismatch', 30]] },
  { file: 'atomic_ops.c', want: [['KT-check-sleep-in-atomic', 19], ['KT-check-sleep-in-atomic', 37], ['KT-check-sleep-in-atomic', 49], ['KT-check-sleep-in-atomic', 62], ['KT-check-sleep-in-atomic', 71], ['KT-check-sleep-in-atomic', 86], ['KT-check-sleep-in-atomic', 105]] },
  { file: 'atomic_ops_fixed.c', want: [] },
  { file: 'irqsave_flags.c', want: [['KT-check-irqsave-flags-reuse', 13]] },
  { file: 'error_return.c', want: [['KT-check-held-at-return', 20]] },
  { file: 'held_return.c', want: [['KT-check-held-at-return', 37], ['KT-check-held-at-return', 60], ['KT-check-held-at-return', 76], ['KT-check-held-at-return', 89]] },
  { file: 'held_return_handover.c', want: [] },
  { file: 'sleep_polling.c', want: [['KT-check-sleep-in-atomic', 77], ['KT-check-sleep-in-atomic', 79]] },
  { file: 'irq_nested.c', want: [['KT-check-nested-irq-enable', 25], ['KT-check-nested-irq-enable', 53]] },
  { file: 'irq_nested_fixed.c', want: [] },
  { file: 'irq_hrtimer.c', want: [['KT-check-nested-irq-enable', 23]] },
  { file: 'irqsave_lost.c', want: [['KT-check-lock-variant-mismatch', 23], ['KT-check-held-at-return', 30]] },
];

for (const c of CASES) {
  test(`check ${c.file}: ${c.want.length === 0 ? 'no finding' : c.want.map(([r, l]) => `${r} at line ${l}`).join(', ')}`, async () => {
    const r = await checkSources([join(DIR, c.file)]);
    assert.deepEqual(r.skipped, [], 'every function parsed');
    assert.deepEqual(r.findings.map((f) => [f.rule, f.line]), c.want);
  });
}

test('the seed 000 finding names both sides and the fix; the seed 001 one the lock taken', async () => {
  const [f] = (await checkSources([join(DIR, 'link_config.c')])).findings;
  assert.equal(f.function, 'link_config_apply');
  assert.equal(f.class, 'lock-imbalance');
  assert.match(f.message.en, /spin_lock_bh\(port->stats_lock\) is released by spin_unlock\(\): bottom halves stay disabled/);
  assert.deepEqual(f.trace.map((t) => t.line), [28]);
  assert.match(f.help.en, /spin_unlock_bh\(\)/);
  const [g] = (await checkSources([join(DIR, 'server_stop.c')])).findings;
  assert.equal(g.function, 'TestMode_ServerExit');
  assert.deepEqual(g.trace.map((t) => t.line), [30]);
});

test('a helper in another file: the trace points into that file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-check-'));
  try {
    writeFileSync(join(dir, 'lock.c'), 'void q_lock(struct q *q)\n{\n\tspin_lock_irq(&q->lock);\n}\n');
    writeFileSync(join(dir, 'use.c'), 'int q_put(struct q *q, int v)\n{\n\tq_lock(q);\n\tq->v = v;\n\tspin_unlock(&q->lock);\n\treturn 0;\n}\n');
    const r = await checkSources([dir]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.file.endsWith('use.c'), f.line]), [['KT-check-lock-variant-mismatch', true, 5]]);
    assert.ok(r.findings[0].trace.some((t) => t.file.endsWith('lock.c') && t.line === 3));
    const text = spawnSync(BIN, ['check', dir], { encoding: 'utf8' }).stdout;
    assert.match(text, /--> .*lock\.c:3:2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an hrtimer set to expire in softirq context (HRTIMER_MODE_*_SOFT) runs with interrupts on: nothing to report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-check-'));
  try {
    const text = readFileSync(join(DIR, 'irq_hrtimer.c'), 'utf8').replace('HRTIMER_MODE_REL)', 'HRTIMER_MODE_REL_SOFT)');
    assert.notEqual(text, readFileSync(join(DIR, 'irq_hrtimer.c'), 'utf8'));
    writeFileSync(join(dir, 'soft.c'), text);
    assert.deepEqual((await checkSources([dir])).findings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('preparing kernel C keeps every offset: one #if branch, attributes blanked, iterators as while loops', () => {
  const src = '#ifdef CONFIG_X\nint a;\n#else\nint b;\n#endif\n#if 0\nint c;\n#else\nint d;\n#endif\nstatic int __init f(void) __acquires(&l)\n{\n\tlist_for_each_entry(p, &h, node) {\n\t}\n}\n';
  const p = prepareSource(src);
  assert.equal(p.text.length, src.length);
  assert.deepEqual(p.text.split('\n').map((l) => l.length), src.split('\n').map((l) => l.length));
  assert.match(p.text, /int a;/);
  assert.doesNotMatch(p.text, /int b;|int c;/);
  assert.match(p.text, /int d;/);
  assert.doesNotMatch(p.text, /__init|__acquires/);
  assert.deepEqual(p.annotations.map((a) => [a.kind, a.lock]), [['acquires', '&l']]);
  assert.match(p.text, /\twhile {14}\(p, &h, node\) \{/);
  // A call of the same name ended by ';' and the macro's own #define stay as they are.
  const q = prepareSource('#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)\nvoid g(void) { my_for_each(cb, arg); }\n');
  assert.match(q.text, /#define list_for_each\(pos, head\)/);
  assert.match(q.text, /my_for_each\(cb, arg\);/);
});

test('exit status and formats: 1 with findings, 0 without, 2 for a path that cannot be read; JSON as the contract says; SARIF 2.1.0', () => {
  const bad = spawnSync(BIN, ['check', '--format', 'json', join(DIR, 'link_config.c')], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  const j = JSON.parse(bad.stdout);
  assert.equal(j.files, 1);
  assert.equal(j.functions, 2);
  for (const f of j.findings) {
    for (const k of ['rule', 'class', 'file', 'line', 'column', 'function', 'message', 'trace']) assert.ok(k in f, k);
    assert.ok(f.trace.every((t: { file: string; line: number; note: string }) => typeof t.file === 'string' && t.line > 0 && t.note.length > 0));
  }
  assert.equal(spawnSync(BIN, ['check', join(DIR, 'balanced.c')]).status, 0);
  const missing = spawnSync(BIN, ['check', '/nonexistent/x.c'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read \/nonexistent\/x\.c: no such file/);
  const sarif = JSON.parse(spawnSync(BIN, ['check', '--format', 'sarif', join(DIR, 'helpers_split.c')], { encoding: 'utf8' }).stdout);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id), CHECK_METAS.map((c) => c.id));
  for (const res of run.results) {
    assert.ok(run.tool.driver.rules[res.ruleIndex].id === res.ruleId);
    assert.ok(res.locations[0].physicalLocation.region.startLine > 0);
    assert.ok(res.relatedLocations.length > 0 && res.relatedLocations.every((l: { id: number; message: { text: string } }) => l.id > 0 && l.message.text));
  }
  const empty = checkSarif({ files: 0, functions: 0, skipped: [], findings: [], unreadable: [], notes: [], definitions: [] }, CHECK_METAS, '0', 'en') as { runs: Array<{ results: unknown[] }> };
  assert.deepEqual(empty.runs[0].results, []);
  // Every check is explained.
  for (const c of CHECK_METAS) assert.equal(spawnSync(BIN, ['explain', c.id]).status, 0, c.id);
});

test('C that does not parse and binary garbage: noted and skipped, never reported on, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-check-'));
  try {
    writeFileSync(join(dir, 'broken.c'), 'static int f(void)\n{\n\tspin_lock(&l);\n\tif (x {\n\treturn 0;\n}\nint g(void) { spin_lock(&m); return 1; }\n');
    let seed = 4242;
    const junk = Buffer.alloc(50_000);
    for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    writeFileSync(join(dir, 'junk.c'), junk);
    // A long run of nested parentheses and braces: bounded work.
    writeFileSync(join(dir, 'deep.c'), `int h(void) { ${'('.repeat(5000)} ${'{'.repeat(2000)} }\n`);
    const r = await checkSources([dir]);
    assert.ok(r.skipped.some((s) => s.function === 'f'), 'the function that did not parse is named');
    assert.ok(r.findings.every((f) => f.function !== 'f'));
    assert.ok(r.notes.some((n) => /junk\.c: not a text file/.test(n)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SARIF output is valid SARIF 2.1.0 (the schema of the SARIF SDK), with what code scanning reads', () => {
  // ajv 6 with draft-04, as the SARIF SDK validates its own logs; absent dev dependencies skip cleanly.
  let Ajv: new (o: object) => { addMetaSchema(s: object): void; compile(s: object): ((d: unknown) => boolean) & { errors?: unknown[] | null } };
  let schema: object;
  let draft4: object;
  try {
    Ajv = require('ajv');
    draft4 = require('ajv/lib/refs/json-schema-draft-04.json');
    schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  } catch {
    return;
  }
  const ajv = new Ajv({ schemaId: 'auto', validateSchema: false, allErrors: true });
  ajv.addMetaSchema(draft4);
  const validate = ajv.compile(schema);
  const r = spawnSync(BIN, ['check', '--format', 'sarif', DIR], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const log = JSON.parse(r.stdout);
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5)));
  const run = log.runs[0];
  assert.ok(run.results.length > 10);
  assert.ok(new Set(run.results.map((x: { ruleId: string }) => x.ruleId)).size >= 5, 'several checks in one log');
  for (const rule of run.tool.driver.rules) assert.ok(rule.shortDescription?.text && rule.fullDescription?.text && rule.help?.text, rule.id);
  for (const res of run.results) {
    const loc = res.locations[0].physicalLocation;
    assert.ok(loc.artifactLocation.uri && !loc.artifactLocation.uri.includes('\\'), 'a URI');
    assert.ok(loc.region.startColumn > 0 && res.message.text.length > 0);
  }
  // The validator is no rubber stamp: a log with a result missing its message fails.
  const broken = JSON.parse(r.stdout);
  delete broken.runs[0].results[0].message;
  broken.runs[0].results[1].level = 'fatal';
  assert.equal(validate(broken), false);
  const zh = spawnSync(BIN, ['check', '--format', 'sarif', '--lang', 'zh', join(DIR, 'server_stop.c')], { encoding: 'utf8' });
  if (zh.status === 1) assert.ok(validate(JSON.parse(zh.stdout)), JSON.stringify(validate.errors?.slice(0, 5)));
});

test('local_irq_save() with the flags returned hands the state to the caller; an error return before the restore is still a leak', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-irqret-'));
  try {
    writeFileSync(join(dir, 'cp.c'), 'static int cp_leak(unsigned long *cp)\n{\n\tunsigned long flags;\n\n\tlocal_irq_save(flags);\n\tif (!*cp)\n\t\treturn -EINVAL;\n\tlocal_irq_restore(flags);\n\treturn 0;\n}\n');
    const r = await checkSources([dir]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.line]), [['KT-check-held-at-return', 7]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a name says a lock is taken for the caller only with a lock word, or a taking word with what is taken', async () => {
  const { lockHelperName } = await import('../src/knowledge/lock-ops');
  const helpers = ['ctx_lock', 'xfs_ilock', 'xfs_ilock_nowait', 'iavf_lock_timeout', 'e1000_get_hw_semaphore_82574', 'igb_get_hw_semaphore', 'i40e_acquire_nvm', 'foo_irq_disable', 'hci_dev_lock', 'lock_sock', 'xfs_trans_dqlockedjoin', 'foo_enter_critical'];
  const others = ['rt4505_torch_brightness_get', 'mxc_rtc_interrupt', 'foo_start_xmit', 'clk_get', 'foo_unlock', 'foo_block', 'sclock', 'netdev_trig_notify', 'wdm_pre_reset', 'get_cpu_var'];
  for (const n of helpers) assert.equal(lockHelperName(n), true, n);
  for (const n of others) assert.equal(lockHelperName(n), false, n);
});
