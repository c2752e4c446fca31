// KT-irq-unsafe-lock on real dumps: an interrupt spins on a lock the code it interrupted holds with interrupts enabled.

import { ruleCases } from '../support/rule-cases';
import { irqUnsafeLock } from '../../src/rules/locking/irq-unsafe-lock';

ruleCases({
  rule: irqUnsafeLock,
  valid: [
    { log: 'test/fixtures/dumps/irqaa/console.log', why: 'an hrtimer in hard irq spins on the lock its task took with plain spin_lock', class: 'deadlock-aa', culprit: 'irqaa_fold_stats', module: 'irqaa', first: true },
    { log: 'test/fixtures/dumps/irqaa/session.txt', why: 'the same dump as a crash session (crash cut the task stack short: the console\'s whole one is used)', class: 'deadlock-aa', culprit: 'irqaa_fold_stats', module: 'irqaa', first: true },
    { log: 'test/fixtures/dumps/irqnest/console.log', why: 'interrupts on inside a critical section, how the lock was taken not shown: both readings', class: 'deadlock-aa', module: 'irqnest', first: true },
  ],
  invalid: [
    { log: 'shared:cases/seed-003-softlockup-spin-unlock-irq-nested/input.txt', why: 'the lock-domain table says bfq takes its lock with spin_lock_irq: re-enabled, not unsafe' },
    { log: 'test/fixtures/dumps/irqnest/session.txt', why: 'crash\'s dis of the holder shows _raw_spin_lock_irq' },
    { log: 'test/fixtures/dumps/spinabba/console.log', why: 'a cross-CPU ring, no interrupt' },
    { log: 'shared:cases/seed-002-hard-lockup-timer-after-unload/input.txt', why: 'a nested self-deadlock through a fault' },
  ],
});
