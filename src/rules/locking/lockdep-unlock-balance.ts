// Lockdep "bad unlock balance": a task releases a lock it does not hold.

import { blameOfSite, blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { lockAfter, lockEvidence } from '../lockdep-lines';
import { ev, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /bad unlock balance detected/;

export const lockdepUnlockBalance: Rule = {
  meta: {
    id: 'KT-lockdep-unlock-balance',
    rootCauseClass: 'lock-imbalance',
    summary: t('A lock was released by a task that does not hold it (double unlock or unlock on the wrong path)', '任务释放了一把自己并未持有的锁（重复解锁或在错误路径上解锁）'),
    docs: t(
      `Looks for "WARNING: bad unlock balance detected!" and "COMM/PID is trying to release lock (L) at:
FUNC ... but there are no more locks to release!". The task unlocks a lock lockdep does not see
it holding: an unlock on an error path that is also done by the caller, an unlock after the lock
was already dropped inside a helper, or an unlock of a lock taken by another task (a mutex must
be released by its owner).
What to do: follow every path through FUNC from the lock to the unlock and make the pairing
one-to-one; "Unlock on an error path" is the usual place.`,
      `匹配 "WARNING: bad unlock balance detected!" 以及 "COMM/PID is trying to release lock (L) at: 函数 ...
but there are no more locks to release!"。任务释放了一把 lockdep 认为它并未持有的锁：错误分支上解锁了
一次、调用者又解锁一次；某个辅助函数内部已经释放了锁，之后又解锁；或者释放了另一个任务获取的锁
（mutex 必须由持有者释放）。
处理办法：沿着从加锁到解锁经过该函数的每条路径走一遍，让加锁和解锁一一对应；最常见的问题在错误分支。`,
    ),
    references: ['Documentation/locking/lockdep-design.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const lock = lockAfter(ctx, r, /is trying to release lock/);
      const c = (lock?.at ? blameOfSite({ function: lock.at, offset: null, module: null, line: lock.line }, 'printed') : null) ?? blameReport(r, 'context');
      const fn = c.function;
      const evidence = [ev(hit.header.no, 'lockdep: unlock of a lock not held', 'lockdep：释放了未持有的锁'), ...lockEvidence(lock, 'released', '被释放的锁')];
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      out.push({
        report: hit.index,
        confidence: lock ? 0.85 : 0.75,
        summary: t(`${fn ?? 'The code'} releases ${lock?.name ?? 'a lock'} that the task does not hold: unbalanced unlock`, `${fn ?? '代码'} 释放了任务并未持有的 ${lock?.name ?? '锁'}：解锁不配对`),
        explanation: paragraphs([
          t(`${fn ?? 'The code'} unlocked ${lock?.name ?? 'a lock'}, but the task holds no such lock at that point. Either it was already released on this path (double unlock, often an error path unlocking before a common exit that unlocks again), or it was taken by another task.`, `${fn ?? '代码'} 释放了 ${lock?.name ?? '一把锁'}，但此时任务并未持有这把锁。要么这条路径上已经释放过一次（重复解锁，常见于错误分支先解锁、公共出口又解锁一次），要么它是另一个任务获取的。`),
          t('A double unlock of a spinlock or mutex corrupts its state: other tasks may enter the critical section together, or later lock operations hang.', '自旋锁或 mutex 被重复释放会破坏锁状态：其他任务可能同时进入临界区，或者之后的加锁操作挂死。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t(`Read ${fn ?? 'the unlocking function'}: list each lock/unlock of ${lock?.name ?? 'the lock'} per path (goto labels, early returns, helpers that unlock internally).`, `阅读 ${fn ?? '解锁函数'}：按路径列出 ${lock?.name ?? '该锁'} 的每一次加锁/解锁（goto 标签、提前 return、内部会解锁的辅助函数）。`),
          t('Add lockdep_assert_held(&lock) before the unlock to catch the path that arrives without it.', '在解锁之前加 lockdep_assert_held(&lock)，抓出没有持锁就走到这里的路径。'),
        ),
        facts: { lock: lock?.name ?? null, releasedIn: fn },
      });
    }
    return out;
  },
};
