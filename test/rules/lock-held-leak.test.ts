// KT-lock-held-leak on real logs: a lock or count still held where none may be, blamed on the site that took the leaked lock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleCases, findingsOf, readLog } from '../support/rule-cases';
import { lockHeldLeak } from '../../src/rules/locking/lock-held-leak';

ruleCases({
  rule: lockHeldLeak,
  valid: [
    { log: 'shared:cases/realworld/035-workqueue-leaked-lock-smb-server/input.txt', why: 'a work item that returned holding sb_writers and a directory i_rwsem', class: 'lock-imbalance', culprit: 'ksmbd_vfs_kern_path_locked', first: true },
    { log: 'corpus:report/212', why: 'an RCU-bh read section leaked by a netfilter match under a work item', class: 'lock-imbalance', culprit: 'hashlimit_mt_common', first: true },
    { log: 'corpus:report/258', why: 'a mutex held on return to user space (the list is read only as far as its count)', class: 'lock-imbalance', culprit: 'fuse_lock_inode' },
    { log: 'corpus:report/532', why: 'rcu_read_lock still held at a point where no lock may be', class: 'lock-imbalance', culprit: 'count_memcg_event_mm' },
    { log: 'corpus:report/36', why: 'a pipe mutex still held', class: 'lock-imbalance', culprit: 'pipe_lock' },
    { log: 'test/fixtures/qemu/wqleak.log', why: 'a work function that returned with its spin_lock_bh() held, on a kernel without lockdep (count 0x201)', class: 'lock-imbalance', culprit: 'wqleak_refill_work', module: 'wqleak', first: true },
    { log: 'test/fixtures/qemu/wqleakpreempt.log', why: 'a work function that returned with preemption disabled (count 0x1)', class: 'lock-imbalance', culprit: 'wqleak_stats_work', module: 'wqleak', first: true },
    { log: 'test/fixtures/qemu-debug/userlock.log', why: 'a mutex held on return to user space, named by lockdep\'s list', class: 'lock-imbalance', culprit: 'hungmutex_ctl_write', module: 'hungmutex', first: true },
    { log: 'test/fixtures/qemu-debug/wqleaklocks.log', why: 'a work item that returned with its spin_lock_bh() held, listed by lockdep and reported again after the next work', class: 'lock-imbalance', culprit: 'wqleak_refill_work', module: 'wqleak', first: true },
  ],
  invalid: [
    { log: 'corpus:report/156', why: 'a bad unlock balance' },
    { log: 'corpus:report/186', why: 'a circular dependency' },
    { log: 'shared:cases/seed-000-bh-leak-error-path/input.txt', why: 'a BH count leaked to user space without lockdep' },
    { log: 'test/fixtures/qemu-debug/badunlock.log', why: 'a bad unlock balance' },
  ],
});

test('KT-lock-held-leak reads the held-lock list entry by entry: address, class, wait type and site', async (t) => {
  const text = readLog('shared:cases/realworld/035-workqueue-leaked-lock-smb-server/input.txt');
  if (text === null) return t.skip('shared absent');
  const f = (await findingsOf(text)).find((x) => x.rule === 'KT-lock-held-leak');
  assert.ok(f);
  assert.deepEqual(f.facts.locks, [
    { lock: 'sb_writers#3', address: 'ffff8881051ae448', waitType: '0:0', takenIn: 'ksmbd_vfs_kern_path_locked' },
    { lock: '&type->i_mutex_dir_key#3/1', address: 'ffff888130e966c0', waitType: '4:4', takenIn: 'ksmbd_vfs_kern_path_locked' },
  ]);
  assert.equal(f.facts.workFunction, 'handle_ksmbd_work');
  assert.equal(f.facts.where, 'work-item');
});

test('KT-lock-held-leak says a later check that finds the same leaked lock repeats the first report', async () => {
  const all = (await findingsOf(readLog('test/fixtures/qemu-debug/wqleaklocks.log') as string)).filter((x) => x.rule === 'KT-lock-held-leak');
  assert.ok(all.length >= 2, `${all.length} leak findings`);
  assert.equal(all[0].facts.repeatOf, null);
  assert.equal(typeof all[1].facts.repeatOf, 'number');
  assert.equal(all[1].culprit?.function, 'wqleak_refill_work', 'the repeat is still the first work function\'s lock');
  assert.ok(all[1].confidence < all[0].confidence);
});

test('KT-lock-held-leak decodes a workqueue leak with no lock listed and blames the work function with its module', async () => {
  const f = (await findingsOf(readLog('test/fixtures/qemu/wqleak.log') as string)).find((x) => x.rule === 'KT-lock-held-leak');
  assert.ok(f);
  assert.equal(f.facts.preemptCount, '0x00000201');
  assert.match(f.summary, /a spin_lock_bh\(\) still held/);
  assert.match(f.explanation, /lockdep is off/);
  assert.ok(f.evidence.some((e) => /scheduling while atomic: kworker\/\d+:\d+\/\d+\/0x00000202/.test(e.text)), 'the later sleep of the same worker is cited as the consequence');
  const g = (await findingsOf(readLog('test/fixtures/qemu/wqleakpreempt.log') as string)).find((x) => x.rule === 'KT-lock-held-leak');
  assert.ok(g);
  assert.match(g.summary, /preemption disabled once/);
  assert.doesNotMatch(g.summary, /bottom halves/);
});
