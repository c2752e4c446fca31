// An input read in batches (a crash foreach bt of thousands of tasks) has one machine model joined from the batches'.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { taskBlocks, writeForeachBt } from '../bench/tasks';
import { REPO } from './support/shared';
import { mergeMachines, type MachineModel } from '../src/machine';
import { analyzeText } from '../src/analyze/analyze';
import { buildMachine } from '../src/machine';
import { readFileSync } from 'node:fs';

test('a foreach bt of 12,000 tasks, read in several batches, keeps every task in the one model', () => {
  const blocks = taskBlocks(join(REPO, 'test', 'fixtures', 'dumps'));
  const dir = mkdtempSync(join(tmpdir(), 'kt-batches-'));
  try {
    const path = join(dir, 'foreach.txt');
    const bytes = writeForeachBt(path, blocks, 12_000);
    assert.ok(bytes > 4 * 1024 * 1024, 'large enough to be streamed and batched');
    const r = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'json', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout).machine as MachineModel;
    const pids = new Set(m.tasks.map((t) => t.pid));
    assert.ok(pids.size >= 11_900, `${pids.size} tasks in the model`);
    // Context ids are the joined model's own: every task's contexts are of that task.
    for (const t of m.tasks.slice(0, 2000)) for (const id of t.contexts) assert.equal(m.contexts[id].pid, t.pid);
    for (const e of m.waitsFor) assert.ok(m.contexts[e.waiter] && m.contexts[e.holder] && m.locks[e.lock]);
    assert.deepEqual(JSON.parse(r.stdout).notes, [], 'every task modelled: nothing to say');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('past the contexts a model keeps, the tasks left out are counted in a note, and the model stays bounded', () => {
  const blocks = taskBlocks(join(REPO, 'test', 'fixtures', 'dumps'));
  const dir = mkdtempSync(join(tmpdir(), 'kt-batches-'));
  try {
    const path = join(dir, 'foreach.txt');
    writeForeachBt(path, blocks, 32_000);
    const r = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'json', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { machine: MachineModel; notes: string[] };
    assert.ok(j.machine.contexts.length <= 25_000, `${j.machine.contexts.length} contexts`);
    const note = j.notes.find((n) => /further task\(s\)/.test(n));
    assert.ok(note, j.notes.join(' | '));
    const left = Number(/of ([\d,]+) further/.exec(note)?.[1].replace(/,/g, ''));
    // The tasks modelled and the tasks counted out are all of them.
    assert.ok(Math.abs(left + new Set(j.machine.tasks.map((t) => t.pid)).size - 32_000) < 200, `${left} left out, ${j.machine.tasks.length} modelled`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('joining a model to itself: CPUs, tasks and locks are one each, the rings are found again over the joined locks', async () => {
  const session = readFileSync(join(REPO, 'test/fixtures/dumps/spinabba/session.txt'), 'utf8');
  const m = buildMachine(await analyzeText('whole', session));
  assert.ok(m.cycles.length > 0 && m.locks.length > 0);
  const j = mergeMachines(m, m);
  assert.equal(j.contexts.length, 2 * m.contexts.length);
  assert.deepEqual(j.cpus.map((c) => [c.cpu, c.pid]), m.cpus.map((c) => [c.cpu, c.pid]));
  assert.equal(j.tasks.length, m.tasks.length);
  assert.deepEqual(j.locks.map((l) => l.address), m.locks.map((l) => l.address));
  for (const [i, l] of j.locks.entries()) assert.equal(l.waiters.length, 2 * m.locks[i].waiters.length);
  assert.ok(j.cycles.length >= m.cycles.length, 'the ring is still there');
  for (const t of j.tasks) for (const id of t.contexts) assert.equal(j.contexts[id].pid, t.pid);
});

test('a CPU offline in one batch stays offline when a later batch shows a stack of it', () => {
  const cpu = (online: boolean | null, contexts: number[]): MachineModel['cpus'][number] => ({ cpu: 3, online, pid: null, comm: null, contexts, doing: { en: '', zh: '' } });
  const empty: MachineModel = { cpus: [], tasks: [], contexts: [], locks: [], ipiWaits: [], rcuBlockers: [], waitsFor: [], cycles: [], system: null, work: [], slab: { caches: [], objects: [] }, interrupts: null, waitQueues: [], netDevices: [], unreadable: [] };
  const ctx = { id: 0, cpu: 3, pid: 7, comm: 'x', report: null, kind: 'task' as const, frames: [], stoppedAt: 'f+1', registers: null, interruptsEnabled: null, interruptedBy: null, lines: [1] };
  const a = { ...empty, cpus: [cpu(false, [])] };
  const b = { ...empty, cpus: [cpu(true, [0])], contexts: [ctx] };
  assert.equal(mergeMachines(a, b).cpus[0].online, false);
  assert.equal(mergeMachines(b, a).cpus[0].online, false);
});

test('a ring whose two waiters are read in different batches is found on the joined model, once, with both sides quoted', () => {
  // The spinabba listing with 9,000 sleeping tasks (its own, with new pids) between the two spinners: more lines than a batch holds.
  const listing = readFileSync(join(REPO, 'test/fixtures/dumps/spinabba/foreach-bt.txt'), 'utf8');
  const blocks = listing.split(/\n(?=PID: )/);
  const head = blocks[0].startsWith('PID:') ? [] : [blocks.shift() as string];
  const spinners = blocks.map((b, i) => ({ b, i })).filter((x) => /^ #\d+ \[[0-9a-f]+\] (?:native_queued_spin_lock_slowpath|_raw_spin_lock)/m.test(x.b));
  assert.equal(spinners.length, 2, 'two tasks spin in the listing');
  const sleepers = blocks.filter((b) => /^ #0 \[[0-9a-f]+\] __schedule /m.test(b));
  const filler: string[] = [];
  for (let k = 0; k < 9000; k++) {
    const pid = 100_000 + k;
    filler.push(sleepers[k % sleepers.length].replace(/^PID: \d+\s+TASK: [0-9a-f]+/, `PID: ${pid}   TASK: ffff9d26${(0x10000000 + pid * 64).toString(16)}`));
  }
  const cut = spinners[0].i + 1;
  const dir = mkdtempSync(join(tmpdir(), 'kt-ring-'));
  try {
    const path = join(dir, 'foreach.txt');
    writeFileSync(path, [...head, ...blocks.slice(0, cut), ...filler, ...blocks.slice(cut)].join('\n'));
    const r = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'json', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.lines > 60_000, 'more lines than one batch');
    const rings = j.findings.filter((f: { rule: string }) => f.rule === 'KT-wait-for-cycle');
    assert.equal(rings.length, 1, JSON.stringify(j.findings.map((f: { rule: string }) => f.rule)));
    assert.equal(rings[0].rootCauseClass, 'deadlock-abba');
    assert.match(rings[0].culprit.function, /^spinabba_/);
    const quoted = rings[0].evidence.map((e: { line: number; text: string }) => e.line);
    const far = j.lines - 1000;
    assert.ok(quoted.some((n: number) => n < 1000) && quoted.some((n: number) => n > far), `both ends of the listing are quoted: ${quoted}`);
    for (const e of rings[0].evidence) assert.ok(e.text.length > 0, 'each quoted line has its text');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
