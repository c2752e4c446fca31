// The five seed post-mortems: ktriage must reach the conclusions their authors reached by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePath } from '../src/analyze/analyze';
import { runRules, type RenderedFinding } from '../src/rules/engine';
import { seedCases, SKIP_SHARED } from './support/shared';

interface Expected {
  root_cause_class: string;
  secondary_classes?: string[];
  culprit_module?: string | null;
  culprit_function?: string | null;
  key_evidence: string[];
  task?: { comm: string; pid: number; cpu: number | null };
  kernel_release?: string | null;
  taint_flags?: string[];
  preempt_count?: string;
  preempt_decode?: Record<string, number | boolean>;
  panic?: string;
  panic_is_inferred?: boolean;
  suspect_modules?: string[];
  fault_address?: string;
  lock_address?: string;
}

const CAMEL: Record<string, string> = {
  preempt_depth: 'preemptDepth',
  softirq_disable_depth: 'softirqDisableDepth',
  serving_softirq: 'servingSoftirq',
  hardirq_depth: 'hardirqDepth',
  nmi: 'nmi',
  plausible: 'plausible',
};

function allText(f: RenderedFinding): string {
  return [f.summary, f.explanation, ...f.nextSteps, ...f.evidence.flatMap((e) => [e.text, e.note])].join('\n');
}

/** A fact anywhere in the findings (they are ranked; supporting findings may carry it). */
function factValues(findings: RenderedFinding[], key: string): unknown[] {
  return findings.map((f) => f.facts[key]).filter((v) => v !== undefined && v !== null);
}

for (const c of seedCases().length > 0 ? seedCases() : [null]) {
  const name = c ? c.name : 'seed cases';
  test(`${name}: diagnosed as its post-mortem concludes`, { skip: c ? false : SKIP_SHARED }, async () => {
    if (!c) return;
    const exp = c.expected as unknown as Expected;
    const a = await analyzePath(c.inputPath);
    const findings = runRules(a, 'en');
    assert.ok(findings.length > 0, 'at least one finding');
    const top = findings[0];

    assert.equal(top.rootCauseClass, exp.root_cause_class, `findings[0] is ${top.rule}: ${top.summary}`);
    if (exp.culprit_module !== undefined) assert.equal(top.culprit?.module ?? null, exp.culprit_module, 'culprit module');
    if (exp.culprit_function !== undefined && exp.culprit_function !== null) assert.equal(top.culprit?.function ?? null, exp.culprit_function, 'culprit function');
    for (const cls of exp.secondary_classes ?? []) {
      const present = top.secondaryClasses.includes(cls) || findings.some((f) => f.rootCauseClass === cls);
      assert.ok(present, `secondary class ${cls} is concluded`);
    }

    const cited = findings.map(allText).join('\n');
    for (const ev of exp.key_evidence) assert.ok(cited.includes(ev), `key evidence "${ev}" is cited`);
    for (const f of findings) for (const e of f.evidence) assert.ok(e.text.length > 0, `evidence line ${e.line} of ${f.rule} quotes the input`);

    if (exp.kernel_release !== undefined) assert.equal(a.kernel.release, exp.kernel_release, 'kernel release');
    if (exp.taint_flags) assert.deepEqual(a.kernel.taint?.flags, exp.taint_flags, 'taint letters');
    if (exp.task) {
      const r = a.reports[top.report ?? 0] ?? a.reports[0];
      assert.equal(r.comm, exp.task.comm, 'task comm');
      assert.equal(r.pid, exp.task.pid, 'task pid');
      if (exp.task.cpu !== null) assert.equal(r.cpu, exp.task.cpu, 'task cpu');
    }
    if (exp.preempt_count) assert.ok(factValues(findings, 'preemptCount').includes(exp.preempt_count), 'preempt count is a fact');
    if (exp.preempt_decode) {
      const decoded = factValues(findings, 'preempt') as Array<Record<string, unknown>>;
      assert.ok(decoded.length > 0, 'the preempt count is decoded');
      for (const [k, v] of Object.entries(exp.preempt_decode)) assert.equal(decoded[0][CAMEL[k] ?? k], v, `preempt decode ${k}`);
    }
    if (exp.panic) {
      const concluded = factValues(findings, 'inferredPanic').includes(exp.panic) || factValues(findings, 'panic').includes(exp.panic) || cited.includes(exp.panic);
      assert.ok(concluded, `the panic "${exp.panic}" is concluded`);
      if (exp.panic_is_inferred) assert.ok(factValues(findings, 'panicIsInferred').includes(true), 'the panic is marked as inferred');
    }
    for (const m of exp.suspect_modules ?? []) {
      const suspects = (factValues(findings, 'suspectModules') as string[][]).flat();
      assert.ok(suspects.includes(m) || factValues(findings, 'lastUnloaded').includes(m), `suspect module ${m}`);
    }
    if (exp.fault_address) {
      assert.ok(factValues(findings, 'faultAddress').includes(exp.fault_address), 'fault address');
      assert.ok(factValues(findings, 'addressRegion').includes('modules'), 'the fault address is in the modules area');
    }
    if (exp.lock_address) assert.ok(factValues(findings, 'lockAddress').includes(exp.lock_address), 'lock address');
  });
}

test('seed 000: the leak is counted, the exit panic is inferred, and the advice names the error-path unlock', { skip: SKIP_SHARED }, async () => {
  const c = seedCases().find((s) => s.name.startsWith('seed-000'));
  if (!c) return;
  const f = runRules(await analyzePath(c.inputPath), 'en');
  assert.equal(f[0].facts.leakedBhDisables, 2);
  assert.ok(f.some((x) => x.rule === 'KT-exit-in-interrupt' && x.facts.caller === 'do_exit'));
  assert.match(f[0].nextSteps.join('\n'), /spin_unlock\(\)/);
  assert.match(f[0].explanation, /last unloaded module was lwconn/);
});

test('seed 001: the exit path is blamed and the sleeping call named', { skip: SKIP_SHARED }, async () => {
  const c = seedCases().find((s) => s.name.startsWith('seed-001'));
  if (!c) return;
  const f = runRules(await analyzePath(c.inputPath), 'en');
  assert.equal(f[0].facts.exitPath, true);
  assert.equal(f[0].facts.sleepingCall, 'kthread_stop');
  assert.match(f[0].explanation, /cleanup_module -> TestMode_ServerExit/);
});

test('seed 002: the Hard LOCKUP is a symptom of a timer-softirq fault; the self-deadlock is on the timer base lock', { skip: SKIP_SHARED }, async () => {
  const c = seedCases().find((s) => s.name.startsWith('seed-002'));
  if (!c) return;
  const f = runRules(await analyzePath(c.inputPath), 'en');
  assert.equal(f[0].facts.callbackKind, 'timer');
  assert.equal(f[0].facts.faultingFunction, 'run_timer_softirq');
  assert.match(String(f[0].facts.selfDeadlockLock), /timer base/);
  const aa = f.find((x) => x.rootCauseClass === 'deadlock-aa');
  assert.ok(aa);
  assert.deepEqual((aa.facts.nestedPath as string[]).slice(-3), ['mod_timer', 'lock_timer_base', '_raw_spin_lock_irqsave']);
  assert.match(f[0].explanation, /symptom/);
});

test('seed 003: IF set inside the lock region, three CPUs on one lock, CPU0 only waiting', { skip: SKIP_SHARED }, async () => {
  const c = seedCases().find((s) => s.name.startsWith('seed-003'));
  if (!c) return;
  const f = runRules(await analyzePath(c.inputPath), 'en');
  assert.equal(f[0].facts.interruptsEnabled, true);
  assert.equal(f[0].facts.rflags, '00000246');
  assert.deepEqual([...(f[0].facts.spinningCpus as number[])].sort(), [1, 2, 3]);
  assert.equal(f[0].facts.ipiWaiterCpu, 0);
  assert.match(f[0].nextSteps.join('\n'), /spin_lock_irqsave/);
});

test('seed 004: implausible count, user address read through thread_info, XFS chain, known fix by version', { skip: SKIP_SHARED }, async () => {
  const c = seedCases().find((s) => s.name.startsWith('seed-004'));
  if (!c) return;
  const f = runRules(await analyzePath(c.inputPath), 'en');
  assert.equal(f[0].facts.plausible, false);
  assert.deepEqual(f[0].facts.wildAccess, { fn: 'task_rq_lock+0x4d', addr: '00000000dd7ed3a8', region: 'user' });
  assert.equal(f[0].facts.stackConsumer, 'xfs');
  const known = f.find((x) => x.rule === 'KT-known-issue');
  assert.ok(known);
  assert.match(known.explanation, /2\.6\.32-520\.el6/);
  assert.match(known.explanation, /6538b8e/);
});
