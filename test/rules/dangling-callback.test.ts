// KT-dangling-callback-after-unload on real logs: a callback dispatcher faulting on the memory of an unloaded module.

import { ruleCases } from '../support/rule-cases';
import { danglingCallback } from '../../src/rules/lifecycle/dangling-callback';

ruleCases({
  rule: danglingCallback,
  valid: [
    { log: 'test/fixtures/dumps/wqunload/bt.txt', why: 'a crash bt alone: process_one_work jumped into an address crash cannot name, in the modules area', class: 'dangling-callback-after-unload', first: true },
    { log: 'shared:cases/seed-002-hard-lockup-timer-after-unload/input.txt', why: 'run_timer_softirq faulting on a module address, then an AA deadlock on the timer base lock via printk; no module is named in the log', class: 'dangling-callback-after-unload', culprit: null, module: null, first: true },
    { log: 'test/fixtures/qemu/timerleak.log', why: 'a timer left armed by a module unloaded just before, named by "[last unloaded:]"', class: 'dangling-callback-after-unload', module: 'timerleak', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read inside a loaded module' },
    { log: 'test/fixtures/qemu/kthleak.log', why: 'a kthread never stopped running freed code (the unloaded-module rule explains it, once)' },
    { log: 'test/fixtures/qemu/wqunload.log', why: 'a work item of an unloaded module whose function is a bare address' },
    { log: 'test/fixtures/qemu/hrtunload.log', why: 'an hrtimer callback of an unloaded module fetched as code' },
    { log: 'shared:cases/realworld/014-page-fault-in-workqueue-after-module-reload/input.txt', why: 'a jump into the freed code itself (the unloaded-module rule explains it, once)' },
    { log: 'shared:cases/realworld/016-page-fault-ptp-kworker-after-driver-unload/input.txt', why: 'core code reading a registered object of an unloaded module outside any dispatcher' },
  ],
});
