// analyze --source DIR: the crash's diagnosis tied to the module's source, on the seed crashes and modules with their bugs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, seedCases, SKIP_SHARED } from './support/shared';

const BIN = join(REPO, 'bin', 'ktriage');
const SRC = join('test', 'fixtures', 'source');

interface Linked {
  rule: string;
  rootCauseClass: string;
  source?: { culprit: { function: string; file: string; line: number } | null; findings: Array<{ match: string; rule: string; file: string; line: number; function: string }> };
}

function analyze(seed: string, source: string, format = 'json'): { status: number | null; stdout: string; stderr: string } {
  const c = seedCases().find((s) => s.name.startsWith(seed));
  assert.ok(c, seed);
  return spawnSync(BIN, ['analyze', '--format', format, '--source', join(SRC, source), c.inputPath], { cwd: REPO, encoding: 'utf8' });
}

function findings(seed: string, source: string): Linked[] {
  const r = analyze(seed, source);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { findings: Linked[] }).findings;
}

test('seed 001 with its module: the culprit is found in the source, with the spin_lock_bh left held at its return', { skip: SKIP_SHARED }, () => {
  const [f] = findings('seed-001', 'server_stop.c');
  assert.equal(f.rootCauseClass, 'lock-imbalance');
  assert.deepEqual(f.source?.culprit, { function: 'TestMode_ServerExit', file: join(SRC, 'server_stop.c'), line: 25 });
  assert.deepEqual(f.source?.findings.map((x) => [x.match, x.rule, x.line]), [['culprit', 'KT-check-held-at-return', 32]]);
  const text = analyze('seed-001', 'server_stop.c', 'text').stdout;
  assert.match(text, /In the source:\n\s+- TestMode_ServerExit\(\) is defined at test\/fixtures\/source\/server_stop\.c:25/);
  assert.match(text, /server_stop\.c:32:3: TestMode_ServerExit\(\):\s+TestMode_ServerExit\(\) returns here\s+with\s+spin_lock_bh/);
  // With the fixed module there is nothing to attach but the culprit's place.
  const [g] = findings('seed-001', 'server_stop_fixed.c');
  assert.deepEqual(g.source?.findings, []);
  assert.equal(g.source?.culprit?.function, 'TestMode_ServerExit');
});

test('seed 000, which names no function: the BH leaks of the module are the candidates', { skip: SKIP_SHARED }, () => {
  const [f] = findings('seed-000', 'link_config.c');
  assert.equal(f.source?.culprit, null);
  assert.ok((f.source?.findings.length ?? 0) > 0);
  assert.ok(f.source?.findings.every((x) => x.match === 'class' && x.rule === 'KT-check-lock-variant-mismatch'));
});

test('seed 002: the timer the module exit forgot; seed 003: the nested spin_unlock_irq()', { skip: SKIP_SHARED }, () => {
  const timer = findings('seed-002', 'timer_leak.c').find((f) => f.rootCauseClass === 'dangling-callback-after-unload');
  assert.deepEqual(timer?.source?.findings.map((x) => x.rule), ['KT-check-teardown']);
  const irq = findings('seed-003', 'irq_nested.c').find((f) => f.rootCauseClass === 'irq-state-corruption');
  assert.ok(irq?.source?.findings.length);
  assert.ok(irq?.source?.findings.every((x) => x.rule === 'KT-check-nested-irq-enable'));
  // Source of another kind explains nothing of these crashes.
  const none = findings('seed-002', 'balanced.c').find((f) => f.rootCauseClass === 'dangling-callback-after-unload');
  assert.equal(none?.source, undefined);
});

test('--source that cannot be read: said, exit 2, the crash still analysed', { skip: SKIP_SHARED }, () => {
  const c = seedCases()[0];
  const r = spawnSync(BIN, ['analyze', '--format', 'json', '--source', '/nonexistent/mod', c.inputPath], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read \/nonexistent\/mod/);
  assert.ok((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length > 0);
});

test('a crash that names its module: the candidates are in that module\'s files (its own name, or a composite of the Makefile), not in other drivers of the directory', { skip: SKIP_SHARED }, async () => {
  const { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { sharedDir } = await import('./support/shared');
  const real = join(sharedDir() ?? '', 'cases', 'realworld');
  const name = readdirSync(real).find((n) => n.includes('i2c-probe-after-rmmod'));
  assert.ok(name, 'the i2c_piix4 case');
  const input = join(real, name, 'input.txt');
  const leak = readFileSync(join(REPO, SRC, 'timer_leak.c'), 'utf8');
  const candidates = (files: Record<string, string>): string[] => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-modules-'));
    try {
      for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
      const r = spawnSync(BIN, ['analyze', '--format', 'json', '--source', dir, input], { encoding: 'utf8' });
      const fs = (JSON.parse(r.stdout) as { findings: Linked[] }).findings;
      const f = fs.find((x) => x.rootCauseClass === 'dangling-callback-after-unload');
      return [...new Set((f?.source?.findings ?? []).map((s) => s.file.split('/').pop() ?? ''))].sort();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  assert.deepEqual(candidates({ 'i2c-piix4.c': leak, 'i2c-other.c': leak }), ['i2c-piix4.c']);
  assert.deepEqual(candidates({ 'core.c': leak, 'i2c-other.c': leak, Makefile: 'obj-m += i2c-piix4.o\ni2c-piix4-objs := core.o \\\n\tsmbus.o\n' }), ['core.c']);
  // None of the source is the module the crash names: the user's module under another name, all its candidates.
  assert.deepEqual(candidates({ 'mytimer.c': leak }), ['mytimer.c']);
});
