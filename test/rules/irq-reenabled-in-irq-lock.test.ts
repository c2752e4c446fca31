// KT-irq-reenabled-in-irq-lock on real logs: interrupted with IF set inside a spin_lock_irq region whose lock the interrupt path wants.

import { ruleCases } from '../support/rule-cases';
import { irqReenabledInIrqLock } from '../../src/rules/locking/irq-reenabled-in-irq-lock';

ruleCases({
  rule: irqReenabledInIrqLock,
  valid: [
    { log: 'shared:cases/seed-003-softlockup-spin-unlock-irq-nested/input.txt', why: 'bfq\'s merge path interrupted with IF set while three CPUs spin on its lock', class: 'irq-state-corruption', culprit: 'bfq_bio_merge', module: 'bfq', first: true },
  ],
  invalid: [
    { log: 'shared:cases/seed-002-hard-lockup-timer-after-unload/input.txt', why: 'a nested self-deadlock on the timer base lock through a fault' },
    { log: 'shared:cases/realworld/005-spinlock-recursion-in-tcp-softirq/input.txt', why: 'a spinlock recursion in softirq' },
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a busy loop with preemption disabled' },
  ],
});
