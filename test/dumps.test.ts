// Real memory dumps of planted bugs, read by the real crash utility (test/fixtures/dumps, made by scripts/dumps/make-dumps.sh):
// the conclusions come from the machine model built from the session, and from the console alone where it says enough.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeText } from '../src/analyze/analyze';
import { buildMachine } from '../src/machine';
import { REPO } from './support/shared';

const DUMPS = join(REPO, 'test', 'fixtures', 'dumps');
const file = (scenario: string, name: string): string => join(DUMPS, scenario, name);

interface Out {
  findings: Array<{ rule: string; rootCauseClass: string; secondaryClasses: string[]; culprit: { function: string | null; module: string | null } | null; facts: Record<string, unknown> }>;
  machine: { cycles: Array<{ edges: Array<{ waiter: number; lock: number; holder: number }> }>; locks: Array<{ address: string | null; name: string | null; kind: string; holders: Array<{ evidence: string[]; function: string | null }> }>; tasks: Array<{ pid: number; state: string | null; task: string | null }>; ipiWaits: Array<{ cpu: number; blockedBy: number[]; named: boolean }>; system: { release: string | null; cpus: number | null } | null };
}

function analyze(path: string): Out {
  const r = spawnSync(join(REPO, 'bin', 'ktriage'), ['analyze', '--format', 'json', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Out;
}

/** The addresses crash printed for `p &EXPR` in a session: what the test checks the model's lock addresses against. */
function printedAddresses(session: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = readFileSync(session, 'utf8').split('\n');
  lines.forEach((l, i) => {
    const p = /^crash> p &(\S+)$/.exec(l);
    const v = p ? /^\$\d+ = \([^)]*\*\) 0x([0-9a-f]+)/.exec(lines[i + 1] ?? '') : null;
    if (p && v) out.set(p[1], v[1]);
  });
  return out;
}

const skip = !existsSync(DUMPS);

test('mutex ABBA between two kthreads, from the crash session: each mutex\'s wait list points into one task\'s stack, its owner field names the other, and the ring is the deadlock', { skip }, () => {
  const session = file('hungabba', 'session.txt');
  const out = analyze(session);
  const top = out.findings[0];
  assert.equal(top.rule, 'KT-wait-for-cycle');
  assert.equal(top.rootCauseClass, 'deadlock-abba');
  assert.equal(top.culprit?.module, 'hungabba');
  assert.equal(out.machine.cycles.length, 1);
  const printed = [...printedAddresses(session).values()].sort();
  assert.equal(printed.length, 2);
  const ring = out.machine.cycles[0].edges.map((e) => out.machine.locks[e.lock]);
  assert.deepEqual(ring.map((l) => l.address).sort(), printed);
  for (const l of ring) {
    assert.equal(l.kind, 'mutex');
    assert.ok(l.holders[0].evidence.includes('owner-field'));
    assert.match(l.name ?? '', /_lock$/, 'named by the p &EXPR crash answered');
  }
  const blocked = out.machine.tasks.filter((t) => t.state === 'UN');
  assert.equal(blocked.length, 2, 'ps says which tasks are UN');
  assert.ok(blocked.every((t) => /^[0-9a-f]{16}$/.test(t.task ?? '')));
  assert.equal(out.machine.system?.cpus, 2);
});

test('mutex ABBA from the console alone: two blocked tasks, no evidence of who holds what, so no ring is claimed', { skip }, async () => {
  const path = file('hungabba', 'console.log');
  const m = buildMachine(await analyzeText(path, readFileSync(path, 'utf8')));
  assert.equal(m.cycles.length, 0);
  assert.equal(analyze(path).findings[0].rootCauseClass, 'deadlock-abba', 'the hung-task rule still reads several tasks blocked on locks as AB-BA');
});

test('spinlock ABBA on two CPUs, from the session and from the console: the same ring and the same two locks', { skip }, () => {
  const session = file('spinabba', 'session.txt');
  const printed = [...printedAddresses(session).values()].sort();
  for (const path of [session, file('spinabba', 'console.log')]) {
    const out = analyze(path);
    assert.equal(out.findings[0].rule, 'KT-wait-for-cycle', path);
    assert.equal(out.findings[0].culprit?.module, 'spinabba');
    const ring = out.machine.cycles[0].edges.map((e) => out.machine.locks[e.lock].address).sort();
    if (printed.length === 2) assert.deepEqual(ring, printed);
  }
});

test('an hrtimer in hard irq spins on the lock the task it interrupted took with plain spin_lock: an AA self-deadlock, the holder is the culprit', { skip }, () => {
  for (const path of [file('irqaa', 'session.txt'), file('irqaa', 'console.log')]) {
    const top = analyze(path).findings[0];
    assert.equal(top.rule, 'KT-irq-unsafe-lock', path);
    assert.equal(top.rootCauseClass, 'deadlock-aa');
    assert.equal(top.culprit?.function, 'irqaa_fold_stats');
  }
});

test('interrupts re-enabled by a nested spin_unlock_irq: with crash\'s dis of the holder showing spin_lock_irq it is irq-state corruption; from the console alone both readings are given', { skip }, () => {
  const withDis = analyze(file('irqnest', 'session.txt')).findings[0];
  assert.equal(withDis.rule, 'KT-irq-reenabled-in-irq-lock');
  assert.equal(withDis.rootCauseClass, 'irq-state-corruption');
  assert.equal(withDis.culprit?.module, 'irqnest');
  const consoleOnly = analyze(file('irqnest', 'console.log')).findings[0];
  assert.equal(consoleOnly.rootCauseClass, 'deadlock-aa');
  assert.ok(consoleOnly.secondaryClasses.includes('irq-state-corruption'));
  assert.equal(consoleOnly.culprit?.module, 'irqnest');
});

test('a CPU spinning with interrupts off while another waits for it in smp_call_function_many: the waiter is blocked by the CPU with IF clear, the spinner is the culprit', { skip }, () => {
  const out = analyze(file('csdlock', 'session.txt'));
  const ipi = out.machine.ipiWaits[0];
  assert.ok(ipi);
  // Debian's kernel has no csd lock debugging: the CPU is known by its saved RFLAGS, not named by the kernel.
  assert.equal(ipi.named, false);
  assert.ok(ipi.blockedBy.length === 1 && ipi.blockedBy[0] !== ipi.cpu);
  assert.equal(out.findings[0].culprit?.module, 'csdlock');
});

test('the rest of the dumps keep their diagnosis when read as a crash session: RCU stall, a timer and a work item of an unloaded module', { skip }, () => {
  assert.equal(analyze(file('rcustall', 'session.txt')).findings[0].culprit?.module, 'rcustall');
  for (const s of ['timerleak', 'wqunload']) {
    const top = analyze(file(s, 'session.txt')).findings[0];
    assert.equal(top.rootCauseClass, 'dangling-callback-after-unload', s);
    assert.equal(top.culprit?.module, s);
  }
});

test('crash bt -l: each frame keeps the source line printed under it, and the listing stays one stack', { skip }, async () => {
  const path = file('hungabba', 'bt-l-hungabba_stats.txt');
  const text = readFileSync(path, 'utf8');
  const a = await analyzeText(path, text);
  assert.equal(a.backtraces.length, 1);
  const frames = a.backtraces[0].segments.flatMap((s) => s.frames);
  assert.equal(frames.length, (text.match(/^ #\d+ /gm) ?? []).length);
  const mutex = frames.find((f) => f.function?.startsWith('__mutex_lock'));
  assert.match(mutex?.source ?? '', /kernel\/locking\/mutex\.c:\d+$/);
  assert.ok(frames.filter((f) => f.module !== null).every((f) => f.source === null), 'crash printed no source line for the module frames');
});

test('three kthreads in a ring of three mutexes: one ring of three edges, none shorter (a pointer equal to the first member\'s address is no hold)', { skip }, () => {
  const session = file('mutexring', 'session.txt');
  const out = analyze(session);
  assert.equal(out.machine.cycles.length, 1);
  const ring = out.machine.cycles[0].edges;
  assert.equal(ring.length, 3);
  const printed = [...printedAddresses(session).values()].sort();
  assert.deepEqual(ring.map((e) => out.machine.locks[e.lock].address).sort(), printed);
  assert.equal(new Set(ring.map((e) => e.waiter)).size, 3);
  assert.equal(out.findings[0].rule, 'KT-wait-for-cycle');
  assert.equal(out.findings[0].culprit?.module, 'mutexring');
});

test('a reader holding an rw_semaphore waits for a mutex whose owner waits to write: the ring has a mutex and an rwsem edge', { skip }, () => {
  const out = analyze(file('rwsemabba', 'session.txt'));
  assert.equal(out.machine.cycles.length, 1);
  assert.deepEqual(out.machine.cycles[0].edges.map((e) => out.machine.locks[e.lock].kind).sort(), ['mutex', 'rwsem']);
  assert.equal(out.findings[0].rootCauseClass, 'deadlock-abba');
  assert.equal(out.findings[0].culprit?.module, 'rwsemabba');
});

test('a task hung in synchronize_rcu behind a CPU looping under rcu_read_lock: the stall is the diagnosis, the hung task its consequence with the same culprit', { skip }, () => {
  for (const path of [file('rcusync', 'console.log'), file('rcusync', 'session.txt')]) {
    const out = analyze(path);
    assert.equal(out.findings[0].rule, 'KT-rcu-stall', path);
    const stallCulprit = out.findings[0].culprit?.function;
    assert.ok(stallCulprit);
    const hung = out.findings.find((f) => f.rule === 'KT-hung-task');
    assert.equal(hung?.culprit?.function, stallCulprit, 'the hung task waits for the grace period the looping CPU holds up');
    const rcu = out.machine.locks.find((l) => l.kind === 'rcu');
    assert.ok(rcu && rcu.holders.length >= 1 && rcu.holders.every((h) => h.evidence.includes('rcu-stall')));
  }
});
