// KT-lockdep-inconsistent on real logs: a lock taken in an interrupt context and with it enabled, blamed on the current acquisition.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { lockdepInconsistent } from '../../src/rules/locking/lockdep-inconsistent';

ruleCases({
  rule: lockdepInconsistent,
  valid: [
    { log: 'shared:cases/realworld/009-lockdep-inconsistent-in-block-softirq/input.txt', why: 'hugetlb_lock freed from a block-completion softirq and taken with softirqs enabled by sysctl', class: 'deadlock-aa', culprit: 'free_huge_page', module: null, first: true },
    { log: 'shared:cases/realworld/010-lockdep-inconsistent-from-timer/input.txt', why: 'call_lock taken from a timer callback in softirq context', class: 'deadlock-aa', culprit: 'rxrpc_put_call', module: null, first: true },
    { log: 'corpus:report/666', why: 'fs->lock taken in hard-interrupt context by io_uring and with interrupts enabled elsewhere', class: 'deadlock-aa', culprit: 'io_dismantle_req' },
    { log: 'corpus:report/668', why: 'a percpu-ref release taking a lock in softirq context', class: 'deadlock-aa', culprit: 'io_file_data_ref_zero' },
    { log: 'corpus:report/678', why: 'the reverse order: now taken with interrupts enabled, earlier in hard-interrupt context', class: 'deadlock-aa', culprit: 'sync_info_debugfs_show' },
    { log: 'test/fixtures/qemu-debug/inconsistent.log', why: 'a driver lock taken by its timer callback in softirq and by its write handler with softirqs enabled', class: 'deadlock-aa', culprit: 'incons_stats_timer_fn', module: 'inconsistent', first: true },
  ],
  invalid: [
    { log: 'shared:cases/realworld/012-lockdep-softirq-safe-unsafe-wifi-rate/input.txt', why: 'a SOFTIRQ-safe -> SOFTIRQ-unsafe lock order (its own rule)' },
    { log: 'corpus:report/186', why: 'a circular dependency' },
    { log: 'shared:cases/seed-003-softlockup-spin-unlock-irq-nested/input.txt', why: 'interrupts re-enabled inside a lock region without lockdep' },
    { log: 'test/fixtures/qemu-debug/softirqorder.log', why: 'a SOFTIRQ-safe -> SOFTIRQ-unsafe order made by a driver' },
  ],
});

test('KT-lockdep-inconsistent names both contexts, the usage bits and the callback the softirq path runs', async (t) => {
  const text = readLog('shared:cases/realworld/010-lockdep-inconsistent-from-timer/input.txt');
  const text009 = readLog('shared:cases/realworld/009-lockdep-inconsistent-in-block-softirq/input.txt');
  if (text === null || text009 === null) return t.skip('shared absent');
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-lockdep-inconsistent');
  assert.ok(f);
  assert.equal(f.facts.interrupt, 'SOFTIRQ');
  assert.equal(f.facts.callback, 'call_timer_fn');
  assert.match(f.explanation, /"\?" in the SOFTIRQ position/);
  assert.match(f.nextSteps.join('\n'), /spin_lock_bh\(\)/);
  const g = (await findingsOf(text009)).find((x) => x.rule === 'KT-lockdep-inconsistent');
  assert.ok(g);
  assert.equal(g.facts.registeredIn, '__nr_hugepages_store_common');
  assert.match(g.summary, /free_huge_page takes hugetlb_lock in softirq context, while __nr_hugepages_store_common takes it with softirqs/);
  assert.doesNotMatch(g.summary + g.explanation, /irq-state|corrupt(?!ed;)/i);
});
