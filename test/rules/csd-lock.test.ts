// KT-csd-lock-unresponsive on real logs: a CPU that does not answer a cross-CPU call.

import { ruleCases } from '../support/rule-cases';
import { csdLock } from '../../src/rules/lockups/csd-lock';

ruleCases({
  rule: csdLock,
  valid: [],
  invalid: [
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup without any CSD-lock message' },
    { log: 'corpus:report/288', why: 'a soft lockup in smp_call_function without CONFIG_CSD_LOCK_WAIT_DEBUG' },
  ],
});
