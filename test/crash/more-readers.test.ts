// kmem -s / kmem ADDR, irq -s, waitq, files, net, bt -e and [OFFLINE] marks: crash 8.0.2's own examples and a real 6.1 dump.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture, readText } from '../support/crash-fixtures';
import { REPO } from '../support/shared';
import { analyzeText } from '../../src/analyze/analyze';
import { buildMachine, slabObjectAt } from '../../src/machine';

const dump = (name: string, file: string): string | null => {
  const p = join(REPO, 'test', 'fixtures', 'dumps', name, file);
  return existsSync(p) ? readFileSync(p, 'utf8') : null;
};

test('kmem -s rows in both column orders, and the object kmem ADDR places an address in', () => {
  const s = readFixture('kmem-s.txt');
  const blk = s.slabCaches.find((c) => c.name === 'blkdev_requests');
  assert.ok(blk, 'the cache of the kmem ADDR answer');
  assert.equal(blk.objSize, 96);
  assert.equal(blk.allocated, 30208);
  assert.equal(blk.slabBytes, 4096);
  assert.ok(s.slabCaches.length >= 10, `${s.slabCaches.length} caches`);
  const obj = s.slabObjects.find((o) => o.address === 'c3fbdb60');
  assert.ok(obj);
  assert.equal(obj.allocated, true);
  assert.equal(obj.cache, 'blkdev_requests');
  const free = s.slabObjects.filter((o) => o.cache === 'arp_cache' && !o.allocated);
  assert.ok(free.length > 0 && free.some((o) => o.cpuCache === 7), 'kmem -S lists the free objects of a per-CPU cache');
});

test('SLUB kmem -S of a 6.1 dump: the per-CPU and per-node sections do not end the listing', () => {
  const s = readFixture('kmem-S-slub.txt');
  const rcl = s.slabObjects.filter((o) => o.cache === 'kmalloc-rcl-64');
  assert.equal(rcl.filter((o) => o.allocated).length, 18, 'the ALLOCATED column says 18');
  assert.equal(rcl.filter((o) => !o.allocated).length, 46, 'and the slab row 46 free');
  const task = s.slabObjects.find((o) => o.cache === 'task_struct');
  assert.ok(task?.allocated);
});

test('an address inside a free slab object is found in the model, one outside is not', async () => {
  const a = await analyzeText('kmem', readFileSync(join(REPO, 'test/fixtures/crash/kmem-S-slub.txt'), 'utf8'));
  const m = buildMachine(a);
  const inFree = slabObjectAt(m, 'ffff8b818141e010');
  assert.equal(inFree?.address, 'ffff8b818141e000');
  assert.equal(inFree?.allocated, false);
  assert.equal(slabObjectAt(m, 'ffff8b818141e150')?.allocated, true);
  assert.equal(slabObjectAt(m, 'ffff8b8100000000'), null);
  assert.equal(slabObjectAt(m, 'not-an-address'), null);
});

test('irq -s: the CPU columns and a row per interrupt', () => {
  const s = readFixture('irq-s.txt');
  assert.deepEqual(s.irqStats?.cpus, [0, 2]);
  const eth = s.irqStats?.rows.find((r) => r.name === 'eth4');
  assert.deepEqual(eth?.counts, [24, 295]);
  assert.equal(eth?.chip, 'IR-PCI-MSI-edge');
  const real = dump('irqaa', 'irq-s.txt');
  if (real) {
    const r = readText(real);
    assert.deepEqual(r.irqStats?.cpus, [0, 1]);
    assert.ok((r.irqStats?.rows.length ?? 0) > 5);
  }
});

test('waitq: an empty queue, and the tasks on a queue under its prompt', () => {
  const s = readFixture('waitq.txt');
  assert.equal(s.waitQueues.length, 3);
  assert.deepEqual(s.waitQueues[0], { queue: 'buffer_wait', address: 'c02927f0', tasks: [], empty: true, lines: s.waitQueues[0].lines });
  assert.equal(s.waitQueues[1].queue, 'task_struct.wait_chldexit c5496000');
  assert.deepEqual(s.waitQueues[1].tasks.map((t) => t.pid), [30879]);
  assert.equal(s.waitQueues[2].address, 'c3534098');
  assert.deepEqual(s.waitQueues[2].tasks.map((t) => t.comm), ['bash']);
});

test('files: root, cwd and the descriptors of the task of the header above', () => {
  const s = readFixture('files.txt');
  const innd = s.openFiles.find((f) => f.pid === 720);
  assert.ok(innd);
  assert.equal(innd.cwd, '/var/spool/news/articles');
  assert.ok(innd.files.some((f) => f.fd === 0 && f.path === '/dev/null' && f.type === 'CHR'));
  const real = dump('hungabba', 'files-1.txt');
  if (real) assert.ok(readText(real).openFiles[0]?.files.some((f) => f.path.endsWith('.sh')));
});

test('net: devices and their addresses', () => {
  const s = readFixture('net.txt');
  const lo = s.netDevices.find((d) => d.name === 'lo');
  assert.deepEqual(lo?.addresses, ['127.0.0.1']);
  assert.ok(s.netDevices.some((d) => d.name === 'eth1' && d.addresses[0] === '10.226.228.250'));
});

test('bt -e: kernel and user exception frames with EFLAGS.IF, old and new forms', () => {
  const s = readFixture('bt-e.txt');
  assert.deepEqual(s.exceptionFrames.map((f) => f.mode), ['kernel', 'user']);
  assert.equal(s.exceptionFrames[0].pid, 286);
  assert.equal(s.exceptionFrames[0].rip, 'c012f803');
  assert.equal(s.exceptionFrames[0].interruptsEnabled, true);
  const real = dump('irqaa', 'bt-e-irqaa_stats.txt');
  if (real) {
    const f = readText(real).exceptionFrames[0];
    assert.equal(f.rip, 'delay_tsc+51');
    assert.equal(f.interruptsEnabled, true, 'RFLAGS 283: the task was interrupted with interrupts on');
  }
});

test('offline CPUs, from crash and from the console, are CPUs of the model with online false', async () => {
  const s = readText('crash> bt -a\nCPU 3 [OFFLINE]\n\ncrash> timer\nTIMER_BASES[2][BASE_STD]: [OFFLINE]\n');
  assert.deepEqual(s.offlineCpus.map((c) => c.cpu), [3, 2]);
  const a = await analyzeText('hotplug', '[   12.100000] smpboot: CPU 1 is now offline\n[   14.200000] psci: CPU2 killed (polled 0 ms)\n[   15.000000] CPU2: Booted secondary processor 0x0000000002 [0x410fd083]\n');
  const m = buildMachine(a);
  assert.equal(m.cpus.find((c) => c.cpu === 1)?.online, false);
  assert.equal(m.cpus.find((c) => c.cpu === 2), undefined, 'CPU 2 came back: not listed as offline');
});

test('a 2.6-era i386 bt -a: the interrupt frame crash prints as bare registers starts the interrupted task context', async () => {
  const a = await analyzeText('old', readFileSync(join(REPO, 'test/fixtures/crash/bt-a-old.txt'), 'utf8'));
  const m = buildMachine(a);
  // Two dumps in one file: both have a CPU 0, so the i386 task is read through its contexts.
  const rlogind = m.tasks.find((t) => t.pid === 286);
  assert.ok(rlogind);
  const ctxs = m.contexts.filter((c) => c.pid === 286);
  assert.deepEqual(ctxs.map((c) => c.kind).sort(), ['irq', 'task']);
  const task = ctxs.find((c) => c.kind === 'task');
  assert.equal(task?.stoppedAt, '0xc012f803', 'EIP of the frame: where sys_select was interrupted');
  assert.equal(task?.interruptsEnabled, true, 'EFLAGS 00000246');
  assert.equal(task?.interruptedBy, ctxs.find((c) => c.kind === 'irq')?.id);
  assert.ok(!ctxs.some((c) => c.registers?.CS === '0023'), 'the user-mode registers of system_call are no kernel context');
  const alone = buildMachine(await analyzeText('old1', readFileSync(join(REPO, 'test/fixtures/crash/bt-a-old.txt'), 'utf8').split('\n').slice(0, 18).join('\n')));
  assert.match(alone.cpus.find((c) => c.cpu === 0)?.doing.en ?? '', /tulip_interrupt/, 'what the interrupt ran, not the dump plumbing');
  const swapper = m.cpus.find((c) => c.pid === 0);
  assert.equal(swapper?.doing.en, 'idle', 'a 2.6.32 NMI on an idle CPU');
});

test('an arm64 crash bt: PC/LR/PSTATE exception frames split the stack into its contexts, X0 is the lock, PSTATE.I the interrupt state', async () => {
  const a = await analyzeText('arm64', readFileSync(join(REPO, 'test/fixtures/crash/bt-arm64-layout.txt'), 'utf8'));
  assert.equal(a.backtraces.length, 1, 'one listing, not cut at the register rows');
  assert.equal(a.kernel.arch, 'aarch64');
  const m = buildMachine(a);
  const cpu0 = m.cpus.find((c) => c.cpu === 0);
  assert.ok(cpu0);
  const ctx = cpu0.contexts.map((id) => m.contexts[id]);
  assert.deepEqual(ctx.map((c) => c.kind), ['task', 'irq', 'softirq', 'irq']);
  assert.equal(ctx[0].interruptsEnabled, true, 'PSTATE 60400005: IRQs unmasked in the task context');
  assert.equal(ctx[2].interruptsEnabled, false, 'PSTATE 20400085: masked where the softirq spins');
  assert.equal(ctx[2].stoppedAt, 'queued_spin_lock_slowpath+412');
  const lock = m.locks.find((l) => l.address === 'ffff800009f1c010');
  assert.ok(lock, 'the lock is X0 of the spinning frame');
  assert.equal(lock.holders[0]?.function, 'mydrv_xmit');
});

test('an exception frame that crash cut short does not take the registers of a later listing', () => {
  const s = readText('crash> bt -e 1\nPID: 1        TASK: ffff8b8181203080  CPU: 1    COMMAND: "init"\n\n  KERNEL-MODE EXCEPTION FRAME AT: ffffd393403cbe38\nbt: read error\ncrash> bt 2\nPID: 2        TASK: ffff8b8181204080  CPU: 0    COMMAND: "kthreadd"\n #0 [ffffd393403cbe90] foo at ffffffff9abf77a3\n    [exception RIP: bar+20]\n    RIP: ffffffff9abf77a3  RSP: ffffd393403cbee8  RFLAGS: 00000283\n');
  assert.equal(s.exceptionFrames.length, 1);
  assert.equal(s.exceptionFrames[0].rip, null);
  assert.equal(s.exceptionFrames[0].interruptsEnabled, null);
});

test('the answer to kmem ADDR stays in the model after whole-cache listings of hundreds of objects', async () => {
  const listing = readFileSync(join(REPO, 'test/fixtures/crash/kmem-S-slub.txt'), 'utf8');
  const answer = dump('slabfree', 'kmem-rdi.txt');
  if (!answer) return;
  const a = await analyzeText('kmem', `${listing}\n${listing}\n${listing}\n${listing}\n${listing}\ncrash> kmem ffff8a3f81db02c0\n${answer}`);
  const m = buildMachine(a);
  assert.ok(readText(`${listing}\n${listing}\n${listing}\n${listing}\n${listing}`).slabObjects.length > 256, 'more objects listed than the model keeps');
  assert.equal(slabObjectAt(m, 'ffff8a3f81db02c8')?.allocated, false);
});
