// KT-unloaded-module-access on real logs: code or data of a module that is gone.

import { ruleCases } from '../support/rule-cases';
import { unloadedModuleAccess } from '../../src/rules/lifecycle/unloaded-module-access';

ruleCases({
  rule: unloadedModuleAccess,
  valid: [
    { log: 'shared:cases/realworld/014-page-fault-in-workqueue-after-module-reload/input.txt', why: 'an instruction fetch at a bare module address from a work item, the module named by the modprobe -r line', class: 'dangling-callback-after-unload', module: 'cxl_pmem', first: true },
    { log: 'shared:cases/realworld/016-page-fault-ptp-kworker-after-driver-unload/input.txt', why: 'core code reading a not-present module address', class: 'dangling-callback-after-unload', module: null, first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read inside a loaded module' },
    { log: 'test/fixtures/qemu/timerleak.log', why: 'a timer dispatcher faulting on a module timer (the dangling-callback rule explains it)' },
    { log: 'shared:cases/realworld/017-write-fault-during-pci-probe/input.txt', why: 'a write to a present read-only page of a loaded module' },
  ],
});
