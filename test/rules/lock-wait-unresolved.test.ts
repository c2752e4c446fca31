// KT-lock-wait-unresolved on real crash listings pasted alone: lock waits whose holder the paste does not show.

import { ruleCases } from '../support/rule-cases';
import { lockWaitUnresolved } from '../../src/rules/locking/lock-wait-unresolved';

ruleCases({
  rule: lockWaitUnresolved,
  valid: [
    { log: 'test/fixtures/dumps/irqaa/bt-a.txt', why: 'a hard-irq hrtimer spins with interrupts off; crash could not unwind the task it interrupted', class: 'deadlock-aa', culprit: 'irqaa_poll_timer_fn', module: 'irqaa', first: true },
    { log: 'test/fixtures/dumps/hungabba/foreach-UN-bt.txt', why: 'two blocked tasks in __mutex_lock, no owner printed', class: 'deadlock-abba', module: 'hungabba', first: true },
    { log: 'test/fixtures/dumps/mutexring/foreach-UN-bt.txt', why: 'three blocked tasks in __mutex_lock, no owner printed', class: 'deadlock-abba', module: 'mutexring', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/dumps/spinabba/bt-a.txt', why: 'the registers show who holds each lock: a ring, not an unresolved wait' },
    { log: 'test/fixtures/dumps/hungabba/session.txt', why: 'the session has reports, and the owner fields' },
    { log: 'test/fixtures/qemu/hungabba.log', why: 'hung-task reports: KT-hung-task explains them' },
  ],
});
