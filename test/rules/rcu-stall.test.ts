// KT-rcu-stall on real logs: the stalled CPU's own stack, and a starved grace-period kthread as a cause of its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { rcuStall } from '../../src/rules/lockups/rcu-stall';

ruleCases({
  rule: rcuStall,
  valid: [
    { log: 'shared:cases/realworld/021-rcu-stall-during-coredump/input.txt', why: 'a self-detected stall in a retry loop under rcu_read_lock()', class: 'other', culprit: 'get_mem_cgroup_from_mm', first: true },
    { log: 'shared:cases/realworld/022-s390-rcu-stall-vm-teardown/input.txt', why: 'an expedited stall and a self-detected one of the same CPU: a busy-wait in a module', class: 'other', culprit: 'kvm_s390_gisa_destroy', module: 'kvm', first: true },
    { log: 'test/fixtures/qemu/rcustall.log', why: 'two self-detected reports of one stall of a kthread loop with preemption off', class: 'other', culprit: 'rcustall_scan_table', module: 'rcustall', first: true },
    { log: 'corpus:report/270', why: 'the stalled stack after the timer interrupt, not the stall-reporting frames above it', class: 'other', culprit: 'mousedev_write', first: true },
    { log: 'corpus:report/488', why: 'a stall in a timer callback: the random-number leaf at RIP is skipped', class: 'other', culprit: 'garp_join_timer_arm', first: true },
    { log: 'corpus:report/292', why: 'every CPU reported but the kthread did not run, and its CPU waits for an IPI: no culprit on the waiting CPU', class: 'other', culprit: null, first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup' },
    { log: 'test/fixtures/qemu/softrepeat.log', why: 'repeated soft lockups with RCU stall warnings suppressed' },
    { log: 'shared:cases/realworld/001-hard-lockup-during-hibernate/input.txt', why: 'a hard lockup' },
    { log: 'corpus:report/432', why: 'a task hung in synchronize_rcu (a wait, not a stall)' },
  ],
});

test('KT-rcu-stall never blames the grace-period kthread\'s own stack, and says when the kthread starved on another CPU', async () => {
  const text = readLog('corpus:report/268');
  if (!text) return;
  const mine = (await findingsOf(text)).filter((f) => f.rule === 'KT-rcu-stall');
  assert.ok(mine.every((f) => !/^rcu_gp_/.test(f.culprit?.function ?? '')), mine.map((f) => f.culprit?.function).join(', '));
  const starved = mine.find((f) => f.facts.kthreadStarved === true && f.facts.kthreadCpu === 0);
  assert.ok(starved, 'the starved kthread is its own finding');
  const stalled = mine.find((f) => f !== starved);
  assert.equal(stalled?.culprit?.function, 'kvm_mmu_page_fault');
});

test('KT-rcu-stall blames what ran where the starved kthread last ran ("All QSes seen")', async () => {
  const text = readLog('corpus:report/718');
  if (!text) return;
  const mine = (await findingsOf(text)).filter((f) => f.rule === 'KT-rcu-stall');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].facts.allQsSeen, true);
  assert.equal(mine[0].facts.kthreadCpu, 0);
  assert.ok(mine[0].culprit?.function, 'the hog of CPU 0 is named');
});

test('KT-rcu-stall: a stall reported twice is one finding that explains both reports', async () => {
  const all = await findingsOf(readLog('test/fixtures/qemu/rcustall.log') as string);
  const mine = all.filter((f) => f.rule === 'KT-rcu-stall');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].facts.reports, 2);
  assert.ok(!all.some((f) => f.rule === 'KT-unexplained-report'), all.map((f) => f.rule).join(', '));
});
