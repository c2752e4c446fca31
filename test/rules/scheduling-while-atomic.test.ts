// KT-scheduling-while-atomic on real logs: schedule() with a held or leaked count, from softirq context, or left by an earlier report.

import { ruleCases } from '../support/rule-cases';
import { schedulingWhileAtomic } from '../../src/rules/sleeping/scheduling-while-atomic';

ruleCases({
  rule: schedulingWhileAtomic,
  valid: [
    { log: 'shared:cases/realworld/013-arm-scheduling-while-atomic-spi-thread/input.txt', why: 'spi_sync() under a spinlock from a kernel thread: the thread function entered by kthread() is blamed', class: 'sleep-in-atomic', culprit: 'spi_touch_thread', module: 'spidev', first: true },
    { log: 'corpus:report/642', why: 'a count on the return-to-user path, with "Preemption disabled at:" naming the function that left it', class: 'lock-imbalance', culprit: 'kernel_fpu_begin_mask', first: true },
    { log: 'corpus:report/644', why: 'a sleep from an RCU callback in softirq context', class: 'sleep-in-atomic', culprit: '__blkg_release', first: true },
  ],
  invalid: [
    { log: 'shared:cases/seed-001-rmmod-bh-leak-aiee/input.txt', why: 'a BH-disabled sleep (its own rule explains it)' },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'a BH-disabled sleep, then a count driven below zero (other rules explain both)' },
    { log: 'test/fixtures/qemu/bhleak.log', why: 'a BH leak on the return-to-user path (its own rule explains it)' },
    { log: 'shared:cases/realworld/027-sleeping-function-in-vfio-map-ioctl/input.txt', why: 'a might_sleep() report, not a scheduling-while-atomic one' },
  ],
});
