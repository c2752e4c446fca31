// KT-kfence on real logs: the sampled guard-page allocator's reports.

import { ruleCases } from '../support/rule-cases';
import { kfenceReport } from '../../src/rules/memory/kfence';

ruleCases({
  rule: kfenceReport,
  valid: [
    { log: 'corpus:report/590', why: 'a use-after-free read', class: 'use-after-free', culprit: 'find_uprobe', first: true },
    { log: 'corpus:report/592', why: 'an out-of-bounds write onto the guard page', class: 'memory-corruption', culprit: 'test_out_of_bounds_write', first: true },
    { log: 'corpus:report/594', why: 'an invalid (double) free', class: 'use-after-free', culprit: 'test_double_free', first: true },
    { log: 'corpus:report/596', why: 'bytes past an object found corrupted when it was freed', class: 'memory-corruption', culprit: 'test_corruption', first: true },
  ],
  invalid: [
    { log: 'corpus:report/130', why: 'a KASAN use-after-free report' },
    { log: 'test/fixtures/qemu/slabuaf.log', why: 'a GPF on slab poison' },
  ],
});
