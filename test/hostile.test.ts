// Inputs built to hurt a regex engine or a line splitter must come back, with whatever can be read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../src/analyze/analyze';
import { runRules } from '../src/rules/engine';

const N = 100_000;
const HOSTILE: Array<[string, string]> = [
  ['spaces', ' '.repeat(N)],
  ['brackets', '['.repeat(N)],
  ['frame brackets', '[<'.repeat(N / 2)],
  ['0x digits', '0x'.repeat(N / 2)],
  ['hex run', 'f'.repeat(N)],
  ['plus offsets', 'a+0x1/'.repeat(N / 6)],
  ['BUG then junk', 'BUG: ' + 'a '.repeat(N / 2)],
  ['WARNING at', 'WARNING: CPU: 0 PID: 1 at ' + '/a'.repeat(N / 2)],
  ['CPU line', 'CPU: 1 PID: 1 Comm: ' + 'x '.repeat(N / 2) + 'Tainted: ' + 'G '.repeat(1000)],
  ['module list', 'Modules linked in: ' + 'm(OE'.repeat(N / 4)],
  ['Code bytes', 'Code: ' + '<8b> '.repeat(N / 5)],
  ['register pairs', 'RAX: '.repeat(N / 5)],
  ['crash frame', ' #1 [' + 'f'.repeat(N) + '] x at y'],
  ['question marks', '[?' + '?'.repeat(N)],
  ['timestamp', '[' + ' '.repeat(N) + '1.0'],
  ['schedule bug', 'BUG: scheduling while atomic: ' + 'a/'.repeat(N / 2) + '0x'],
  ['lockdep chain', '-> #0 (' + '&'.repeat(N) + '){+.+.}:'],
  ['hung task', 'INFO: task ' + 'x:'.repeat(N / 2) + ' blocked for more than 120 seconds.'],
  ['crash exception', '    [exception RIP: ' + 'a+'.repeat(N / 2) + ']'],
  ['crash task', 'PID: 1   TASK: ' + 'f'.repeat(N) + '  CPU: 0   COMMAND: "x"'],
];

for (const [name, line] of HOSTILE) {
  test(`a hostile line returns: ${name}`, async () => {
    const a = await analyzeText('hostile', `${line}\n${line}\n`);
    assert.ok(Array.isArray(a.reports));
    assert.ok(Array.isArray(runRules(a, 'en')));
    assert.deepEqual(a.notes.filter((n) => n.startsWith('rule ')), [], 'no rule failed');
  });
}

test('50,000 Call Trace lines return', async () => {
  const a = await analyzeText('many', 'BUG: soft lockup - CPU#0 stuck for 23s! [a:1]\n' + 'Call Trace:\n'.repeat(50_000));
  assert.ok(a.reports.length >= 1);
});

test('a thousand oopses in one log are all found, in order', async () => {
  const one = ['BUG: unable to handle kernel NULL pointer dereference at 0000000000000000', 'IP: [<ffffffff81000000>] f+0x0/0x10', 'Oops: 0000 [#1] SMP', 'Call Trace:', ' [<ffffffff81000010>] g+0x0/0x10', ''].join('\n');
  const a = await analyzeText('many', one.repeat(1000));
  assert.ok(a.reports.length >= 1);
  for (let i = 1; i < a.reports.length; i++) assert.ok(a.reports[i].startLine > a.reports[i - 1].startLine);
});
