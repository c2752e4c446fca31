// KT-rcu-reader-preempted on real dumps: a task preempted inside rcu_read_lock() holds the grace period up; what keeps its CPU is the cause.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { rcuReaderPreempted } from '../../src/rules/lockups/rcu-reader-preempted';
import { analyzeText } from '../../src/analyze/analyze';
import { buildMachine } from '../../src/machine';

ruleCases({
  rule: rcuReaderPreempted,
  valid: [
    { log: 'test/fixtures/dumps/rcuprio/session.txt', why: 'a reader preempted on CPU 1 by a SCHED_FIFO busy poll that never sleeps: the poll loop is the culprit', class: 'other', culprit: 'rcuprio_poll_hw', module: 'rcuprio', first: true },
    { log: 'test/fixtures/dumps/rcuprio/console.log', why: 'the same stall from the console alone: the reader, runnable, and where it was preempted', class: 'other', culprit: 'rcuprio_sum_flows', module: 'rcuprio', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/dumps/rcusync/console.log', why: 'a reader that busy-waits on its CPU: a stalled CPU, not a preempted task' },
    { log: 'test/fixtures/dumps/rcustall/console.log', why: 'a self-detected CPU stall' },
    { log: 'corpus:report/612', why: 'a task blocked on the rcu_node while the grace-period kthread starves: the starvation explains the stall' },
  ],
});

test('the stall report of a preempted reader is not also an unexplained stall', async () => {
  const all = await findingsOf(readLog('test/fixtures/dumps/rcuprio/console.log') as string);
  assert.ok(!all.some((f) => f.rule === 'KT-rcu-stall'), all.map((f) => `${f.rule}: ${f.summary}`).join('\n'));
});

test('an RCU-blocked task is named by where it was preempted, below the preemption path (syzkaller corpus)', async (t) => {
  const text = readLog('corpus:report/612');
  if (text === null) return t.skip('corpus absent');
  const m = buildMachine(await analyzeText('612', text));
  const b = m.rcuBlockers.find((x) => x.kind === 'task' && x.pid === 9);
  assert.equal(b?.code?.function, 'batadv_iv_ogm_schedule_buff');
  assert.equal(b?.detail, 'P9/1:b..l');
});
