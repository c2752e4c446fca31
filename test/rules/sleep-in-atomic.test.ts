// KT-sleep-in-atomic on real logs: might_sleep() in atomic context, blamed on what made it atomic, else on the caller that slept.

import { ruleCases } from '../support/rule-cases';
import { sleepInAtomic } from '../../src/rules/sleeping/sleep-in-atomic';

ruleCases({
  rule: sleepInAtomic,
  valid: [
    { log: 'shared:cases/realworld/027-sleeping-function-in-vfio-map-ioctl/input.txt', why: 'a page allocation under a spinlock with interrupts off, in an ioctl', class: 'sleep-in-atomic', first: true },
    { log: 'test/fixtures/qemu-debug/sleepinvalid.log', why: 'mutex_lock() in a timer callback under its spin_lock_irqsave(): the held-lock list names the callback (the lockdep wait-context report of the same call may rank first)', class: 'sleep-in-atomic', culprit: 'sleepinv_stats_timer_fn', module: 'sleepinvalid' },
    { log: 'test/fixtures/qemu-debug/wqleaklocks.log', why: 'a might_sleep() in the worker after a work item leaked its lock: a consequence of that report', class: 'lock-imbalance', culprit: null },
    { log: 'corpus:report/628', why: 'the held-lock list names the spinlock and the function that took it', class: 'sleep-in-atomic', culprit: 'n_tty_ioctl_helper', first: true },
    { log: 'corpus:report/608', why: 'no attribution printed: the first function of its own above the allocator', class: 'sleep-in-atomic', culprit: 'nfnetlink_rcv', first: true },
    { log: 'shared:cases/realworld/026-powerpc-oops-in-memory-scanner-thread/input.txt', why: 'a might_sleep() printed by the exit path of a task that oopsed: a consequence, blamed on nothing of its own', class: 'other', culprit: null },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/sleepatomic.log', why: 'scheduling while atomic on a kernel without DEBUG_ATOMIC_SLEEP' },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'scheduling while atomic, not might_sleep()' },
    { log: 'shared:cases/seed-001-rmmod-bh-leak-aiee/input.txt', why: 'scheduling while atomic from a module exit path' },
  ],
});
