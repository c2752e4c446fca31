// The machine model on mangled crash sessions and console dumps: every truncation, shuffled and corrupted lines, hostile lengths.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/analyze/analyze';
import { buildMachine } from '../src/machine';
import { runRules } from '../src/rules/engine';
import { REPO } from './support/shared';

const INPUTS = ['dumps/hungabba/session.txt', 'dumps/irqaa/session.txt', 'dumps/spinabba/console.log', 'qemu-debug/hunglocks.log', 'qemu-debug/wqlockup.log']
  .map((p) => join(REPO, 'test', 'fixtures', p))
  .filter((p) => existsSync(p));

/** A small deterministic generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function modelOf(text: string): Promise<ReturnType<typeof buildMachine>> {
  const a = await analyzeText('fuzz', text);
  const m = buildMachine(a);
  // Every index the model holds points inside it.
  for (const e of m.waitsFor) assert.ok(m.contexts[e.waiter] && m.contexts[e.holder] && m.locks[e.lock]);
  for (const l of m.locks) for (const h of l.holders) assert.ok(m.contexts[h.context]);
  a.findings = runRules(a, 'en');
  return m;
}

test('every truncation of real sessions and console dumps builds a model and its findings', { skip: INPUTS.length === 0 }, async () => {
  for (const path of INPUTS) {
    const lines = readFileSync(path, 'utf8').split('\n');
    const step = Math.max(1, Math.floor(lines.length / 60));
    for (let n = 0; n <= lines.length; n += step) await modelOf(lines.slice(0, n).join('\n'));
  }
});

test('shuffled, duplicated and corrupted lines of real sessions never throw', { skip: INPUTS.length === 0 }, async () => {
  const r = rng(7);
  for (const path of INPUTS) {
    const lines = readFileSync(path, 'utf8').split('\n');
    for (let round = 0; round < 12; round++) {
      const out: string[] = [];
      for (const l of lines) {
        const x = r();
        if (x < 0.05) continue;
        if (x < 0.1) out.push(l, l);
        else if (x < 0.15) out.push(l.slice(0, Math.floor(r() * l.length)));
        else if (x < 0.18) out.push(l.replace(/[0-9a-f]/g, () => '0123456789abcdef'[Math.floor(r() * 16)]));
        else if (x < 0.2) out.splice(Math.floor(r() * out.length), 0, l);
        else out.push(l);
      }
      await modelOf(out.join('\n'));
    }
  }
});

test('hostile shapes: a held-lock list of 100,000 entries, a busy-workqueue line of 1 MB, 20,000 tasks waiting on one mutex', async () => {
  const held = ['Showing all locks held in the system:', '100000 locks held by a/1:', ...Array.from({ length: 100_000 }, (_, i) => ` #${i % 1000}: ffffffff${(i % 65536).toString(16).padStart(8, '0')} (&l${i}){+.+.}-{3:3}, at: f+0x1/0x2`)].join('\n');
  await modelOf(held);
  await modelOf(`Showing busy workqueues and worker pools:\nworkqueue events: flags=0x0\n  pwq 0: cpus=0 node=0 flags=0x0 nice=0 active=1/256 refcnt=2\n    pending: ${'f, '.repeat(300_000)}g\n`);
  const waiters = Array.from({ length: 20_000 }, (_, i) => `PID: ${100 + i}  TASK: ffff8881${i.toString(16).padStart(8, '0')}  CPU: 0  COMMAND: "w${i}"\n #0 [ffffc90000000e00] __schedule at ffffffff81a00000\n #1 [ffffc90000000e68] schedule at ffffffff81a00100\n #2 [ffffc90000000e80] schedule_preempt_disabled at ffffffff81a00200\n #3 [ffffc90000000e88] __mutex_lock at ffffffff81a00300\n #4 [ffffc90000000ef0] m_f at ffffffffc0000100 [m]\n`).join('');
  const m = await modelOf(`crash> foreach bt\n${waiters}`);
  // Each waiter is a task of the model with its own wait; none is taken for a holder without evidence.
  assert.equal(m.tasks.length, 20_000);
  assert.equal(m.locks.reduce((n, l) => n + l.waiters.length, 0), 20_000);
  assert.equal(m.cycles.length, 0);
});
