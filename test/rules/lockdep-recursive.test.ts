// KT-lockdep-recursive on real logs: a task takes a lock it holds; the outer holder is blamed, with both sites and the path between.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { lockdepRecursive } from '../../src/rules/locking/lockdep-recursive';

ruleCases({
  rule: lockdepRecursive,
  valid: [
    { log: 'corpus:report/234', why: 'rtnl_mutex taken again through a final sock_release() under do_ip_vs_set_ctl, both sites printed as rtnl_lock', class: 'deadlock-aa', culprit: 'do_ip_vs_set_ctl', module: null, first: true },
    { log: 'shared:cases/realworld/003-arm64-spinlock-recursion-hugetlb-mmap/input.txt', why: 'hugetlb_lock retaken by the huge-page destructor a put reaches from alloc_surplus_huge_page', class: 'deadlock-aa', culprit: 'alloc_surplus_huge_page', module: null, first: true },
    { log: 'shared:cases/realworld/005-spinlock-recursion-in-tcp-softirq/input.txt', why: 'a module\'s socket callback taking the socket lock TCP holds', class: 'deadlock-aa', culprit: 'lowcomms_error_report', module: 'dlm', first: true },
    { log: 'shared:cases/realworld/004-parisc-spinlock-recursion-during-fault/input.txt', why: 'recursion on terminate_lock: a fault in the unwinder while a fault was being reported', class: 'other', culprit: 'unwind_once', module: null, first: true },
    { log: 'test/fixtures/qemu-debug/recursive.log', why: 'a driver holding its lock across an ops call that takes it again', class: 'deadlock-aa', culprit: 'recur_set_mtu', module: 'recursive', first: true },
    { log: 'test/fixtures/qemu-debug/spinrecursion.log', why: 'a spinlock recursion through a tx-complete op, its stack cut by bare addresses', class: 'deadlock-aa', culprit: 'spinrec_xmit', module: 'spinrecursion', first: true },
  ],
  invalid: [
    { log: 'corpus:report/186', why: 'a circular dependency' },
    { log: 'shared:cases/realworld/009-lockdep-inconsistent-in-block-softirq/input.txt', why: 'an inconsistent lock state' },
    { log: 'shared:cases/seed-002-hard-lockup-timer-after-unload/input.txt', why: 'a self-deadlock through nested contexts without a recursion check' },
    { log: 'test/fixtures/qemu-debug/circular.log', why: 'a driver circular dependency' },
  ],
});

test('KT-lockdep-recursive cites both acquisitions and the path from the holder in to the re-acquirer', async (t) => {
  const text = readLog('corpus:report/234');
  const text003 = readLog('shared:cases/realworld/003-arm64-spinlock-recursion-hugetlb-mmap/input.txt');
  if (text === null || text003 === null) return t.skip('logs absent');
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-lockdep-recursive');
  assert.ok(f);
  assert.deepEqual(f.facts.path, ['do_ip_vs_set_ctl', 'start_sync_thread', 'sock_release', 'inet_release', 'ip_mc_drop_socket']);
  assert.equal(f.facts.sameInstance, true);
  assert.match(f.explanation, /do_ip_vs_set_ctl -> start_sync_thread -> sock_release -> inet_release -> ip_mc_drop_socket/);
  assert.ok(f.evidence.some((e) => /do_ip_vs_set_ctl/.test(e.text)) && f.evidence.some((e) => /ip_mc_drop_socket/.test(e.text)));
  const g = (await findingsOf(text003)).find((x) => x.rule === 'KT-lockdep-recursive');
  assert.ok(g);
  assert.equal(g.facts.reacquirer, 'free_huge_page');
  assert.match(g.explanation, /alloc_surplus_huge_page -> __put_page -> __put_compound_page -> free_huge_page/);
});
