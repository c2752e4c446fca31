// KT-stack-overflow on real logs: an exhausted kernel stack, or a stack canary overwritten.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { stackOverflow } from '../../src/rules/memory/stack-overflow';

ruleCases({
  rule: stackOverflow,
  valid: [
    { log: 'test/fixtures/qemu/recurse.log', why: 'a VMAP_STACK guard page hit by unbounded recursion in module init', class: 'stack-overflow', culprit: 'recurse_walk', module: 'recurse', first: true },
    { log: 'corpus:report/320', why: 'a stack-protector canary overwritten as a local buffer overflow, not an exhausted stack', class: 'memory-corruption', culprit: 'udp4_lib_lookup2', first: true },
    { log: 'corpus:report/332', why: '"corrupted stack end detected inside scheduler"', class: 'stack-overflow', culprit: 'wb_workfn', first: true },
    { log: 'shared:cases/realworld/040-riscv-stack-overflow-at-boot-pid1/input.txt', why: 'a riscv "Insufficient stack space to handle exception!"', class: 'stack-overflow', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read' },
    { log: 'corpus:report/130', why: 'a KASAN report' },
  ],
});

test('the recursion is counted and named', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/recurse.log') as string)).find((x) => x.rule === stackOverflow.meta.id);
  assert.ok(f);
  const rec = f.facts.recursion as Array<{ function: string; count: number }>;
  assert.equal(rec[0].function, 'recurse_walk');
  assert.ok(rec[0].count >= 3);
  assert.match(f.summary, /recurse_walk recursed \d+\+ times/);
});
