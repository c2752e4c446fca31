// KT-preempt-count-underflow on real logs: a preempt count below zero, read as the consequence of an earlier reset when there is one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { preemptCountUnderflow } from '../../src/rules/locking/preempt-count-underflow';

ruleCases({
  rule: preemptCountUnderflow,
  valid: [
    { log: 'test/fixtures/qemu/kthstop.log', why: '0x7ffffe00 after the kernel reset the count at an earlier scheduling-while-atomic report', class: 'lock-imbalance', culprit: null },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/bhleak.log', why: 'a positive BH count leaked to user space' },
    { log: 'shared:cases/seed-000-bh-leak-error-path/input.txt', why: 'two BH disables leaked' },
    { log: 'shared:cases/seed-004-stack-overflow-thread-info/input.txt', why: 'an impossible count from an overwritten thread_info' },
  ],
});

test('KT-preempt-count-underflow says the underflow is a consequence of the earlier report of the same task', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/kthstop.log') as string)).find((x) => x.rule === 'KT-preempt-count-underflow');
  assert.ok(f);
  assert.equal(f.facts.preemptCount, '0x7ffffe00');
  assert.ok(typeof f.facts.consequenceOfLine === 'number');
  assert.match(f.summary, /a consequence, not a new bug/);
});
