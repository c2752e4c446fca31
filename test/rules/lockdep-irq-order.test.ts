// KT-lockdep-irq-order on real logs: an irq-safe lock held while taking an irq-unsafe one, blamed on the acquisition that creates the dependency.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { lockdepIrqOrder } from '../../src/rules/locking/lockdep-irq-order';

ruleCases({
  rule: lockdepIrqOrder,
  valid: [
    { log: 'shared:cases/realworld/012-lockdep-softirq-safe-unsafe-wifi-rate/input.txt', why: 'the driver\'s rate lock taken under mac80211\'s softirq-safe rate_ctrl_lock', class: 'deadlock-aa', culprit: 'rs_drv_get_rate', first: true },
    { log: 'corpus:report/560', why: 'shmlock_user_lock taken under the hardirq-safe i_pages lock', class: 'deadlock-aa', culprit: 'user_shm_lock', first: true },
    { log: 'corpus:report/558', why: 'a report whose "connects a HARDIRQ-irq-safe lock" part is missing: the state is read from the header', class: 'deadlock-aa', culprit: 'kill_fasync' },
    { log: 'corpus:report/30', why: 'an old [ INFO: ... ] header, cut after the acquisition', class: 'deadlock-aa', culprit: 'tun_device_event' },
    { log: 'test/fixtures/qemu-debug/softirqorder.log', why: 'a driver nesting its softirq-unsafe cfg_lock inside its softirq-safe stats_lock', class: 'deadlock-aa', culprit: 'so_read_mtu', module: 'softirqorder', first: true },
  ],
  invalid: [
    { log: 'shared:cases/realworld/009-lockdep-inconsistent-in-block-softirq/input.txt', why: 'an inconsistent lock state' },
    { log: 'corpus:report/186', why: 'a circular dependency' },
    { log: 'corpus:report/156', why: 'a bad unlock balance' },
    { log: 'test/fixtures/qemu-debug/inconsistent.log', why: 'an inconsistent lock state of a driver' },
  ],
});

test('KT-lockdep-irq-order names the safe and the unsafe lock and the fix for the state', async (t) => {
  const text = readLog('shared:cases/realworld/012-lockdep-softirq-safe-unsafe-wifi-rate/input.txt');
  if (text === null) return t.skip('shared absent');
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-lockdep-irq-order');
  assert.ok(f);
  assert.equal(f.facts.irqSafe, '&sta->rate_ctrl_lock');
  assert.equal(f.facts.irqUnsafe, '&mvm_sta->deflink.lq_sta.rs_drv.pers.lock');
  assert.equal(f.facts.interrupt, 'SOFTIRQ');
  assert.match(f.nextSteps[0], /spin_lock_bh\(\)/);
});
