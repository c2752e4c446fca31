// KT-kernel-bug-assertion on real logs: a BUG_ON fired; the caller that broke the invariant, and what the site implies.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, readLog, ruleCases } from '../support/rule-cases';
import { kernelBugAssertion } from '../../src/rules/checks/kernel-bug';

ruleCases({
  rule: kernelBugAssertion,
  valid: [
    { log: 'shared:cases/realworld/038-kernel-bug-skb-put-in-vm-rx-softirq/input.txt', why: 'skb_over_panic two bytes past the end as a size computed slightly wrong by the caller of skb_put', class: 'other', culprit: 'page_to_skb', first: true },
    { log: 'shared:cases/realworld/039-arm-kernel-bug-skb-put-usb-gadget-net/input.txt', why: 'skb_over_panic hundreds of bytes past the end as memory corruption', class: 'memory-corruption', first: true },
    { log: 'corpus:report/44', why: 'a BUG_ON in KVM\'s MMU', class: 'other', culprit: 'pte_list_remove', first: true },
    { log: 'corpus:report/742', why: 'a VM_BUG_ON in folio_unlock blamed on its caller', class: 'other', culprit: 'netfs_perform_write', first: true },
    { log: 'corpus:report/656', why: 'a btrfs assertion that panics through assertfail', class: 'other', culprit: 'close_ctree', first: true },
  ],
  invalid: [
    { log: 'test/fixtures/qemu/listdel.log', why: 'a BUG at lib/list_debug.c (the list-corruption rule explains it)' },
    { log: 'test/fixtures/qemu/initimbalance.log', why: 'a WARNING' },
    { log: 'test/fixtures/qemu/nullmember.log', why: 'a NULL member read' },
  ],
});

test('a BUG inside a primitive says whose call broke it', { skip: readLog('corpus:report/742') === null }, async () => {
  const f = (await findingsOf(readLog('corpus:report/742') as string)).find((x) => x.rule === kernelBugAssertion.meta.id);
  assert.ok(f);
  assert.equal(f.facts.checker, 'folio_unlock');
  assert.match(f.summary, /in folio_unlock, reached from netfs_perform_write/);
});

test('the skb overrun is measured from tail and end', { skip: readLog('shared:cases/realworld/038-kernel-bug-skb-put-in-vm-rx-softirq/input.txt') === null }, async () => {
  const f = (await findingsOf(readLog('shared:cases/realworld/038-kernel-bug-skb-put-in-vm-rx-softirq/input.txt') as string)).find((x) => x.rule === kernelBugAssertion.meta.id);
  assert.ok(f);
  assert.equal(f.facts.overrunBytes, 2);
  assert.deepEqual(f.secondaryClasses, ['memory-corruption']);
});
