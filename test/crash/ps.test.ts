// `ps` task lists and `ps -m` / `ps -l` last-run times, merged by task address.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixture } from '../support/crash-fixtures';

test('crash help example of ps: every row, the active marker and kernel threads without brackets', () => {
  const s = readFixture('ps.txt');
  // 60 rows of `ps` and 4 of `ps -A`.
  assert.equal(s.tasks.length, 64);
  const first = s.tasks[0];
  assert.deepEqual({ ...first, lines: first.lines }, {
    active: true, pid: 0, ppid: 0, cpu: 3, task: 'c024c000', state: 'RU', memPercent: 0, vsz: 0, rss: 0,
    comm: 'swapper', kernelThread: true, lastRun: null, lines: [3],
  });
  assert.equal(s.tasks.filter((t) => t.active && t.comm === 'swapper').length, 3 + 1);
  const named = s.tasks.find((t) => t.task === 'fa402000');
  assert.deepEqual([named?.pid, named?.ppid, named?.comm, named?.kernelThread, named?.memPercent, named?.vsz, named?.rss], [582, 1, 'xfs', false, 0.2, 2968, 1916]);
  const gen12 = s.tasks.find((t) => t.pid === 700);
  assert.equal(gen12?.active, true);
  const oracle = s.tasks.find((t) => t.task === 'ffff880549ec2ab0');
  assert.deepEqual([oracle?.pid, oracle?.vsz, oracle?.rss, oracle?.active], [9497, 42314692, 138664, true]);
  const mig = s.tasks.find((t) => t.task === 'ffff880212969710');
  assert.deepEqual([mig?.comm, mig?.kernelThread], ['migration/1', true]);
  assert.equal(s.commands[0].understood, true);
});

test('ps -m and ps -l of the same tasks merge: seconds since last run and the raw timestamp', () => {
  const s = readFixture('ps-m.txt');
  assert.equal(s.tasks.length, 9);
  const insmod = s.tasks[0];
  assert.equal(insmod.pid, 1205);
  assert.equal(insmod.task, 'dee03f20');
  assert.equal(insmod.state, 'RU');
  assert.equal(insmod.cpu, 0);
  assert.equal(insmod.comm, 'insmod');
  assert.deepEqual(insmod.lastRun, { seconds: 0.003, ns: '137146164748', text: '0 00:00:00.003' });
  assert.equal(insmod.lines.length, 2);
  const flush = s.tasks.find((t) => t.pid === 272);
  assert.equal(flush?.lastRun?.seconds, 1.404);
  assert.equal(flush?.lastRun?.ns, '135744209052');
  // The `CPU: 0` headers of -C belong to ps, not to a sys block.
  assert.equal(s.sys, null);
});

test('ps -l alone keeps the raw last-run value in ns', () => {
  const s = readFixture('ps-l.txt');
  assert.equal(s.tasks.length, 18);
  assert.deepEqual(s.tasks[0].lastRun, { seconds: null, ns: '20811245123', text: '20811245123' });
  assert.equal(s.tasks[0].comm, 'events/2');
  assert.equal(s.tasks.find((t) => t.pid === 2331)?.state, 'RU');
});
