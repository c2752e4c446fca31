// KT-oom-panic on real logs: OOM events with and without a panic, what held the memory, and no kernel function blamed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { oomPanic } from '../../src/rules/memory/oom';

const NO_KILLABLE = 'shared:cases/realworld/043-arm64-oom-panic-no-killable-processes/input.txt';

ruleCases({
  rule: oomPanic,
  valid: [
    { log: 'test/fixtures/qemu/oom.log', why: 'a panic_on_oom panic with one process holding most of the memory', class: 'resource-exhaustion', culprit: null, module: null, first: true },
    { log: 'test/fixtures/qemu/oomkill.log', why: 'an OOM kill the machine survived ("Out of memory: Killed process", no panic)', class: 'resource-exhaustion', culprit: null, first: true },
    { log: 'test/fixtures/qemu/memcgoom.log', why: 'a memory cgroup OOM kill at the cgroup\'s limit', class: 'resource-exhaustion', culprit: null, first: true },
    { log: NO_KILLABLE, why: '"no killable processes" with unreclaimable slab holding most of RAM', class: 'resource-exhaustion', culprit: null, module: null, first: true },
  ],
  invalid: [
    { log: 'corpus:report/144', why: '"ODEBUG: Out of memory. ODEBUG disabled" (debugobjects ran out of its pool, not an OOM event)' },
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read' },
    { log: 'test/fixtures/qemu/badpage.log', why: 'a Bad page state' },
  ],
});

async function mine(ref: string) {
  const text = readLog(ref);
  return text === null ? null : (await findingsOf(text, ref)).find((f) => f.rule === oomPanic.meta.id) ?? null;
}

test('an OOM kill names its victim, the process that held the memory, and gives live-system steps', async () => {
  const f = await mine('test/fixtures/qemu/oomkill.log');
  assert.ok(f);
  assert.equal(f.facts.outcome, 'killed');
  assert.equal(f.facts.panicked, false);
  assert.deepEqual((f.facts.killed as Array<{ comm: string }>).map((k) => k.comm), ['oomhog']);
  assert.deepEqual(f.facts.dominantConsumer, { task: 'oomhog', pid: (f.facts.largestProcess as { pid: number }).pid });
  assert.match(f.summary, /killed oomhog/);
  assert.ok(!f.nextSteps.some((s) => /^crash>/.test(s)), 'no crash commands: there is no vmcore after an OOM kill');
});

test('a memory cgroup OOM says the limit was the cgroup\'s', async () => {
  const f = await mine('test/fixtures/qemu/memcgoom.log');
  assert.ok(f);
  assert.equal(f.facts.cgroup, true);
  assert.match(f.explanation, /memory cgroup's/);
  assert.match(f.explanation, /64 MiB used of 64 MiB/);
});

test('"no killable processes" names the dominating slab cache but blames no function', { skip: readLog(NO_KILLABLE) === null }, async () => {
  const f = await mine(NO_KILLABLE);
  assert.ok(f);
  assert.equal(f.facts.noKillable, true);
  assert.deepEqual(f.facts.dominantConsumer, { slabCache: 'kmemleak_object' });
  assert.match(f.summary, /kmemleak_object/);
  assert.equal(f.culprit, null);
  // The task that invoked the OOM killer is not what used the memory.
  assert.match(f.explanation, /The task that invoked the OOM killer, systemd, only asked for memory last/);
});

test('the panic_on_oom fixture keeps the order and the panic flag', async () => {
  const f = await mine('test/fixtures/qemu/oom.log');
  assert.ok(f);
  assert.equal(f.facts.panicOnOom, true);
  assert.equal(f.facts.order, 0);
  assert.equal(f.facts.events, 1);
});

test('one OOM event gives one finding, though its lines are found outside the report too', async () => {
  for (const log of ['test/fixtures/qemu/oom.log', 'test/fixtures/qemu/oomkill.log', 'test/fixtures/qemu/memcgoom.log']) {
    const all = (await findingsOf(readLog(log) as string, log)).filter((f) => f.rule === oomPanic.meta.id);
    assert.equal(all.length, 1, log);
  }
});
