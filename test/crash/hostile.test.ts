// Hostile input: garbage, huge lines and floods must cost linear time and bounded memory, never an exception.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../src/model/types';
import { linesFromBuffer, linesFromText } from '../../src/ingest/lines';
import { readCrashSession } from '../../src/crash';
import { MAX_ENTRIES } from '../../src/crash/reader';
import { crashFixtureText } from '../support/crash-fixtures';

/** A small deterministic generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIXTURES = ['sys.txt', 'ps.txt', 'ps-m.txt', 'ps-l.txt', 'runq.txt', 'runq-g.txt', 'mod.txt', 'kmem-i.txt', 'bt-f.txt', 'gdb-locks.txt', 'struct.txt'];

test('random bytes never throw', () => {
  const r = rng(1);
  for (let i = 0; i < 200; i++) {
    const buf = Buffer.alloc(Math.floor(r() * 4096));
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(r() * 256);
    readCrashSession(linesFromBuffer(buf));
  }
});

test('random mutations of real outputs never throw', () => {
  const r = rng(2);
  const alphabet = ' \t{}[]()<>=,:;"\'#$-.0123456789abcdefxPIDTASK\u2022\u00a0?';
  for (let i = 0; i < 400; i++) {
    const chars = [...crashFixtureText(FIXTURES[i % FIXTURES.length])];
    const edits = 1 + Math.floor(r() * 40);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * chars.length);
      const op = r();
      if (op < 0.4) chars[at] = alphabet[Math.floor(r() * alphabet.length)];
      else if (op < 0.7) chars.splice(at, 1 + Math.floor(r() * 8));
      else chars.splice(at, 0, ...chars.slice(Math.floor(r() * chars.length), Math.floor(r() * chars.length)).slice(0, 200));
    }
    readCrashSession(linesFromText(chars.join('')));
  }
});

test('a 10 MB line and 100,000 ps rows are read in linear time, the task list capped', () => {
  const lines: LogLine[] = [{ no: 1, raw: '', text: 'crash> ps', }];
  const huge = 'PID: 1 '.repeat(1_500_000);
  lines.push({ no: 2, raw: huge, text: huge });
  for (let i = 0; i < MAX_ENTRIES + 5000; i++) {
    const t = `  ${String(i).padStart(6)}      2   1  ffff8800${i.toString(16).padStart(8, '0')}  IN   0.0       0      0  [kworker/${i}]`;
    lines.push({ no: i + 3, raw: t, text: t });
  }
  const start = process.hrtime.bigint();
  const s = readCrashSession(lines);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(s.tasks.length, MAX_ENTRIES);
  assert.equal(s.tasks[5].comm, 'kworker/5');
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

test('an unclosed printed value and a bt -f of endless words stay bounded', () => {
  const lines: LogLine[] = [];
  let no = 1;
  const push = (text: string): void => {
    lines.push({ no, raw: text, text });
    no++;
  };
  push('$1 = {');
  for (let i = 0; i < 100_000; i++) push(`${'  '.repeat(1 + (i % 100))}m${i} = {`);
  push('PID: 1      TASK: ffff8801e3a50000  CPU: 0   COMMAND: "systemd"');
  push(' #0 [ffff8801e3a53e00] schedule at ffffffff8168b579');
  for (let i = 0; i < 200_000; i++) push(`    ffff8801e3a5${(i % 0xffff).toString(16).padStart(4, '0')}: ffff880000000000 ffff880000000001 ffff880000000002 ffff880000000003`);
  const s = readCrashSession(lines);
  assert.equal(s.locks.length, 0);
  const words = s.stackWords.reduce((n, e) => n + e.words.length, 0);
  assert.ok(words <= 1_000_000, `${words} words`);
});
