// `sys` blocks: what a user sees in the dump's identity (release, CPUs, panic task) must come out right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture, readText } from '../support/crash-fixtures';
import { sharedDir, SKIP_SHARED } from '../support/shared';

const seed = (name: string): string => readFileSync(join(sharedDir() ?? '', 'cases', name, 'input.txt'), 'utf8');

test('seed 002: the startup block before any prompt gives the release, CPUs, partial dump and panic task', { skip: SKIP_SHARED }, () => {
  const s = readText(seed('seed-002-hard-lockup-timer-after-unload')).sys;
  assert.ok(s);
  assert.equal(s.kernel, '/usr/lib/debug/lib/modules/3.10.0-514.26.2.el7.x86_64/vmlinux');
  assert.equal(s.dumpfile, 'vmcore');
  assert.equal(s.partialDump, true);
  assert.equal(s.cpus, 2);
  assert.equal(s.release, '3.10.0-514.26.2.el7.x86_64');
  assert.equal(s.panic, 'BUG: unable to handle kernel ');
  assert.equal(s.task, 'ffff88007b889f60');
  assert.equal(s.cpu, 1);
  assert.equal(s.pid, 0);
  assert.equal(s.command, 'swapper/1');
  assert.equal(s.state, 'TASK_RUNNING (PANIC)');
  assert.deepEqual(s.uptime, { text: '1 days, 00:22:05', seconds: 86400 + 22 * 60 + 5 });
  assert.deepEqual(s.loadAverage, [0, 0.01, 0.05]);
  assert.equal(s.tasks, 120);
  assert.deepEqual(s.machine, { arch: 'x86_64', mhz: 1800 });
  assert.deepEqual(s.memory, { text: '2 GB', bytes: 2 * 2 ** 30 });
  assert.deepEqual(s.lines, Array.from({ length: 18 }, (_, i) => i + 1));
});

test('seed 003: a sys block pasted through a web page right after console lines is still read', { skip: SKIP_SHARED }, () => {
  const s = readText(seed('seed-003-softlockup-spin-unlock-irq-nested')).sys;
  assert.ok(s);
  assert.equal(s.kernel, null);
  assert.equal(s.dumpfile, '/var/crash/127.0.0.1-2023-02-19-02:05:59/vmcore');
  assert.equal(s.partialDump, true);
  assert.equal(s.cpus, 4);
  assert.equal(s.release, '4.18.0');
  assert.equal(s.panic, 'Kernel panic - not syncing: softlockup: hung tasks');
  assert.equal(s.pid, 2635);
  assert.equal(s.command, 'kworker/0:1');
  assert.equal(s.task, 'ffff92acd6cf17c0');
  assert.equal(s.cpu, 0);
  assert.deepEqual(s.uptime, { text: '00:11:46', seconds: 706 });
  assert.deepEqual(s.loadAverage, [21.78, 17.84, 9.85]);
  assert.equal(s.lines[0], 65);
  assert.equal(s.lines[s.lines.length - 1], 81);
});

test('crash help example of sys and sys -t: one CrashSys with the taint mask and letters', () => {
  const session = readFixture('sys.txt');
  const s = session.sys;
  assert.ok(s);
  assert.equal(s.kernel, 'vmlinux.4');
  assert.equal(s.dumpfile, 'lcore.cr.4');
  assert.equal(s.partialDump, false);
  assert.equal(s.nodename, 'test.mclinux.com');
  assert.equal(s.release, '2.2.5-15smp');
  assert.equal(s.version, '#24 SMP Mon Oct 11 17:41:40 CDT 1999');
  assert.deepEqual(s.machine, { arch: 'i686', mhz: 500 });
  assert.deepEqual(s.uptime, { text: '10 days, 14:14:39', seconds: 10 * 86400 + 14 * 3600 + 14 * 60 + 39 });
  assert.deepEqual(s.taint, { mask: '201', letters: 'PW' });
  assert.equal(s.panic, null);
  assert.deepEqual(session.commands.map((c) => [c.command, c.understood]), [['sys', true], ['sys -t', true]]);
});
