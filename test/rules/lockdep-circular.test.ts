// KT-lockdep-circular on real logs: every edge of the cycle read and explained, blamed on a debugging facility's edge, a driver's, or the acquisition.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { lockdepCircular } from '../../src/rules/locking/lockdep-circular';

ruleCases({
  rule: lockdepCircular,
  valid: [
    { log: 'shared:cases/realworld/011-lockdep-circular-kswapd-xfs-kasan/input.txt', why: 'a cycle whose fs_reclaim edge was recorded inside KASAN\'s stack depot (wrapped console lines)', class: 'other', culprit: 'stack_depot_save_flags', module: null, first: true },
    { log: 'corpus:report/186', why: 'a three-lock cycle between sk_lock, the x_tables mutex and rtnl_mutex', class: 'deadlock-abba', culprit: 'do_ipv6_setsockopt', module: null, first: true },
    { log: 'corpus:report/250', why: 'the loop driver rereading partitions (bd_mutex) with its lo_ctl_mutex held', class: 'deadlock-abba', culprit: 'loop_reread_partitions', first: true },
    { log: 'corpus:report/648', why: 'the runqueue lock held while printk takes the console semaphore', class: 'deadlock-abba', culprit: 'tick_handler' },
    { log: 'corpus:report/466', why: 'a workqueue flushed under a driver lock, the flush printed as the acquisition site', class: 'deadlock-abba', culprit: 'peer_remove_after_dead' },
    { log: 'corpus:report/152', why: 'a report cut before it names the locks', class: 'deadlock-abba', culprit: null },
    { log: 'test/fixtures/qemu-debug/circular.log', why: 'a driver that takes rtnl_mutex under its own lock while its netdevice notifier takes that lock under rtnl', class: 'deadlock-abba', culprit: 'circ_ctl_write', module: 'circular', first: true },
  ],
  invalid: [
    { log: 'corpus:report/234', why: 'recursive locking of rtnl_mutex' },
    { log: 'corpus:report/30', why: 'a SOFTIRQ-safe -> SOFTIRQ-unsafe lock order' },
    { log: 'shared:cases/realworld/009-lockdep-inconsistent-in-block-softirq/input.txt', why: 'an inconsistent lock state' },
    { log: 'test/fixtures/qemu/softlockup.log', why: 'a soft lockup without lockdep' },
    { log: 'test/fixtures/qemu-debug/recursive.log', why: 'a driver recursive-locking report' },
  ],
});

test('KT-lockdep-circular explains a three-lock cycle edge by edge, each with the lock held and the function that took the next', async (t) => {
  const text = readLog('corpus:report/186');
  if (text === null) return t.skip('corpus absent');
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-lockdep-circular');
  assert.ok(f);
  const cycle = f.facts.cycle as Array<{ n: number; lock: string; held: string; takenIn: string }>;
  assert.deepEqual(cycle.map((s) => [s.n, s.lock, s.held, s.takenIn]), [
    [0, 'sk_lock-AF_INET6', 'rtnl_mutex', 'do_ipv6_setsockopt'],
    [1, '&xt[i].mutex', 'sk_lock-AF_INET6', 'xt_find_table_lock'],
    [2, 'rtnl_mutex', '&xt[i].mutex', 'unregister_netdevice_notifier'],
  ]);
  assert.match(f.explanation, /Edge #1: xt_find_table_lock took &xt\[i\]\.mutex while sk_lock-AF_INET6 was held\.\nEdge #2: unregister_netdevice_notifier took rtnl_mutex/);
});

test('KT-lockdep-circular reads lock names and at: sites the console wrapped onto the next line', async (t) => {
  const text = readLog('shared:cases/realworld/011-lockdep-circular-kswapd-xfs-kasan/input.txt');
  if (text === null) return t.skip('shared absent');
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-lockdep-circular');
  assert.ok(f);
  assert.equal(f.facts.acquiring, '&xfs_nondir_ilock_class');
  assert.equal(f.facts.holding, 'fs_reclaim');
  const cycle = f.facts.cycle as Array<{ n: number; owner: string; takenIn: string; module: string | null }>;
  assert.deepEqual(cycle.map((s) => [s.n, s.owner, s.takenIn, s.module]), [
    [0, 'driver-takes-lock', 'xfs_reclaim_inode', 'xfs'],
    [1, 'debug-facility', 'stack_depot_save_flags', null],
  ]);
  assert.doesNotMatch(f.summary, /holding A\b/);
  assert.match(f.explanation, /balance_pgdat/);
});

test('KT-lockdep-circular reads the same cycle from a console that wrapped every line at 60 columns', async (t) => {
  const text = readLog('corpus:report/186');
  if (text === null) return t.skip('corpus absent');
  const wrapped = text.split('\n').flatMap((l) => {
    const out: string[] = [];
    let rest = l;
    while (rest.length > 60) {
      const cut = rest.lastIndexOf(' ', 60);
      const at = cut > 20 ? cut : 60;
      out.push(rest.slice(0, at));
      rest = rest.slice(at).replace(/^ /, '');
    }
    out.push(rest);
    return out;
  }).join('\n');
  const plain = (await findingsOf(text)).find((x) => x.rule === 'KT-lockdep-circular');
  const f = (await findingsOf(wrapped)).find((x) => x.rule === 'KT-lockdep-circular');
  assert.ok(plain && f);
  assert.equal(f.culprit?.function, plain.culprit?.function);
  assert.deepEqual((f.facts.cycle as Array<{ lock: string }>).map((s) => s.lock), (plain.facts.cycle as Array<{ lock: string }>).map((s) => s.lock));
});
