// KT-list-corruption on real logs: what CONFIG_DEBUG_LIST found in a neighbour's pointers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { listCorruption } from '../../src/rules/memory/list-corruption';

ruleCases({
  rule: listCorruption,
  valid: [
    { log: 'test/fixtures/qemu/listdel.log', why: 'a second list_del() of an entry that holds LIST_POISON1 as a double teardown (memory-corruption, not use-after-free)', class: 'memory-corruption', culprit: ['listdel_unbind_client', 'listdel_ctl_write'], module: 'listdel', first: true },
    { log: 'shared:cases/realworld/006-list-add-corruption-page-fault-path/input.txt', why: 'a list_add whose neighbour does not point back', class: 'memory-corruption', culprit: ['fb_deferred_io_mkwrite', 'fb_deferred_io_fault'], first: true },
    { log: 'shared:cases/realworld/007-list-add-bug-wifi-tx/input.txt', why: 'a list_add finding a NULL link in a driver\'s TX path', class: 'memory-corruption', culprit: 'iwl_mvm_mac_wake_tx_queue', module: 'iwlmvm', first: true },
    { log: 'corpus:report/184', why: 'a syzkaller "corrupted list" report', class: 'memory-corruption', culprit: '__dev_remove_pack', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/listpoison.log', why: 'the same double removal past the debug check (a GPF, no list_debug message)' },
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read' },
    { log: 'corpus:report/158', why: 'a refcount WARNING' },
  ],
});

test('LIST_POISON in a list_del is a double teardown: use-after-free only as a secondary class', async () => {
  const text = readLog('test/fixtures/qemu/listdel.log') as string;
  const f = (await findingsOf(text)).find((x) => x.rule === listCorruption.meta.id);
  assert.ok(f);
  assert.equal(f.facts.shape, 'deleted');
  assert.equal(f.facts.poisonProves, 'list-deleted');
  assert.deepEqual(f.secondaryClasses, ['use-after-free']);
  assert.match(f.explanation, /Nothing in the report shows that the memory was freed/);
});
