// KT-null-deref on real logs: which member of a NULL struct pointer, a call through a NULL function pointer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { nullDeref } from '../../src/rules/memory/null-deref';

ruleCases({
  rule: nullDeref,
  valid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'the member at offset 0x48 of a NULL device pointer read in module init', class: 'null-deref', culprit: 'nullmember_read_stats', module: 'nullmember', first: true },
    { log: 'corpus:report/174', why: 'a syzkaller NULL dereference at offset 0x10 in rtnl_dump_ifinfo', class: 'null-deref', culprit: 'rtnl_dump_ifinfo', first: true },
    { log: 'corpus:report/256', why: 'an instruction fetch at a small address as a call through a NULL function pointer', class: 'null-deref', culprit: 'sock_poll', first: true },
    { log: 'corpus:report/392', why: 'a KASAN null-ptr-deref GPF (no fault address, a range instead)', class: 'null-deref', culprit: 'x25_connect', first: true },
    { log: 'shared:cases/realworld/037-arm64-null-deref-in-threaded-irq-at-boot/input.txt', why: 'an arm64 NULL dereference in a threaded IRQ handler', class: 'null-deref', culprit: ['tcpci_irq', 'tcpci_probe'], first: true },
    { log: 'shared:cases/realworld/018-i386-oops-in-timer-tick-2004/input.txt', why: 'an i386 oops of 2004 at a NULL-based address', class: 'null-deref', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/slabuaf.log', why: 'a GPF on slab poison (a freed pointer, not NULL)' },
    { log: 'test/fixtures/qemu/listpoison.log', why: 'a GPF on LIST_POISON' },
    { log: 'corpus:report/130', why: 'a KASAN use-after-free report' },
  ],
});

async function mine(ref: string) {
  const text = readLog(ref);
  return text === null ? null : (await findingsOf(text, ref)).find((f) => f.rule === nullDeref.meta.id) ?? null;
}

test('a NULL member read in module init names the member offset, the read, and the init path', async () => {
  const f = await mine('test/fixtures/qemu/nullmember.log');
  assert.ok(f);
  assert.equal(f.facts.memberOffset, '0x48');
  assert.equal(f.facts.access, 'read');
  assert.match(f.explanation, /read the member at offset 0x48/);
  assert.deepEqual(f.facts.modulePhase, { phase: 'init', module: 'nullmember', function: 'nullmember_init' });
  assert.match(f.explanation, /init function of nullmember/);
});

test('a KASAN null-ptr-deref takes the offset from its range, not from CR2', { skip: readLog('corpus:report/738') === null }, async () => {
  const f = await mine('corpus:report/738');
  assert.ok(f);
  assert.equal(f.facts.memberOffset, '0x20');
  assert.equal(f.facts.errorCode, null);
});
