// KT-exit-in-interrupt on real logs: "Aiee, killing interrupt handler!" from the exit of a task that leaked a softirq count.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { panicExitInInterrupt } from '../../src/rules/lifecycle/panic-exit-in-interrupt';

ruleCases({
  rule: panicExitInInterrupt,
  valid: [
    { log: 'shared:cases/seed-000-bh-leak-error-path/input.txt', why: 'a crash bt of panic() called by do_exit() after the task returned to user space with BH disabled', class: 'lock-imbalance', culprit: null },
    { log: 'shared:cases/seed-001-rmmod-bh-leak-aiee/input.txt', why: 'rmmod exiting with the count its module exit path leaked', class: 'lock-imbalance', culprit: null },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/timerleak.log', why: 'an oops in a timer softirq that panics with "Fatal exception in interrupt"' },
    { log: 'test/fixtures/qemu/kthstop.log', why: 'a BH-disabled sleep whose task exits normally' },
    { log: 'test/fixtures/qemu/kthleak.log', why: 'a fault in a kthread of an unloaded module (Fatal exception)' },
    { log: 'test/fixtures/qemu/initexit.log', why: 'PID 1 exiting (a different panic from do_exit)' },
  ],
});

test('KT-exit-in-interrupt infers the panic message from a crash bt and links it to the earlier report of the same task', async () => {
  const text = readLog('shared:cases/seed-000-bh-leak-error-path/input.txt');
  if (!text) return;
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-exit-in-interrupt');
  assert.ok(f);
  assert.equal(f.facts.panicIsInferred, true);
  assert.equal(f.facts.afterOops, false);
  assert.match(f.nextSteps[0], /scheduling while atomic/);
});
