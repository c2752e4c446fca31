// KT-self-deadlock-nested-context on real logs: a nested context spins on a lock an outer context of the same CPU holds.

import { ruleCases } from '../support/rule-cases';
import { selfDeadlockNested } from '../../src/rules/locking/self-deadlock-nested';

ruleCases({
  rule: selfDeadlockNested,
  valid: [
    { log: 'shared:cases/seed-002-hard-lockup-timer-after-unload/input.txt', why: 'the oops printk\'s cursor timer spinning on the timer base lock run_timer_softirq holds', class: 'deadlock-aa', culprit: null },
  ],
  invalid: [
    { log: 'shared:cases/seed-003-softlockup-spin-unlock-irq-nested/input.txt', why: 'a lock region with interrupts re-enabled (a different nesting)' },
    { log: 'test/fixtures/qemu/timerleak.log', why: 'a timer fault that does not deadlock' },
    { log: 'shared:cases/realworld/003-arm64-spinlock-recursion-hugetlb-mmap/input.txt', why: 'a spinlock recursion the debug check reports' },
  ],
});
