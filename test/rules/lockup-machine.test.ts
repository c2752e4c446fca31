// The lockup and stall rules read the machine model: a spinner's culprit is the lock's holder, an IPI waiter's is the CPU it waits for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { softLockup } from '../../src/rules/lockups/soft-lockup';
import { rcuStall } from '../../src/rules/lockups/rcu-stall';
import { parseFrame } from '../../src/parse/frames';

ruleCases({
  rule: softLockup,
  valid: [
    { log: 'test/fixtures/dumps/csdlock/console.log', why: 'a CPU in smp_call_function_many_cond() waiting for a CPU that loops with interrupts off: the culprit is that loop', class: 'other', culprit: 'csd_hw_wait_fifo', module: 'csdlock' },
    { log: 'test/fixtures/dumps/irqaa/console.log', why: 'an IPI waiter whose target spins on a lock its own interrupted task holds: the culprit is the holder', class: 'deadlock-aa', culprit: 'irqaa_fold_stats', module: 'irqaa' },
    { log: 'test/fixtures/dumps/spinabba/console.log', why: 'a spinner whose lock another CPU holds (its address in that CPU\'s registers): the culprit is the holder', class: 'deadlock-abba', culprit: 'spinabba_tx_clean', module: 'spinabba' },
    { log: 'test/fixtures/dumps/ipilock/console.log', why: 'a CPU waiting in smp_call_function_single() with the lock held that its target spins on with interrupts off: a deadlock across the lock and the IPI, the culprit the holder', class: 'deadlock-abba', culprit: 'ipilock_reconfigure', module: 'ipilock', first: true },
    { log: 'test/fixtures/dumps/ipilock/session.txt', why: 'the same dump as a crash session (a stale delay_tsc word on top of the holder\'s stack is not its code)', class: 'deadlock-abba', culprit: 'ipilock_reconfigure', module: 'ipilock', first: true },
    { log: 'test/fixtures/qemu/nmibt.log', why: 'a spinner whose holder, on the other CPU, waits for nothing but its hardware with the lock held: a long hold, not a deadlock', class: 'other', culprit: 'nmibt_reset_hw', module: 'nmibt' },
  ],
  invalid: [{ log: 'test/fixtures/dumps/rcustall/console.log', why: 'an RCU stall with no soft lockup' }],
});

test('a soft lockup waiting for an IPI names the CPU that does not answer, and what it runs', async () => {
  const all = await findingsOf(readLog('test/fixtures/dumps/csdlock/console.log') as string);
  const f = all.find((x) => x.rule === 'KT-soft-lockup');
  assert.ok(f);
  assert.match(f.summary, /waits for CPU 1 .*csd_hw_wait_fifo/);
  assert.deepEqual(f.facts.waitsForCpus, [1]);
  assert.ok(f.evidence.some((e) => /CPU 1: the CPU the cross-CPU call waits for/.test(e.note)), 'the blocking CPU\'s stack is quoted');
});

test('a spinning soft lockup names the lock\'s holder from the model, not the spinner', async () => {
  const all = await findingsOf(readLog('test/fixtures/dumps/spinabba/console.log') as string);
  const f = all.find((x) => x.rule === 'KT-soft-lockup');
  assert.ok(f);
  assert.match(f.summary, /spinabba_rx_poll .* spins .* that spinabba_tx_clean \[spinabba\] holds/);
  assert.equal(f.facts.lockHolder, 'spinabba_tx_clean');
  assert.ok(f.explanation.includes('lock\'s address is in its registers'), f.explanation);
});

test('an RCU stall of a looping CPU says who waits for it', async () => {
  const all = await findingsOf(readLog('test/fixtures/dumps/csdlock/console.log') as string);
  const f = all.find((x) => x.rule === rcuStall.meta.id);
  assert.ok(f);
  assert.match(f.explanation, /CPU 0 \(insmod\) waits in smp_call_function_many_cond\(\) for it/);
});

test('a frame %pS printed as a bare address keeps the trace going', () => {
  const f = parseFrame(' ? 0xffffffffc03b4000', 7);
  assert.ok(f);
  assert.equal(f.address, 'ffffffffc03b4000');
  assert.equal(f.reliable, false);
  assert.equal(parseFrame(' 0x1234', 7), null, 'a small number is not a kernel address');
});
