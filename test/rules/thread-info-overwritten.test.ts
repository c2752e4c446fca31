// KT-thread-info-overwritten on real logs: an impossible preempt count is thread_info overwritten by the stack.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { threadInfoOverwritten } from '../../src/rules/memory/thread-info-overwritten';

const SEED = 'shared:cases/seed-004-stack-overflow-thread-info/input.txt';

ruleCases({
  rule: threadInfoOverwritten,
  valid: [{ log: SEED, why: 'preempt count 0xffff8811 and a user address read through thread_info on RHEL 6', class: 'stack-overflow', module: 'xfs', first: true }],
  invalid: [
    { log: 'test/fixtures/qemu/bhleak.log', why: 'a plausible preempt count (one leaked BH disable)' },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'an underflowed count after schedule_debug() reset it' },
  ],
});

test('the wild access is the page fault\'s header address in a thread_info reader', { skip: readLog(SEED) === null }, async () => {
  const f = (await findingsOf(readLog(SEED) as string)).find((x) => x.rule === threadInfoOverwritten.meta.id);
  assert.ok(f);
  assert.deepEqual(f.facts.wildAccess, { fn: 'task_rq_lock+0x4d', addr: '00000000dd7ed3a8', region: 'user' });
  assert.match(f.explanation, /8 KiB kernel stack/);
});
