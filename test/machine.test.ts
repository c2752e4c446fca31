// The machine model on real input: CPUs and their nested contexts, the locks they wait on, who holds them, who waits for an IPI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/analyze/analyze';
import { buildMachine } from '../src/machine';
import { REPO, SKIP_SHARED, sharedDir } from './support/shared';
import { spawnSync } from 'node:child_process';

async function machineOfFile(path: string) {
  const a = await analyzeText(path, readFileSync(path, 'utf8'));
  return buildMachine(a);
}

const seed = (name: string): string => join(sharedDir() ?? '', 'cases', name, 'input.txt');

test('seed 003 (crash bt -a): three CPUs wait on one lock address, held by the task context CPU1 interrupted with interrupts enabled; CPU0 waits for them in an IPI', { skip: SKIP_SHARED }, async () => {
  const m = await machineOfFile(seed('seed-003-softlockup-spin-unlock-irq-nested'));
  assert.deepEqual(m.cpus.map((c) => c.cpu), [0, 1, 2, 3]);
  const lock = m.locks.find((l) => l.address === 'ffff92adc0fc6400');
  assert.ok(lock, 'the lock is named by the RDI of the spinning slow path');
  assert.deepEqual([...new Set(lock.waiters.map((w) => m.contexts[w.context].cpu))].sort(), [1, 2, 3]);
  assert.equal(lock.holders.length, 1);
  const holder = m.contexts[lock.holders[0].context];
  assert.equal(holder.cpu, 1);
  assert.equal(holder.kind, 'task');
  assert.equal(holder.interruptsEnabled, true, 'RFLAGS 0x246 of the interrupted frame');
  assert.equal(lock.holders[0].function, 'bfq_bio_merge');
  const waiterOnCpu1 = lock.waiters.map((w) => m.contexts[w.context]).find((c) => c.cpu === 1);
  assert.equal(waiterOnCpu1?.kind, 'softirq');
  assert.equal(waiterOnCpu1?.interruptsEnabled, false);
  assert.equal(m.ipiWaits.length, 1);
  assert.equal(m.ipiWaits[0].cpu, 0);
  assert.deepEqual(m.ipiWaits[0].blockedBy, [1, 2, 3]);
  assert.match(m.cpus[0].doing.en, /smp_call_function_many/);
});

test('seed 002 (crash bt): the nested fault path spins on the timer base lock whose address the interrupted softirq holds in its registers', { skip: SKIP_SHARED }, async () => {
  const m = await machineOfFile(seed('seed-002-hard-lockup-timer-after-unload'));
  assert.equal(m.cpus.length, 1);
  const kinds = m.cpus[0].contexts.map((id) => m.contexts[id].kind);
  assert.deepEqual(kinds, ['task', 'irq', 'softirq', 'exception', 'nmi'], 'outermost first');
  const lock = m.locks.find((l) => l.address === 'ffff88007b90c000');
  assert.ok(lock);
  assert.match(lock.name ?? '', /timer base lock/);
  assert.equal(m.contexts[lock.waiters[0].context].kind, 'exception');
  assert.equal(lock.waiters[0].taker, 'lock_timer_base');
  const h = lock.holders[0];
  assert.equal(m.contexts[h.context].kind, 'softirq');
  assert.equal(h.function, 'run_timer_softirq');
  assert.ok(h.evidence.includes('same-address') && h.evidence.includes('holder-function'), h.evidence.join());
  assert.match(m.cpus[0].doing.en, /^spins on timer base lock/);
});

test('console NMI backtraces are stacks of the CPU and task their own header names, not of the report that asked for them', async () => {
  const m = await machineOfFile(join(REPO, 'test', 'fixtures', 'qemu', 'nmibt.log'));
  const cpu1 = m.cpus.find((c) => c.cpu === 1);
  assert.ok(cpu1, 'CPU 1 is in the model');
  assert.equal(cpu1.comm, 'nmibt_reset');
  const lock = m.locks.find((l) => l.waiters.some((w) => m.contexts[w.context].cpu === 0));
  assert.ok(lock && lock.address, 'CPU 0 spins on a lock with a known address');
  assert.equal(m.contexts[lock.holders[0]?.context ?? -1]?.cpu, 1, 'the CPU running the same module\'s code is the candidate holder');
});

test('a single oops with no lock wait and one CPU gives no machine section in the text', async () => {
  const r = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', join(REPO, 'test', 'fixtures', 'qemu', 'nullmember.log')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Diagnosis:/);
  assert.ok(!r.stdout.includes('The machine'), 'nothing to add to the report');
});

test('text, Markdown and JSON show the machine of a crash bt -a session', { skip: SKIP_SHARED }, () => {
  const input = seed('seed-003-softlockup-spin-unlock-irq-nested');
  const text = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', input], { encoding: 'utf8' }).stdout;
  assert.match(text, /The machine \(every CPU the input shows\):\n {2}CPU 0 kworker\/0:1\/2635 task\(IF=1\) > irq\n {6}doing: waits in smp_call_function_many\(\)/);
  assert.match(text.replace(/\n +/g, ' '), /lock ffff92adc0fc6400 .*held by CPU1 task (?:\S+ )?bfq_bio_merge\(\)/);
  const md = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'md', input], { encoding: 'utf8' }).stdout;
  assert.match(md, /## The machine[^\n]*\n\n```text\n/);
  const j = JSON.parse(spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'json', input], { encoding: 'utf8' }).stdout) as { machine: { cpus: unknown[]; locks: Array<{ address: string }> } };
  assert.equal(j.machine.cpus.length, 4);
  assert.equal(j.machine.locks[0].address, 'ffff92adc0fc6400');
});

test('what a CPU does is its own code: never the reporting machinery, never a sanitizer\'s recorded allocation or free stack', async () => {
  const kasan = await machineOfFile(join(REPO, 'test', 'fixtures', 'qemu-debug', 'kasanuaf.log'));
  assert.equal(kasan.cpus.length, 1);
  assert.doesNotMatch(kasan.cpus[0].doing.en, /kmalloc|kfree|kasan|dump_stack|print_report/);
  assert.match(kasan.cpus[0].doing.en, /^runs \w+\(\)$/);
  for (const name of ['bhleak', 'oom', 'kthstop']) {
    const m = await machineOfFile(join(REPO, 'test', 'fixtures', 'qemu', `${name}.log`));
    for (const c of m.cpus) assert.doesNotMatch(c.doing.en, /dump_stack|__warn|show_stack/, `${name}: ${c.doing.en}`);
  }
});

test('every console form of a CPU going offline marks that CPU offline; a CPU booted again after it is not', async () => {
  const offline = [
    'smpboot: CPU 3 is now offline',
    'CPU 4 is now offline',
    'psci: CPU5 killed (polled 0 ms)',
    'CPU6: shutdown',
    'cpu 7 (hwid 7) Ready to die...',
    'Processor 8 stopped',
  ];
  const log = [
    ...offline.map((l, i) => `[  ${100 + i}.000000] ${l}`),
    '[  110.000000] smpboot: CPU 9 is now offline',
    '[  111.000000] smpboot: Booting Node 0 Processor 9 APIC 0x9',
    '[  112.000000] CPU10: shutdown',
    '[  113.000000] CPU10: Booted secondary processor 0x000000000a [0x410fd083]',
    '[  114.000000] CPU 11 is now offlined by a test line that is not the kernel\'s',
  ].join('\n');
  const m = buildMachine(await analyzeText('hotplug.log', log));
  const state = new Map(m.cpus.map((c) => [c.cpu, c.online]));
  for (const cpu of [3, 4, 5, 6, 7, 8]) assert.equal(state.get(cpu), false, `CPU ${cpu} offline`);
  for (const cpu of [9, 10, 11]) assert.notEqual(state.get(cpu), false, `CPU ${cpu} not offline`);
});
