// Whole pastes: several commands mixed with console lines, prompts through web-page damage, lines left unread.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crashFixtureText, readFixture, readText } from '../support/crash-fixtures';
import { sharedDir, SKIP_SHARED } from '../support/shared';

/** A page that turned the indentation into non-breaking spaces and each line into a bullet item. */
const mangle = (text: string): string =>
  text.split('\n').map((l) => `  \u2022 ${l.replace(/^ +/, (sp) => '\u00a0'.repeat(sp.length))}`).join('\n');

test('fixtures pasted one after the other are all read, and each command is credited with its output', () => {
  const names = ['sys.txt', 'ps.txt', 'runq.txt', 'mod.txt', 'kmem-i.txt', 'bt-f.txt', 'gdb-locks.txt'];
  const alone = names.map(readFixture);
  const s = readText(names.map(crashFixtureText).join('\n'));
  assert.equal(s.sys?.release, '2.2.5-15smp');
  assert.equal(s.tasks.length, alone[1].tasks.length);
  assert.equal(s.runq.length, alone[2].runq.length);
  assert.equal(s.modules.length, alone[3].modules.length);
  assert.equal(s.memory?.rows.length, 14);
  assert.equal(s.stackWords.length, alone[5].stackWords.length);
  assert.equal(s.locks.length, 5);
  const verbs = s.commands.map((c) => c.verb);
  assert.deepEqual([...new Set(verbs)], ['sys', 'ps', 'runq', 'mod', '!modprobe', 'kmem', 'bt']);
  const ps = s.commands.find((c) => c.command === 'ps');
  assert.deepEqual(ps?.output, { from: 19, to: 79 });
});

test('prompts and output behind bullets and non-breaking spaces read as the clean paste does', () => {
  for (const name of ['ps.txt', 'runq.txt', 'kmem-i.txt', 'bt-f.txt', 'mod.txt']) {
    const clean = readFixture(name);
    const mangled = readText(mangle(crashFixtureText(name)));
    assert.deepEqual(mangled.commands.map((c) => c.command), clean.commands.map((c) => c.command), name);
    assert.deepEqual(mangled.tasks, clean.tasks, name);
    assert.deepEqual(mangled.runq, clean.runq, name);
    assert.deepEqual(mangled.memory, clean.memory, name);
    assert.deepEqual(mangled.stackWords, clean.stackWords, name);
    assert.deepEqual(mangled.modules, clean.modules, name);
  }
});

test('seed 003: console lines, a sys block and bt listings in one paste; the console part is no command', { skip: SKIP_SHARED }, () => {
  const text = readFileSync(join(sharedDir() ?? '', 'cases', 'seed-003-softlockup-spin-unlock-irq-nested', 'input.txt'), 'utf8');
  const s = readText(text);
  assert.equal(s.sys?.cpus, 4);
  assert.equal(s.commands.length, 2);
  assert.equal(s.tasks.length, 0);
  assert.equal(s.locks.length, 0);
});

test('a command the readers do not know is kept with its output range, not understood', () => {
  const s = readText(crashFixtureText('mod.txt'));
  const bang = s.commands.find((c) => c.verb === '!modprobe');
  assert.deepEqual(bang, { line: 9, command: '!modprobe soundcore', verb: '!modprobe', output: null, understood: false });
});

test('real console logs without crash output give an empty session: nothing is mistaken for a command answer', { skip: SKIP_SHARED }, () => {
  const root = join(sharedDir() ?? '', 'cases', 'realworld');
  const dirs = readdirSync(root).filter((d) => existsSync(join(root, d, 'input.txt')));
  assert.ok(dirs.length > 0);
  for (const d of dirs) {
    const s = readText(readFileSync(join(root, d, 'input.txt'), 'utf8'));
    const found = { sys: s.sys, tasks: s.tasks.length, runq: s.runq.length, modules: s.modules.length, memory: s.memory, locks: s.locks.length, stackWords: s.stackWords.length, commands: s.commands.length };
    assert.deepEqual(found, { sys: null, tasks: 0, runq: 0, modules: 0, memory: null, locks: 0, stackWords: 0, commands: 0 }, d);
  }
});
