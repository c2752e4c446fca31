// The relations of the machine model on real input: who waits for whom across CPUs and tasks, rings of waits, blocked tasks, RCU blockers, csd targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeText } from '../src/analyze/analyze';
import { buildMachine } from '../src/machine';
import { schedTaskLine } from '../src/knowledge/task-states';
import { REPO, SKIP_SHARED, sharedDir } from './support/shared';

const fixture = (...p: string[]): string => join(REPO, 'test', 'fixtures', ...p);

async function machineOf(path: string) {
  const text = readFileSync(path, 'utf8');
  return { m: buildMachine(await analyzeText(path, text)), text };
}

function analyzeJson(path: string): { findings: Array<{ rule: string; rootCauseClass: string; culprit: { function: string | null; module: string | null } | null }>; machine: { cycles: unknown[] } } {
  const r = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'json', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('two CPUs spinning on each other\'s lock: each lock is held by the other CPU, whose registers still point at it, and the ring is one deadlock', async () => {
  const path = fixture('dumps', 'spinabba', 'console.log');
  const { m, text } = await machineOf(path);
  // The module printed its two locks' addresses at load time.
  const printed = /rx_lock at ([0-9a-f]{16}), tx_lock at ([0-9a-f]{16})/.exec(text);
  assert.ok(printed);
  assert.equal(m.cycles.length, 1);
  const ring = m.cycles[0].edges;
  assert.equal(ring.length, 2);
  assert.deepEqual(ring.map((e) => m.locks[e.lock].address).sort(), [printed[1], printed[2]].sort());
  for (const e of ring) {
    const waiter = m.contexts[e.waiter];
    const holder = m.contexts[e.holder];
    assert.notEqual(waiter.cpu, holder.cpu, 'the holder is on the other CPU');
    assert.equal(m.locks[e.lock].kind, 'spinlock');
    const h = m.locks[e.lock].holders.find((x) => x.context === e.holder);
    assert.ok(h?.evidence.includes('same-address'));
    assert.ok(h?.function?.startsWith('spinabba_'));
  }
  const out = analyzeJson(path);
  assert.equal(out.findings[0].rule, 'KT-wait-for-cycle');
  assert.equal(out.findings[0].rootCauseClass, 'deadlock-abba');
  assert.equal(out.findings[0].culprit?.module, 'spinabba');
  assert.equal(out.machine.cycles.length, 1);
});

test('a task waiting for its work item while holding the mutex the work needs: lockdep names the holder, the work is the same module\'s, the waiter is the culprit', async () => {
  const path = fixture('qemu-debug', 'hunglocks.log');
  const { m } = await machineOf(path);
  assert.equal(m.cycles.length, 1);
  const kinds = m.cycles[0].edges.map((e) => m.locks[e.lock].kind).sort();
  assert.deepEqual(kinds, ['completion', 'mutex']);
  const mutex = m.locks.find((l) => l.kind === 'mutex');
  assert.ok(mutex?.address, 'the address comes from the waiting task\'s held-lock list');
  assert.ok(mutex.holders.some((h) => h.evidence.includes('lockdep-held') && h.function === 'hungflush_ctl_write'));
  const blocked = m.tasks.filter((t) => t.state === 'UN').map((t) => t.pid).sort((x, y) => x - y);
  assert.equal(blocked.length, 2);
  const out = analyzeJson(path);
  assert.equal(out.findings[0].rule, 'KT-wait-for-cycle');
  assert.equal(out.findings[0].culprit?.function, 'hungflush_ctl_write');
});

test('two tasks blocked on mutexes with nothing to say who holds them: blocked, but no ring is claimed', async () => {
  const { m } = await machineOf(fixture('qemu', 'hungabba.log'));
  assert.equal(m.cycles.length, 0);
  assert.equal(m.tasks.filter((t) => t.state === 'UN').length, 2);
  assert.ok(m.locks.every((l) => l.kind === 'mutex' && l.holders.length === 0));
});

test('the csd debug message names the CPU that does not answer the IPI', async () => {
  const { m } = await machineOf(fixture('qemu-debug', 'csdlock.log'));
  assert.equal(m.ipiWaits.length, 1);
  assert.equal(m.ipiWaits[0].named, true);
  assert.deepEqual(m.ipiWaits[0].blockedBy, [1]);
});

test('an RCU stall names the CPU that holds the grace period up, and the model says what it runs', async () => {
  const { m } = await machineOf(fixture('qemu', 'rcustall.log'));
  const cpu = m.rcuBlockers.find((r) => r.kind === 'cpu');
  assert.ok(cpu);
  assert.equal(cpu.cpu, 1);
  assert.match(cpu.doing?.en ?? '', /rcustall_scan_table/);
  assert.ok(cpu.lines.length >= 2, 'the stall reported twice is one blocker with both lines');
});

test('sched_show_task lines of every era give the task, its pid and its state', () => {
  assert.deepEqual(schedTaskLine('task:kworker/1:0     state:D stack:29184 pid:20    ppid:2      flags:0x00004000'), { comm: 'kworker/1:0', pid: 20, state: 'UN' });
  assert.deepEqual(schedTaskLine('task:rcu_preempt     state:R  running task     stack:0     pid:15    ppid:2      flags:0x00004000'), { comm: 'rcu_preempt', pid: 15, state: 'RU' });
  assert.deepEqual(schedTaskLine('task:sshd            state:S stack:0     pid:812   tgid:812   ppid:1      flags:0x00000002'), { comm: 'sshd', pid: 812, state: 'IN' });
  assert.deepEqual(schedTaskLine('jbd2/sda1-8     D ffff88003fc13d80     0   412      2 0x00000000'), { comm: 'jbd2/sda1-8', pid: 412, state: 'UN' });
  assert.deepEqual(schedTaskLine('kworker/u4:2    D    0    95      2 0x80000000'), { comm: 'kworker/u4:2', pid: 95, state: 'UN' });
  assert.equal(schedTaskLine(' hungabba_update_stats+0x25/0x40 [hungabba]'), null);
});

test('"Showing busy workqueues": the work items of the last dump, the one in flight with its worker\'s pid', async () => {
  const { m, text } = await machineOf(fixture('qemu-debug', 'wqlockup.log'));
  const flight = m.work.filter((w) => w.state === 'in-flight');
  assert.equal(flight.length, 1);
  assert.equal(flight[0].module, 'wqlockup');
  assert.ok(flight[0].pid !== null && text.includes(`in-flight: ${flight[0].pid}:${flight[0].function}`));
  const dumps = text.split('Showing busy workqueues').length - 1;
  assert.ok(dumps >= 2);
  // Only the last dump's items: none of them is listed twice.
  const keys = m.work.map((w) => `${w.workqueue}:${w.state}:${w.function}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(m.work.every((w) => w.lines[0] > text.split('\n').findIndex((l) => l.includes('Showing busy workqueues'))));
});

test('a self-detected RCU stall pasted without its CPU line: the stack is the stalled CPU\'s, stopped at the RIP printed before it', { skip: SKIP_SHARED }, async () => {
  const dir = readdirSync(join(sharedDir() ?? '', 'cases', 'realworld')).find((d) => d.startsWith('021-'));
  if (!dir) return;
  const path = join(sharedDir() ?? '', 'cases', 'realworld', dir, 'input.txt');
  const { m, text } = await machineOf(path);
  const stalled = /^\s*rcu:\s+(\d+)-\S+: \(\d+ ticks this GP\)/m.exec(text);
  const rip = /RIP: 0010:([A-Za-z_][\w.]*)\+/.exec(text);
  assert.ok(stalled && rip);
  const blocker = m.rcuBlockers.find((r) => r.cpu === Number(stalled[1]));
  assert.ok(blocker);
  assert.equal(blocker.doing?.en, `runs ${rip[1]}()`);
});
