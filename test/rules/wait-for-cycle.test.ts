// KT-wait-for-cycle on real logs and crash sessions: contexts that wait for each other in a ring.

import { ruleCases } from '../support/rule-cases';
import { waitForCycle } from '../../src/rules/locking/wait-for-cycle';

ruleCases({
  rule: waitForCycle,
  valid: [
    { log: 'test/fixtures/dumps/spinabba/console.log', why: 'two CPUs spin on each other\'s spinlock, each still holding the other in a register', class: 'deadlock-abba', module: 'spinabba', first: true },
    { log: 'test/fixtures/dumps/spinabba/session.txt', why: 'the same dump as a crash session', class: 'deadlock-abba', module: 'spinabba', first: true },
    { log: 'test/fixtures/dumps/hungabba/session.txt', why: 'two kthreads sleep on each other\'s mutex: wait lists and owner fields', class: 'deadlock-abba', culprit: ['hungabba_update_stats', 'hungabba_reset_hw'], module: 'hungabba', first: true },
    { log: 'test/fixtures/qemu-debug/hunglocks.log', why: 'a writer waits for its work with the mutex the work needs held (lockdep names the holder)', class: 'deadlock-abba', culprit: 'hungflush_ctl_write', module: 'hungflush', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/hungabba.log', why: 'two blocked tasks and nothing that says who holds what' },
    { log: 'shared:cases/seed-003-softlockup-spin-unlock-irq-nested/input.txt', why: 'an AA self-deadlock on one CPU, not a ring' },
    { log: 'test/fixtures/dumps/irqaa/session.txt', why: 'an interrupt spinning on its own CPU\'s lock' },
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a busy loop with preemption disabled' },
  ],
});
