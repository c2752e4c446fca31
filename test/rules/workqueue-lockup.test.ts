// KT-workqueue-lockup on real logs: a worker pool stuck behind a work function that never sleeps.

import { ruleCases } from '../support/rule-cases';
import { workqueueLockup } from '../../src/rules/lockups/workqueue-lockup';

ruleCases({
  rule: workqueueLockup,
  valid: [
    { log: 'corpus:report/94', why: 'the watchdog line alone: no busy-workqueue listing, so no work function can be named', class: 'other', culprit: null, first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup' },
    { log: 'corpus:report/432', why: 'a kworker hung in synchronize_rcu (a blocked task, not a stuck pool)' },
  ],
});
