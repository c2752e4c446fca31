// KT-hard-lockup on real logs: a CPU with interrupts off past the NMI watchdog, blamed on the owner of the loop, not the sampled RIP.

import { ruleCases } from '../support/rule-cases';
import { hardLockup } from '../../src/rules/lockups/hard-lockup';

ruleCases({
  rule: hardLockup,
  valid: [
    { log: 'shared:cases/realworld/001-hard-lockup-during-hibernate/input.txt', why: 'a watchdog line with no panic after it: the page loop above the bitmap helpers at RIP, interrupts off', class: 'other', culprit: 'mark_free_pages', module: null, first: true },
    { log: 'shared:cases/realworld/002-hard-lockup-pcie-hotplug-removal/input.txt', why: 'the watchdog line and the hardlockup_panic after it as one lockup: the wait loop sampled at RIP', class: 'other', culprit: ['qi_submit_sync', 'qi_flush_dev_iotlb'], first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup (interrupts on)' },
    { log: 'test/fixtures/qemu/irqoff.log', why: 'an interrupts-off CPU on a machine without an NMI watchdog: only the soft lockup of the CPU waiting for it is reported' },
    { log: 'test/fixtures/qemu/nmibt.log', why: 'a soft lockup with NMI backtraces of every CPU' },
    { log: 'shared:cases/seed-002-hard-lockup-timer-after-unload/input.txt', why: 'a hard lockup that is the symptom of a fault in a timer dispatcher (the dangling-callback rule explains it)' },
    { log: 'shared:cases/realworld/021-rcu-stall-during-coredump/input.txt', why: 'an RCU stall' },
  ],
});
