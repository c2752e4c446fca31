// The lockdep reader on real logs: held-lock lists of the whole system, wrapped lines, usage states, the workqueue leak, the spinlock debug owner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../src/analyze/analyze';
import { makeContext } from '../src/rules/engine';
import { readLockdep, parseUsageState, type LockdepReport } from '../src/rules/lockdep';
import { readLog } from './support/rule-cases';

async function lockdepOf(ref: string, pick: (r: LockdepReport) => boolean = () => true): Promise<LockdepReport | null> {
  const text = readLog(ref);
  if (text === null) return null;
  const a = await analyzeText(ref, text);
  const ctx = makeContext(a);
  return a.reports.map((r) => readLockdep(ctx, r)).find(pick) ?? null;
}

test('"Showing all locks held in the system" is read task by task, each list no longer than its count, kworker names with their colons', async (t) => {
  const l = await lockdepOf('corpus:report/436', (r) => r.heldLists.length > 3);
  if (!l) return t.skip('corpus absent');
  const kworker = l.heldLists.find((x) => x.task === 'kworker/1:0/17');
  assert.ok(kworker, `lists: ${l.heldLists.map((x) => x.task).join(', ')}`);
  assert.equal(kworker.pid, 17);
  assert.deepEqual(kworker.locks.map((x) => [x.index, x.name, x.at?.function]), [
    [0, '(wq_completion)ipv6_addrconf', 'process_one_work'],
    [1, '(addr_chk_work).work', 'process_one_work'],
    [2, 'rtnl_mutex', 'rtnl_lock'],
  ]);
  for (const list of l.heldLists) assert.ok(list.locks.length <= list.count, `${list.task}: ${list.locks.length} locks for a count of ${list.count}`);
  const getty = l.heldLists.find((x) => x.task === 'getty/8750');
  assert.equal(getty?.locks[1].address, 'ffffc90005f2d2e0');
});

test('a lock reference and its at: site split over three console lines read as one', async (t) => {
  const l = await lockdepOf('shared:cases/realworld/011-lockdep-circular-kswapd-xfs-kasan/input.txt');
  if (!l) return t.skip('shared absent');
  assert.equal(l.kind, 'circular');
  assert.equal(l.task, 'kswapd0/149');
  assert.deepEqual([l.acquiring?.address, l.acquiring?.name, l.acquiring?.waitType, l.acquiring?.at?.function, l.acquiring?.at?.module], ['ffff88811346a920', '&xfs_nondir_ilock_class', 4, 'xfs_reclaim_inode', 'xfs']);
  assert.deepEqual([l.holding[0]?.name, l.holding[0]?.at?.function], ['fs_reclaim', 'balance_pgdat']);
  assert.equal(l.edges.length, 1);
  assert.equal(l.edges[0].lock, 'fs_reclaim');
  assert.ok(l.edges[0].frames.some((f) => f.function === 'xfs_iext_insert_raw' && f.module === 'xfs'));
});

test('inconsistent usage states are read with their irq state, context and access', async (t) => {
  const l = await lockdepOf('shared:cases/realworld/009-lockdep-inconsistent-in-block-softirq/input.txt');
  if (!l) return t.skip('shared absent');
  assert.deepEqual(l.usage?.fromState, { text: 'SOFTIRQ-ON-W', state: 'SOFTIRQ', inContext: false, write: true });
  assert.deepEqual(l.usage?.toState, { text: 'IN-SOFTIRQ-W', state: 'SOFTIRQ', inContext: true, write: true });
  assert.equal(l.context?.softirq, true);
  assert.equal(l.acquiring?.usage, '+.?.');
  assert.ok(l.registered.some((f) => f.function === '__nr_hugepages_store_common'));
  assert.deepEqual(parseUsageState('in-hardirq-W'), { text: 'in-hardirq-W', state: 'HARDIRQ', inContext: true, write: true });
});

test('the workqueue leak\'s task, count, pid and work function with its module are read from both of its lines', async () => {
  const l = await lockdepOf('test/fixtures/qemu/wqleak.log', (r) => r.workqueue !== null);
  assert.ok(l?.workqueue);
  // The worker's name and pid change with every capture: read them from the log's own header.
  const m = /workqueue leaked lock or atomic: (\S+?)\/0x[0-9a-f]+\/(\d+)/.exec(readLog('test/fixtures/qemu/wqleak.log') as string) as RegExpExecArray;
  assert.deepEqual({ ...l.workqueue, line: 0, lastFunctionLine: 0 }, { line: 0, task: m[1], preemptCount: '0x00000201', pid: Number(m[2]), lastFunction: 'wqleak_refill_work', lastFunctionModule: 'wqleak', lastFunctionLine: 0 });
  assert.equal(l.leakPoint, 'work-item');
});

test('the spinlock debug line gives the lock by symbol and its owner', async (t) => {
  const l = await lockdepOf('shared:cases/realworld/003-arm64-spinlock-recursion-hugetlb-mmap/input.txt');
  if (!l) return t.skip('shared absent');
  assert.deepEqual({ ...l.spinDebug, line: 0 }, { lock: 'hugetlb_lock', owner: 'hugemmap05/1079', ownerCpu: 0, line: 0 });
});

test('the released lock of a bad unlock balance is read without usage bits, its site from the next line', async (t) => {
  const l = await lockdepOf('corpus:report/116');
  if (!l) return t.skip('corpus absent');
  assert.equal(l.kind, 'bad-unlock');
  assert.equal(l.acquiring?.name, 'mrt_lock');
  assert.equal(l.acquiring?.at?.function, 'ipmr_mfc_seq_stop');
  assert.equal(l.heldLists[0]?.locks[0]?.name, '&p->lock');
});
