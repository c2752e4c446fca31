// KT-hardware-error on real logs: the hardware reported the error itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { hardwareError } from '../../src/rules/hardware/hardware-error';

const POWER_OFF = 'shared:cases/realworld/025-machine-check-at-power-off/input.txt';

ruleCases({
  rule: hardwareError,
  valid: [
    { log: 'test/fixtures/qemu/mce.log', why: 'an uncorrected machine check injected into a qemu guest', class: 'hardware', culprit: null, first: true },
    { log: 'shared:cases/realworld/033-mce-panic-after-netdev-watchdog-el5/input.txt', why: 'machine checks on two CPUs after a NIC watchdog (RHEL 5)', class: 'hardware', first: true },
    { log: POWER_OFF, why: 'a machine check right after "reboot: Power down"', class: 'hardware', first: true },
    { log: 'shared:cases/realworld/042-two-hung-irq-threads-after-s3-resume/input.txt', why: 'PCIe AER uncorrected errors beside hung tasks', class: 'hardware' },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read' },
    { log: 'test/fixtures/qemu/oom.log', why: 'an out-of-memory panic' },
  ],
});

test('a machine check at power-off is read as the platform rejecting the power-off, with firmware as the other class', { skip: readLog(POWER_OFF) === null }, async () => {
  const f = (await findingsOf(readLog(POWER_OFF) as string)).find((x) => x.rule === hardwareError.meta.id);
  assert.ok(f);
  assert.equal(f.facts.duringShutdown, true);
  assert.deepEqual(f.secondaryClasses, ['firmware-bios']);
  assert.match(f.explanation, /power off or reboot/);
});

test('a machine check on a CPU whose microcode reads ffffffff says the CPU is virtual', { skip: readLog(POWER_OFF) === null }, async () => {
  const f = (await findingsOf(readLog(POWER_OFF) as string)).find((x) => x.rule === hardwareError.meta.id);
  assert.ok(f);
  assert.equal(f.facts.virtualCpu, true);
  assert.match(f.explanation, /The CPU is virtual/);
});

test('an injected machine check with no shutdown or hypervisor sign is a plain fatal hardware error', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/mce.log') as string)).find((x) => x.rule === hardwareError.meta.id);
  assert.ok(f);
  assert.equal(f.facts.duringShutdown, false);
  assert.equal(f.facts.virtualCpu, false);
  assert.equal(f.facts.fatal, true);
  assert.deepEqual(f.secondaryClasses, []);
});

test('the second machine-check report of one event is not left unexplained', { skip: readLog('shared:cases/realworld/033-mce-panic-after-netdev-watchdog-el5/input.txt') === null }, async () => {
  const all = await findingsOf(readLog('shared:cases/realworld/033-mce-panic-after-netdev-watchdog-el5/input.txt') as string);
  assert.ok(!all.some((f) => f.rule === 'KT-unexplained-report' && /machine check/.test(f.summary)), all.map((f) => f.summary).join('; '));
});
