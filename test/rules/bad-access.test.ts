// KT-bad-kernel-access on real logs: what the bad address (or the registers) says about the pointer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { badKernelAccess } from '../../src/rules/memory/bad-access';

ruleCases({
  rule: badKernelAccess,
  valid: [
    { log: 'test/fixtures/qemu/listpoison.log', why: 'a GPF on LIST_POISON1+8 after a second removal of a list entry as a double teardown, not a use-after-free', class: 'memory-corruption', culprit: 'listdel_remove', module: 'listdel', first: true },
    { log: 'test/fixtures/dumps/slabfree/session.txt', why: 'a GPF on a scrambled freelist pointer, with crash\'s kmem saying the object in RDI is free, as a use-after-free', class: 'use-after-free', culprit: 'slabfree_complete', module: 'slabfree', first: true },
    { log: 'test/fixtures/dumps/slabfree/bt.txt', why: 'the same GPF as crash\'s bt of the panic task alone: the report is its title, the registers its exception frame\'s', class: 'memory-corruption', culprit: 'slabfree_complete', module: 'slabfree', first: true },
    { log: 'test/fixtures/dumps/slabfree/console.log', why: 'the same GPF from the console alone: a garbage pointer, nothing says the object was freed', class: 'memory-corruption', culprit: 'slabfree_complete', module: 'slabfree', first: true },
    { log: 'test/fixtures/qemu/slabuaf.log', why: 'a GPF on a pointer loaded from a freed object that slub_debug poisoned as a use-after-free', class: 'use-after-free', culprit: 'slabuaf_peer_packets', module: 'slabuaf', first: true },
    { log: 'shared:cases/realworld/036-gpf-list-poison-in-disk-removal/input.txt', why: 'LIST_POISON2 in a GPF during disk removal as a deleted entry walked again', class: 'memory-corruption', culprit: ['mddev_unlock', 'do_md_stop'], first: true },
    { log: 'shared:cases/realworld/017-write-fault-during-pci-probe/input.txt', why: 'a write refused on a present page of a loaded module as a write to read-only memory', class: 'other', culprit: 'intel_quark_mfd_probe', module: 'intel_quark_i2c_gpio', first: true },
    { log: 'shared:cases/realworld/015-page-fault-i2c-probe-after-rmmod/input.txt', why: 'a not-present read in the modules area after an rmmod as memory of an unloaded module', class: 'dangling-callback-after-unload' },
    { log: 'corpus:report/148', why: 'a syzkaller GPF (KASAN shadow of a garbage pointer) in tipc_subscrb_subscrp_delete', class: 'memory-corruption', culprit: 'tipc_subscrb_subscrp_delete', first: true },
    { log: 'corpus:report/146', why: 'a paging request at a user-space address used as a kernel pointer, blamed on the caller that handed it to the wait-queue primitive', class: 'memory-corruption', culprit: 'ep_unregister_pollwait', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read (the NULL-dereference rule explains it)' },
    { log: 'corpus:report/130', why: 'a KASAN use-after-free report' },
    { log: 'test/fixtures/qemu/listdel.log', why: 'a double list_del() caught by CONFIG_DEBUG_LIST before any fault' },
    { log: 'test/fixtures/qemu/oom.log', why: 'an out-of-memory panic' },
  ],
});

async function mine(ref: string) {
  const text = readLog(ref);
  if (text === null) return null;
  return (await findingsOf(text, ref)).find((f) => f.rule === badKernelAccess.meta.id) ?? null;
}

test('a GPF takes its address from the header, never from the stale CR2', async () => {
  const f = await mine('test/fixtures/qemu/listpoison.log');
  assert.ok(f);
  assert.equal(f.facts.faultAddress, '0xdead000000000108');
  assert.equal(f.facts.poison, 'LIST_POISON1');
  assert.ok(!/ffffffffc0/.test(String(f.facts.faultAddress)), 'CR2 holds the opcode-fetch address, not the fault');
  assert.ok(!f.secondaryClasses.includes('memory-corruption'));
  assert.deepEqual(f.secondaryClasses, ['use-after-free']);
});

test('a GPF without an address in its header gets none, although CR2 is printed', { skip: readLog('corpus:report/196') === null }, async () => {
  const text = readLog('corpus:report/196') as string;
  assert.match(text, /CR2: /);
  const f = await mine('corpus:report/196');
  assert.ok(f);
  assert.equal(f.facts.faultAddress, null);
  assert.doesNotMatch(f.explanation, /CR2|the fault address/);
});

test('the last 8 bytes of a freed object (6b..6b a5) prove a use-after-free', async () => {
  const f = await mine('test/fixtures/qemu/slabuaf.log');
  assert.ok(f);
  assert.equal(f.facts.poisonProves, 'freed');
  assert.match(f.summary, /use-after-free/);
  assert.ok((f.facts.poisonedRegisters as string[]).includes('RAX'));
});

test('a locked increment of memory decoded from Code: is called a write', { skip: readLog('corpus:report/162') === null }, async () => {
  const f = await mine('corpus:report/162');
  assert.ok(f);
  assert.equal(f.facts.access, 'write');
  assert.match(f.explanation, /wrote to/);
});

test('a write refused on a present page says "wrote", not "accessed"', { skip: readLog('shared:cases/realworld/017-write-fault-during-pci-probe/input.txt') === null }, async () => {
  const f = await mine('shared:cases/realworld/017-write-fault-during-pci-probe/input.txt');
  assert.ok(f);
  assert.equal(f.facts.access, 'write');
  assert.match(f.explanation, /wrote to 0xffffffffc00be140/);
});

test('a fault in a module\'s init function says so', async () => {
  const f = await mine('test/fixtures/qemu/slabuaf.log');
  assert.ok(f);
  assert.deepEqual(f.facts.modulePhase, { phase: 'init', module: 'slabuaf', function: 'slabuaf_init' });
  assert.match(f.explanation, /init function of slabuaf/);
});
