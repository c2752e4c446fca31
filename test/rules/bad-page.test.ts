// KT-bad-page on real logs: a page freed, allocated or unmapped in a state it cannot be in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { badPage } from '../../src/rules/memory/bad-page';

ruleCases({
  rule: badPage,
  valid: [
    { log: 'test/fixtures/qemu/badpage.log', why: 'rx buffers freed while their page->mapping still points at the ring, blamed on the caller of __free_pages()', class: 'memory-corruption', culprit: 'badpage_rx_free', module: 'badpage', first: true },
    { log: 'corpus:report/726', why: 'a page_pool page freed to the buddy allocator, its stack cut off by other output', class: 'memory-corruption', culprit: 'bpf_test_run_xdp_live', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/oom.log', why: 'an out-of-memory panic' },
    { log: 'test/fixtures/qemu/listdel.log', why: 'a list corruption BUG' },
    { log: 'corpus:report/44', why: 'a kernel BUG in KVM\'s MMU' },
  ],
});

test('a page freed while still attached to a mapping is memory corruption, named by the check that failed', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/badpage.log') as string)).find((x) => x.rule === badPage.meta.id);
  assert.ok(f);
  assert.equal(f.facts.reason, 'non-null-mapping');
  assert.equal(f.rootCauseClass, 'memory-corruption');
  assert.match(f.summary, /still attached/);
});

test('page_owner\'s allocation stack names the allocating function past the page allocator', { skip: readLog('corpus:report/726') === null }, async () => {
  const f = (await findingsOf(readLog('corpus:report/726') as string)).find((x) => x.rule === badPage.meta.id);
  assert.ok(f);
  assert.equal(f.facts.reason, 'page-pool-leak');
  assert.equal(f.facts.allocatedBy, 'bpf_test_run_xdp_live');
  assert.deepEqual(f.secondaryClasses, []);
});

test('one Bad page report gives one finding, whether or not other output cut its report short', async () => {
  for (const log of ['test/fixtures/qemu/badpage.log', 'corpus:report/726']) {
    const text = readLog(log);
    if (text === null) continue;
    const reports = (text.match(/BUG: Bad page (?:state|map)/g) ?? []).length;
    assert.equal((await findingsOf(text, log)).filter((f) => f.rule === badPage.meta.id).length, reports, log);
  }
});
