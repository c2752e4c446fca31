// KT-killed-init on real logs: PID 1 or an idle task exited, and what made it exit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { killedInit } from '../../src/rules/lifecycle/kill-init';

ruleCases({
  rule: killedInit,
  valid: [
    { log: 'test/fixtures/qemu/initexit.log', why: 'PID 1 exiting with status 3, no report before it', class: 'other', culprit: null, first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'an oops of insmod, not of init' },
    { log: 'test/fixtures/qemu/recurse.log', why: 'a stack overflow of insmod' },
    { log: 'shared:cases/seed-000-bh-leak-error-path/input.txt', why: 'a user task panicking in do_exit' },
  ],
});

test('KT-killed-init reads the exit code as an exit status and points at the initramfs, not at an earlier report', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/initexit.log') as string)).find((x) => x.rule === 'KT-killed-init');
  assert.ok(f);
  assert.equal(f.facts.exitStatus, 3);
  assert.equal(f.facts.signal, null);
  assert.match(f.nextSteps.join('\n'), /init=\/bin\/sh/);
});
