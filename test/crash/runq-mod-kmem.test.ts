// `runq`, `mod` and `kmem -i`: run queues per CPU, loaded modules with taints, memory figures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixture } from '../support/crash-fixtures';

test('crash help examples of runq: current task, queued tasks with priority and queue, runq -m running time', () => {
  const s = readFixture('runq.txt');
  assert.deepEqual(s.runq.map((q) => q.cpu), [0, 1, 2, 3]);
  const cpu0 = s.runq[0];
  assert.equal(cpu0.runqueue, 'ffff880001cdb460');
  assert.deepEqual(cpu0.current, { pid: 2739, task: 'ffff8800320fa7e0', comm: 'bash', line: 3 });
  // O(1) scheduler: the second task of priority 115 is printed without its priority.
  assert.deepEqual(cpu0.queued.slice(0, 2).map((t) => [t.prio, t.queue, t.pid, t.comm, t.line]), [
    [115, 'ACTIVE', 2739, 'bash', 5],
    [115, 'ACTIVE', 1776, 'syslogd', 6],
  ]);
  assert.deepEqual(cpu0.queued.slice(2).map((t) => [t.prio, t.queue, t.pid, t.task]), [
    [118, 'CFS', 2110, 'ffff88007d470860'],
    [118, 'CFS', 2109, 'ffff88007f1247a0'],
    [118, 'CFS', 2114, 'ffff88007f20e080'],
  ]);
  assert.deepEqual(s.runq[1].queued.map((t) => t.pid), [1779, 2092, 1983]);
  assert.deepEqual(s.runq[3].current, { pid: 0, task: 'f4ccd000', comm: 'swapper', line: 38 });
  assert.deepEqual(s.runq[3].runningFor, { text: '0 00:00:00.002', seconds: 0.002 });
  assert.ok(s.commands.every((c) => c.understood));
});

test('crash help examples of runq -g: tasks under their task group, throttled RT groups nested', () => {
  const s = readFixture('runq-g.txt');
  assert.deepEqual(s.runq.map((q) => q.cpu), [0, 3]);
  const q = s.runq[0].queued;
  assert.deepEqual(q.find((t) => t.pid === 14752)?.taskGroup, 'ffff88012b0fb400');
  assert.deepEqual(q.find((t) => t.pid === 14749)?.taskGroup, 'ffff88022c6bbc00');
  assert.equal(q.find((t) => t.pid === 14740)?.taskGroup, null);
  assert.equal(q.find((t) => t.pid === 14726)?.taskGroup, 'ffff884058f1d000');
  assert.deepEqual(q.filter((t) => t.current).map((t) => t.pid), [14734]);
  assert.equal(q.find((t) => t.pid === 14750)?.queue, 'RT');
  assert.equal(q.find((t) => t.pid === 14732)?.queue, 'CFS');
  assert.equal(s.runq[1].queued.find((t) => t.pid === 3248)?.taskGroup, 'ffff88022b621400');
});

test('crash help examples of mod and mod -t: addresses, sizes, object files, taints by name', () => {
  const s = readFixture('mod.txt');
  const dm = s.modules.find((m) => m.name === 'dm_mod');
  assert.deepEqual(dm && { ...dm, lines: dm.lines }, {
    name: 'dm_mod', module: 'f7e44c20', base: 'f7e34000', size: 88568, objectFile: '(not loaded)', notes: [], taint: null, lines: [3, 13],
  });
  assert.equal(s.modules.find((m) => m.name === 'soundcore')?.size, 6390);
  assert.deepEqual(s.modules.filter((m) => m.taint === 'P(U)').map((m) => m.name), ['vxspec', 'vxportal', 'fdd', 'vxfs', 'vxdmp', 'vxio', 'vxglm', 'vxgms', 'vxodm']);
  assert.deepEqual(s.commands.map((c) => [c.command, c.understood]), [['mod', true], ['!modprobe soundcore', false], ['mod', true], ['mod -t', true]]);
});

test('crash help example of kmem -i: pages, sizes in bytes and percentages of each row', () => {
  const m = readFixture('kmem-i.txt').memory;
  assert.ok(m);
  assert.equal(m.rows.length, 14);
  assert.deepEqual([m.totalMem?.pages, m.totalMem?.sizeText, m.totalMem?.bytes, m.totalMem?.percent], [1974231, '7.5 GB', 7.5 * 2 ** 30, null]);
  assert.deepEqual([m.free?.pages, m.free?.percent, m.free?.of], [208962, 10, 'TOTAL MEM']);
  assert.equal(m.used?.pages, 1765269);
  assert.equal(m.hugeFree?.percent, 100);
  assert.deepEqual([m.swapUsed?.pages, m.swapUsed?.bytes, m.swapUsed?.of], [81978, Math.round(320.2 * 2 ** 20), 'TOTAL SWAP']);
  assert.equal(m.committed?.of, 'TOTAL LIMIT');
  assert.equal(m.commitLimit?.line, 18);
});
