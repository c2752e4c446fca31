// KT-scheduling-while-atomic on real logs: schedule() with a held or leaked count, from softirq context, or left by an earlier report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { schedulingWhileAtomic } from '../../src/rules/sleeping/scheduling-while-atomic';

ruleCases({
  rule: schedulingWhileAtomic,
  valid: [
    { log: 'shared:cases/realworld/013-arm-scheduling-while-atomic-spi-thread/input.txt', why: 'spi_sync() under a spinlock from a kernel thread: the thread function entered by kthread() is blamed', class: 'sleep-in-atomic', culprit: 'spi_touch_thread', module: 'spidev', first: true },
    { log: 'corpus:report/642', why: 'a count on the return-to-user path, with "Preemption disabled at:" naming the function that left it', class: 'lock-imbalance', culprit: 'kernel_fpu_begin_mask', first: true },
    { log: 'test/fixtures/qemu/sleepatomic.log', why: 'msleep() between spin_lock() and spin_unlock() in a write handler', class: 'sleep-in-atomic', culprit: 'sleepatomic_ctl_write', module: 'sleepatomic', first: true },
    { log: 'corpus:report/644', why: 'a sleep from an RCU callback in softirq context', class: 'sleep-in-atomic', culprit: '__blkg_release', first: true },
  ],
  invalid: [
    { log: 'shared:cases/seed-001-rmmod-bh-leak-aiee/input.txt', why: 'a BH-disabled sleep (its own rule explains it)' },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'a BH-disabled sleep, then a count driven below zero (other rules explain both)' },
    { log: 'test/fixtures/qemu/bhleak.log', why: 'a BH leak on the return-to-user path (its own rule explains it)' },
    { log: 'shared:cases/realworld/027-sleeping-function-in-vfio-map-ioctl/input.txt', why: 'a might_sleep() report, not a scheduling-while-atomic one' },
  ],
});

test('KT-scheduling-while-atomic reads a later report of the same task as the consequence of the first (the reset count one short, a leaked work lock)', async () => {
  for (const [log, first] of [['test/fixtures/qemu/sleepatomic.log', 'KT-scheduling-while-atomic'], ['test/fixtures/qemu/wqleak.log', 'KT-lock-held-leak'], ['test/fixtures/qemu/wqleakpreempt.log', 'KT-lock-held-leak']] as const) {
    const all = await findingsOf(readLog(log) as string, log);
    assert.equal(all[0].rule, first, `${log}: the first finding is ${all[0].rule}`);
    const later = all.filter((f) => f.rule === 'KT-scheduling-while-atomic' && typeof f.facts.consequenceOfLine === 'number');
    assert.equal(later.length, 1, `${log}: one consequence`);
    assert.equal(later[0].culprit, null);
    assert.ok(later[0].confidence < all[0].confidence);
  }
});
