// Real crashes of a real Debian 12 kernel (6.1.0-*-amd64) made under qemu by
// scripts/qemu-fixtures/make-fixtures.sh; see test/fixtures/qemu/README.md.
// Each crash was made on purpose, so the assertions say what the crash IS.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePath, type Analysis } from '../src/analyze/analyze';
import { runRules, type RenderedFinding } from '../src/rules/engine';

// KT_QEMU_FIXTURES points the tests at a fresh regeneration before it replaces these.
const DIR = process.env.KT_QEMU_FIXTURES ?? path.join(__dirname, '..', '..', 'test', 'fixtures', 'qemu');
const RELEASE = /^6\.1\.0-\d+-amd64$/;

interface Case {
  a: Analysis;
  findings: RenderedFinding[];
  top: RenderedFinding;
}

const cache = new Map<string, Promise<Case>>();
function load(name: string): Promise<Case> {
  let p = cache.get(name);
  if (!p) {
    p = (async () => {
      const a = await analyzePath(path.join(DIR, `${name}.log`));
      const findings = runRules(a, 'en');
      assert.ok(findings.length > 0, `${name}: at least one finding`);
      return { a, findings, top: findings[0] };
    })();
    cache.set(name, p);
  }
  return p;
}

/** A fact anywhere in the findings. */
function facts(findings: RenderedFinding[], key: string): unknown[] {
  return findings.map((f) => f.facts[key]).filter((v) => v !== undefined && v !== null);
}
function prose(f: RenderedFinding): string {
  return [f.summary, f.explanation, ...f.nextSteps].join('\n');
}
function cited(findings: RenderedFinding[]): string {
  return findings.flatMap((f) => [prose(f), ...f.evidence.flatMap((e) => [e.text, e.note])]).join('\n');
}
const hex = (v: unknown): string => String(v).toLowerCase().replace(/^0x/, '');
const where = (f: RenderedFinding): string => `findings[0] is ${f.rule} (${f.rootCauseClass}): ${f.summary}`;

/**
 * The task the report is about. pid and CPU change from one regeneration to the
 * next, so they are read from the fixture's own "CPU: n PID: m Comm: comm" line.
 */
function assertTask(c: Case, name: string, comm: string | RegExp): void {
  const text = fs.readFileSync(path.join(DIR, `${name}.log`), 'utf8');
  const pat = typeof comm === 'string' ? comm.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : comm.source.replace(/^\^|\$$/g, '');
  const m = new RegExp(`CPU: (\\d+) PID: (\\d+) Comm: (${pat}) `).exec(text);
  assert.ok(m, `the log has a "Comm: ${String(comm)}" line`);
  const r = c.a.reports[c.top.report ?? 0] ?? c.a.reports[0];
  assert.equal(r.comm, m[3], 'task comm');
  assert.equal(r.pid, Number(m[2]), 'task pid');
  assert.equal(r.cpu, Number(m[1]), 'task cpu');
}

// Every fixture: a report is found, on the Debian 6.1 kernel that made it.
for (const name of ['bhleak', 'kthstop', 'timerleak', 'nullmember', 'recurse', 'initexit', 'oom', 'mce', 'softlockup']) {
  test(`qemu ${name}: a report on Debian's 6.1 kernel is found`, async () => {
    const c = await load(name);
    assert.ok(c.a.reports.length > 0, 'a report');
    assert.match(c.a.kernel.release ?? '', RELEASE, 'kernel release');
    for (const f of c.findings) for (const e of f.evidence) assert.ok(e.text.length > 0, `evidence line ${e.line} of ${f.rule} quotes the input`);
  });
}

// 1. bhleak: /proc/bhleak's write handler took spin_lock_bh() and its error path
// released it with plain spin_unlock(). The writer went back to user space with
// BH disabled (preempt count 0x200); its next user page fault could not be
// serviced (in_atomic() -> faulthandler_disabled()), so it got SIGSEGV, and on
// the way out do_exit() -> do_task_dead() -> __schedule() reported
// "scheduling while atomic ... 0x00000201" (0x200 + schedule()'s own +1).
// schedule_debug() then reset the count: no panic on 6.1 (no "Aiee").
test('qemu bhleak: one leaked BH disable, returned to user space', async () => {
  const c = await load('bhleak');
  assert.match(c.a.reports[0].title, /^BUG: scheduling while atomic/);
  assertTask(c, 'bhleak', 'bhleak-write.sh');
  assert.equal(c.top.rootCauseClass, 'lock-imbalance', where(c.top));
  assert.equal(c.top.facts.preemptCount, '0x00000201');
  const pc = c.top.facts.preempt as Record<string, unknown>;
  assert.equal(pc.softirqDisableDepth, 1, 'one SOFTIRQ_DISABLE_OFFSET');
  assert.equal(pc.scheduleOffsetIncluded, true, "0x201 includes schedule()'s own +1 on 6.1");
  assert.equal(pc.callerPreemptDepth, 0, 'no spinlock held: the lock itself was released, only the BH disable leaked');
  assert.equal(pc.servingSoftirq, false);
  assert.equal(c.top.facts.leakedBhDisables, 1);
  assert.ok((facts(c.findings, 'suspectModules') as string[][]).flat().includes('bhleak'), 'bhleak is a suspect');
});

test('qemu bhleak: the culprit module is bhleak (the only module, its error message just before)', async () => {
  const c = await load('bhleak');
  assert.equal(c.top.culprit?.module ?? null, 'bhleak');
});

test('qemu bhleak: no "Aiee" panic is predicted on 6.1; the SIGSEGV is named as a consequence', async () => {
  const c = await load('bhleak');
  assert.ok(!/will panic/.test(prose(c.top)), 'does not predict a panic that 6.1 does not raise');
  assert.equal(facts(c.findings, 'inferredPanic').length, 0, 'no panic is inferred');
  assert.ok(c.top.evidence.some((e) => /segfault at/.test(e.text)), 'the segfault line is cited');
  assert.match(prose(c.top), /do_exit/, 'the task was exiting (do_exit -> do_task_dead) when the BUG was printed');
});

// 2. kthstop: the module exit path (rmmod -> delete_module -> kthstop_server_exit)
// held spin_lock_bh() across kthread_stop(): 0x202 = one BH disable + the
// spinlock's preempt_disable + schedule()'s +1. The lock was released
// afterwards (balanced): a sleep in atomic context, not a leak. Because
// schedule_debug() reset the count to 1, the later spin_unlock_bh() underflowed
// it, hence the second BUG with 0x7ffffe00: a consequence, not stack overflow.
test('qemu kthstop: kthread_stop() under spin_lock_bh() in the module exit path', async () => {
  const c = await load('kthstop');
  assert.equal(c.a.reports.length, 2, 'two "scheduling while atomic" reports');
  for (const r of c.a.reports) assert.match(r.title, /^BUG: scheduling while atomic/);
  assertTask(c, 'kthstop', 'rmmod');
  const f = c.findings.find((x) => x.rule === 'KT-bh-disabled-sleep');
  assert.ok(f, 'the sleep with BH disabled is found');
  assert.equal(f.rootCauseClass, 'sleep-in-atomic');
  assert.deepEqual(f.culprit, { function: 'kthstop_server_exit', module: 'kthstop' });
  assert.equal(f.facts.sleepingCall, 'kthread_stop');
  assert.equal(f.facts.exitPath, true);
  assert.equal(f.facts.preemptCount, '0x00000202');
  const pc = f.facts.preempt as Record<string, unknown>;
  assert.equal(pc.softirqDisableDepth, 1);
  assert.equal(pc.callerPreemptDepth, 1, 'the spinlock was held (its preempt_disable)');
  assert.equal(pc.scheduleOffsetIncluded, true);
});

test('qemu kthstop: findings[0] is the sleep in atomic context in kthstop_server_exit', async () => {
  const c = await load('kthstop');
  assert.equal(c.top.rootCauseClass, 'sleep-in-atomic', where(c.top));
  assert.deepEqual(c.top.culprit, { function: 'kthstop_server_exit', module: 'kthstop' });
  assert.ok(!c.findings.some((x) => x.rule === 'KT-bh-leak-return-to-user'), 'no return-to-user leak is claimed');
});

test('qemu kthstop: 0x7ffffe00 is an underflow after the reset, not a stack overflow', async () => {
  const c = await load('kthstop');
  assert.ok(!c.findings.some((x) => x.rootCauseClass === 'stack-overflow'), c.findings.map((x) => x.rule).join(', '));
});

// 3. timerleak: a timer_list in the module's data, armed for 2 s, left pending
// at rmmod. When it expired, __run_timers (detach_timer, inlined) wrote
// timer->entry.pprev at ffffffffc035e3e0 + 8 = ffffffffc035e3e8: a not-present
// page in the modules area. CPU1 idle (swapper/1) in the timer softirq; panic
// "Fatal exception in interrupt". The module list says [last unloaded: timerleak(OE)].
test('qemu timerleak: a timer of the unloaded module fired', async () => {
  const c = await load('timerleak');
  assert.match(c.a.reports[0].title, /unable to handle .*__run_timers/);
  assertTask(c, 'timerleak', /^swapper\/\d+$/);
  assert.equal(c.a.reports[0].pid, 0, 'the idle task: the timer fired in softirq on an idle CPU');
  assert.equal(c.top.rootCauseClass, 'dangling-callback-after-unload', where(c.top));
  // The module printed where its timer was; the fault is on timer->entry.pprev, 8 bytes in.
  const armed = /timerleak: timer armed at ([0-9a-f]{16})/.exec(fs.readFileSync(path.join(DIR, 'timerleak.log'), 'utf8'));
  assert.ok(armed, 'the module printed its timer address');
  const pprev = (BigInt('0x' + armed[1]) + 8n).toString(16);
  assert.ok(facts(c.findings, 'faultAddress').map(hex).includes(pprev), 'fault address');
  assert.ok(facts(c.findings, 'addressRegion').includes('modules'), 'the fault address is in the modules area');
  assert.equal(c.top.facts.callbackKind, 'timer');
});

test('qemu timerleak: "[last unloaded: timerleak(OE)]" is parsed', async () => {
  const c = await load('timerleak');
  assert.equal(c.a.reports[0].lastUnloaded, 'timerleak');
});

test('qemu timerleak: the culprit module is timerleak, the last unloaded one', async () => {
  const c = await load('timerleak');
  assert.equal(c.top.culprit?.module ?? null, 'timerleak');
});

// 4. nullmember: nullmember_read_stats() read dev->rx_packets (offset 0x48) of a
// NULL struct pointer, from module init (insmod).
test('qemu nullmember: NULL struct pointer, member at offset 0x48', async () => {
  const c = await load('nullmember');
  assert.match(c.a.reports[0].title, /NULL pointer dereference in nullmember_read_stats/);
  assertTask(c, 'nullmember', 'insmod');
  assert.equal(c.top.rootCauseClass, 'null-deref', where(c.top));
  assert.deepEqual(c.top.culprit, { function: 'nullmember_read_stats', module: 'nullmember' });
  assert.equal(hex(c.top.facts.faultAddress), '0000000000000048');
  assert.equal(c.top.facts.memberOffset, '0x48');
  assert.equal(c.top.facts.nullFunctionCall, false);
});

// 5. recurse: recurse_walk() [recurse] recursed without end (264-byte frames)
// into the VMAP_STACK guard page: "BUG: TASK stack guard page was hit".
test('qemu recurse: kernel stack overflow by recursion in recurse_walk', async () => {
  const c = await load('recurse');
  assert.match(c.a.reports[0].title, /stack guard page was hit/);
  assertTask(c, 'recurse', 'insmod');
  assert.equal(c.top.rootCauseClass, 'stack-overflow', where(c.top));
  const rec = c.top.facts.recursion as Array<{ function: string }>;
  assert.equal(rec?.[0]?.function, 'recurse_walk');
});

test('qemu recurse: the culprit is recurse_walk [recurse]', async () => {
  const c = await load('recurse');
  assert.deepEqual(c.top.culprit, { function: 'recurse_walk', module: 'recurse' });
});

// 6. initexit: PID 1 (the scenario script) exited with status 3.
test('qemu initexit: init exited with status 3', async () => {
  const c = await load('initexit');
  assert.match(c.a.reports[0].title, /Attempted to kill init/);
  assertTask(c, 'initexit', 'initexit.sh');
  assert.equal(c.top.rule, 'KT-killed-init', where(c.top));
  assert.equal(c.top.facts.exitcode, '0x00000300');
  assert.equal(c.top.facts.exitStatus, 3);
  assert.equal(c.top.facts.signal, null, 'a normal exit, not a signal');
  assert.equal(c.top.culprit?.module ?? null, null, 'no kernel module is to blame');
});

// 7. oom: vm.panic_on_oom=1; oomhog (user space, no swap) allocated ~424 MiB
// of anonymous memory (rss 108520 pages) in a 512 MiB guest.
test('qemu oom: out of memory with panic_on_oom', async () => {
  const c = await load('oom');
  assert.match(c.a.reports[0].title, /Out of memory/);
  assertTask(c, 'oom', 'oomhog');
  assert.equal(c.top.rootCauseClass, 'resource-exhaustion', where(c.top));
  assert.equal(c.top.facts.panicOnOom, true);
  assert.equal(c.top.facts.order, 0);
});

test('qemu oom: oomhog is named as the process that held the memory', async () => {
  const c = await load('oom');
  assert.match(c.top.summary + '\n' + c.top.explanation, /oomhog/);
});

// 8a. mce: an uncorrected, processor-context-corrupt error injected into bank 1
// (status be00000000800400) with the qemu monitor's mce command.
test('qemu mce: fatal machine check, a hardware error', async () => {
  const c = await load('mce');
  assert.match(c.a.reports[0].title, /machine check/);
  assert.equal(c.top.rootCauseClass, 'hardware', where(c.top));
  assert.equal(c.top.facts.fatal, true);
  assert.ok(cited(c.findings).includes('Bank 1: be00000000800400'), 'the MCE record is cited');
  assert.ok(cited(c.findings).includes('Processor Context Corrupt'), 'the PCC verdict is cited');
});

test('qemu mce: the complete MCE panic is not flagged as a corrupted report', async () => {
  const c = await load('mce');
  assert.equal(c.a.reports[0].corrupted, false);
});

// 8b. softlockup: spinlockup_poll_hw() [spinlockup] busy-waited with preemption
// disabled from module init; watchdog_thresh=3, softlockup_panic=1.
test('qemu softlockup: soft lockup on CPU 0 in insmod, no lock involved', async () => {
  const c = await load('softlockup');
  assert.match(c.a.reports[0].title, /soft lockup/);
  assertTask(c, 'softlockup', 'insmod');
  assert.equal(c.top.rule, 'KT-soft-lockup', where(c.top));
  assert.equal(c.top.facts.spinning, false, 'not spinning on a lock');
  assert.equal(c.top.facts.lockAddress, null);
});

test('qemu softlockup: the culprit is spinlockup_poll_hw [spinlockup] (on RIP)', async () => {
  const c = await load('softlockup');
  assert.deepEqual(c.top.culprit, { function: 'spinlockup_poll_hw', module: 'spinlockup' });
});
