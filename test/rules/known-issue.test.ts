// KT-known-issue on real logs: a crash that matches a known bug, inside its kernel range only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { knownIssue } from '../../src/rules/known-issues/known-issue';

const SEED = 'shared:cases/seed-004-stack-overflow-thread-info/input.txt';

ruleCases({
  rule: knownIssue,
  valid: [{ log: SEED, why: 'the RHEL 6 XFS stack overflow, dated from the log when the release is not printed', class: 'stack-overflow', culprit: null }],
  invalid: [
    { log: 'test/fixtures/qemu/recurse.log', why: 'a stack overflow on a 6.1 kernel without XFS' },
    { log: 'shared:cases/realworld/032-zfs-warning-xfs-writepage-file-vdev/input.txt', why: 'XFS frames without any sign of stack corruption' },
  ],
});

test('the era sentence is a finished sentence and the fix is given', { skip: readLog(SEED) === null }, async () => {
  const f = (await findingsOf(readLog(SEED) as string)).find((x) => x.rule === knownIssue.meta.id);
  assert.ok(f);
  assert.match(f.explanation, /The release is not printed; the log dates the kernel to 2\.6/);
  assert.match(f.explanation, /2\.6\.32-520\.el6/);
  assert.match(f.nextSteps[0], /Upgrade/);
});
