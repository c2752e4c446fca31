// KT-bh-leak-return-to-user on real logs: a task back in user space with bottom halves still disabled.

import { ruleCases } from '../support/rule-cases';
import { bhLeakReturnToUser } from '../../src/rules/locking/bh-leak-return-to-user';

ruleCases({
  rule: bhLeakReturnToUser,
  valid: [
    { log: 'shared:cases/seed-000-bh-leak-error-path/input.txt', why: 'two leaked spin_lock_bh() on the way back to user space, the Aiee panic inferred', class: 'lock-imbalance', culprit: null, module: null, first: true },
    { log: 'test/fixtures/qemu/bhleak.log', why: 'a write handler\'s error path that unlocks a _bh lock with spin_unlock(), named by the module\'s last message', class: 'lock-imbalance', module: 'bhleak', first: true },
    { log: 'corpus:report/366', why: 'a syscall that left BH disabled with no lock held', class: 'lock-imbalance', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/kthstop.log', why: 'a module exit that sleeps with BH disabled (not on the way to user space)' },
    { log: 'shared:cases/seed-001-rmmod-bh-leak-aiee/input.txt', why: 'a sleep in kthread_stop with BH disabled in a module exit path' },
    { log: 'corpus:report/642', why: 'a preempt count, not a BH count, leaked to user space' },
  ],
});
