// KT-unexplained-report on real logs: a starting point for every report no specific rule explains, and silence otherwise.

import { ruleCases } from '../support/rule-cases';
import { unexplainedReport } from '../../src/rules';

ruleCases({
  rule: unexplainedReport,
  valid: [
    { log: 'corpus:report/52', why: 'a kmemleak report (the type implies resource exhaustion)', class: 'resource-exhaustion' },
    { log: 'corpus:report/78', why: 'a "spinlock bad magic" report no rule reads in detail', class: 'other', culprit: 'tcp_nuke_addr' },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a report the NULL-dereference rule explains' },
    { log: 'shared:cases/realworld/033-mce-panic-after-netdev-watchdog-el5/input.txt', why: 'two machine-check reports one hardware finding quotes' },
  ],
});
