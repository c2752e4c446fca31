// KT-lockdep-held-lock-freed on real logs: memory freed with a lock inside it still held, blamed on the site that took the lock.

import { ruleCases } from '../support/rule-cases';
import { lockdepHeldLockFreed } from '../../src/rules/locking/lockdep-held-lock-freed';

ruleCases({
  rule: lockdepHeldLockFreed,
  valid: [
    { log: 'corpus:report/38', why: 'a cloned socket freed on an error path with its slock held', class: 'use-after-free', culprit: 'sk_clone_lock', module: null, first: true },
    { log: 'corpus:report/150', why: 'an SCTP socket freed while sendmsg sleeps with its lock', class: 'use-after-free', culprit: 'sctp_wait_for_sndbuf' },
    { log: 'corpus:report/396', why: 'a NET/ROM socket released with its lock held', class: 'use-after-free', culprit: 'nr_release' },
    { log: 'test/fixtures/qemu-debug/heldfreed.log', why: 'a session freed by its last put with its mutex still held', class: 'use-after-free', culprit: 'heldf_session_put', module: 'heldfreed', first: true },
  ],
  invalid: [
    { log: 'corpus:report/156', why: 'a bad unlock balance' },
    { log: 'corpus:report/666', why: 'an inconsistent lock state' },
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL dereference' },
    { log: 'test/fixtures/qemu-debug/badunlock.log', why: 'a bad unlock balance of a driver' },
  ],
});
