// KT-ipi-wait-blocked on real crash bt -a listings pasted alone: a CPU waits for a cross-CPU call another CPU cannot answer.

import { ruleCases } from '../support/rule-cases';
import { ipiWaitBlocked } from '../../src/rules/lockups/ipi-wait-blocked';

ruleCases({
  rule: ipiWaitBlocked,
  valid: [
    { log: 'test/fixtures/dumps/csdlock/bt-a.txt', why: 'CPU 0 in smp_call_function_many_cond() and CPU 1 looping with interrupts off in a driver\'s hardware wait', class: 'other', culprit: 'csd_hw_wait_fifo', module: 'csdlock', first: true },
    { log: 'test/fixtures/dumps/irqnest/bt-a.txt', why: 'the CPU it waits for spins on a lock its interrupted task holds: the holder is the culprit, the class AA', class: 'deadlock-aa', culprit: 'irqnest_reconfigure', module: 'irqnest' },
    { log: 'test/fixtures/dumps/ipilock/bt-a.txt', why: 'the waiting CPU holds the lock its target spins on: a ring across the lock and the IPI', class: 'deadlock-abba', culprit: 'ipilock_reconfigure', module: 'ipilock', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/dumps/csdlock/console.log', why: 'a console with reports: the lockup rules say it' },
    { log: 'test/fixtures/dumps/spinabba/bt-a.txt', why: 'two CPUs spinning on each other\'s locks, no cross-CPU call' },
    { log: 'test/fixtures/dumps/hungabba/bt-a.txt', why: 'idle CPUs' },
  ],
});
