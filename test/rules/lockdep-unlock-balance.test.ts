// KT-lockdep-unlock-balance on real logs: a lock released by a task that does not hold it, blamed on the printed release site.

import { ruleCases } from '../support/rule-cases';
import { lockdepUnlockBalance } from '../../src/rules/locking/lockdep-unlock-balance';

ruleCases({
  rule: lockdepUnlockBalance,
  valid: [
    { log: 'corpus:report/156', why: 'mrt_lock released by a seq_file stop handler, the site on the line after "at:"', class: 'lock-imbalance', culprit: 'ipmr_mfc_seq_stop', module: null, first: true },
    { log: 'corpus:report/530', why: 'mmap_lock released on an arm64 signal-return path', class: 'lock-imbalance', culprit: 'restore_fpsimd_context' },
    { log: 'corpus:report/102', why: 'a report cut before the lock is named', class: 'lock-imbalance', culprit: null },
    { log: 'test/fixtures/qemu-debug/badunlock.log', why: 'a firmware-error path that unlocks a mutex an abort helper already unlocked', class: 'lock-imbalance', culprit: 'badunl_ctl_write', module: 'badunlock', first: true },
  ],
  invalid: [
    { log: 'corpus:report/150', why: 'a held lock freed' },
    { log: 'corpus:report/234', why: 'recursive locking' },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'a preempt count underflow without lockdep' },
    { log: 'test/fixtures/qemu-debug/heldfreed.log', why: 'a held lock freed by a driver' },
  ],
});
