// KT-ubsan on real logs: the undefined operation at a source line, and the class it implies.

import { ruleCases } from '../support/rule-cases';
import { ubsanReport } from '../../src/rules/memory/ubsan';

ruleCases({
  rule: ubsanReport,
  valid: [
    { log: 'corpus:report/40', why: 'a shift out of bounds on an old kernel (the check named on the next line)', class: 'other', culprit: 'proc_do_submiturb', first: true },
    { log: 'corpus:report/520', why: 'an array index out of bounds as memory corruption', class: 'memory-corruption', culprit: 'arch_uprobe_analyze_insn', first: true },
    { log: 'corpus:report/456', why: 'a shift exponent too large in a file-system mount', class: 'other', culprit: 'f2fs_fill_super', first: true },
  ],
  invalid: [
    { log: 'corpus:report/44', why: 'a kernel BUG' },
    { log: 'corpus:report/130', why: 'a KASAN report' },
  ],
});
