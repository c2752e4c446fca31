// KT-bh-disabled-sleep on real logs: a sleeping call made with bottom halves disabled, leaked or held across the sleep.

import { ruleCases } from '../support/rule-cases';
import { bhDisabledSleep } from '../../src/rules/sleeping/bh-disabled-sleep';

ruleCases({
  rule: bhDisabledSleep,
  valid: [
    { log: 'shared:cases/seed-001-rmmod-bh-leak-aiee/input.txt', why: 'kthread_stop() from a module exit path with a _bh lock never released (do_exit then panicked)', class: 'lock-imbalance', culprit: 'TestMode_ServerExit', module: 'testmod', first: true },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'kthread_stop() with a _bh lock held across it and released after (balanced)', class: 'sleep-in-atomic', culprit: 'kthstop_server_exit', module: 'kthstop', first: true },
  ],
  invalid: [
    { log: 'shared:cases/seed-000-bh-leak-error-path/input.txt', why: 'a BH count leaked to the return-to-user path, with no sleeping call on the stack' },
    { log: 'test/fixtures/qemu/bhleak.log', why: 'a BH count found by the exit path of a task, not by a sleeping call' },
    { log: 'test/fixtures/qemu/sleepatomic.log', why: 'a sleep under a plain spin_lock() (no BH part in the count)' },
    { log: 'corpus:report/642', why: 'a preempt count (no BH) left on the way back to user space' },
  ],
});
