// KT-csd-lock-unresponsive on real logs: a CPU that does not answer a cross-CPU call, blamed on what it runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { csdLock } from '../../src/rules/lockups/csd-lock';

ruleCases({
  rule: csdLock,
  valid: [
    { log: 'test/fixtures/qemu-debug/csdlock.log', why: 'a TLB-flush IPI to a CPU waiting for hardware with interrupts off: the loop in its NMI backtraces, not the waiting CPU', class: 'other', culprit: 'csd_hw_wait_fifo', module: 'csdlock', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/irqoff.log', why: 'the same irqs-off CPU without csdlock_debug: only a soft lockup of the waiting CPU' },
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup without any CSD-lock message' },
    { log: 'corpus:report/288', why: 'a soft lockup in smp_call_function without CONFIG_CSD_LOCK_WAIT_DEBUG' },
  ],
});

test('KT-csd-lock-unresponsive reads the detected and continued messages as one wait, with the target and waiting CPUs and the answer at the end', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu-debug/csdlock.log') as string)).find((x) => x.rule === 'KT-csd-lock-unresponsive');
  assert.ok(f);
  assert.equal(f.facts.targetCpu, 1);
  assert.equal(f.facts.waitingCpu, 0);
  assert.equal(f.facts.reports, 2);
  assert.equal(f.facts.unstuck, true);
  assert.ok(!/cond_resched/.test(f.nextSteps.join('\n')), 'no cond_resched() advice for an interrupts-off wait');
});
