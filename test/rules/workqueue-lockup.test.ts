// KT-workqueue-lockup on real logs: a worker pool stuck behind a work function that never sleeps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { workqueueLockup } from '../../src/rules/lockups/workqueue-lockup';

ruleCases({
  rule: workqueueLockup,
  valid: [
    { log: 'test/fixtures/qemu-debug/wqlockup.log', why: 'a work function busy-polling with cond_resched(): the in-flight item of the stuck pool, three reports of one lockup', class: 'other', culprit: 'wqlockup_fw_load_work', module: 'wqlockup', first: true },
    { log: 'corpus:report/94', why: 'the watchdog line alone: no busy-workqueue listing, so no work function can be named', class: 'other', culprit: null, first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup' },
    { log: 'test/fixtures/qemu/wqleak.log', why: 'a work item that returned with a lock held (a leak, not a stuck pool)' },
    { log: 'corpus:report/432', why: 'a kworker hung in synchronize_rcu (a blocked task, not a stuck pool)' },
  ],
});

test('KT-workqueue-lockup names the work queued behind the stuck item as its victims, and explains every report of the pool once', async () => {
  const all = await findingsOf(readLog('test/fixtures/qemu-debug/wqlockup.log') as string);
  const mine = all.filter((f) => f.rule === 'KT-workqueue-lockup');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].facts.reports, 3);
  assert.ok((mine[0].facts.pending as string[]).includes('wqlockup_stats_work'));
  assert.ok(!all.some((f) => f.rule === 'KT-unexplained-report'), all.map((f) => f.rule).join(', '));
});
