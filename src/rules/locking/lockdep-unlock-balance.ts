// Lockdep "bad unlock balance": a task releases a lock it does not hold.

import { paragraphs } from '../reports';
import { blameReport, culpritOfBlame } from '../blame';
import { blameOfLockSite, readLockdep, siteName } from '../lockdep';
import { listOf, messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: { en: '{{fn}} releases {{lock}}, which the task does not hold: an unbalanced unlock', zh: '{{fn}} 释放了任务并未持有的 {{lock}}：解锁不配对' },
  summaryNoLock: { en: '{{fn}} releases a lock the task does not hold: an unbalanced unlock', zh: '{{fn}} 释放了一把任务并未持有的锁：解锁不配对' },
  summaryNoFn: { en: 'A task releases {{lock}}, which it does not hold: an unbalanced unlock', zh: '任务释放了自己并未持有的 {{lock}}：解锁不配对' },
  summaryBare: { en: 'A task releases a lock it does not hold: an unbalanced unlock', zh: '任务释放了一把自己并未持有的锁：解锁不配对' },
  explain: {
    en: '{{fn}} unlocks {{lock}}, but lockdep sees no such lock held by the task at that point. Either it was already released on this path (a double unlock, often an error path that unlocks before a common exit that unlocks again, or a helper that unlocks internally), or it was taken by another task (a mutex must be released by its owner).',
    zh: '{{fn}} 释放了 {{lock}}，但 lockdep 认为此时任务并未持有这把锁。要么这条路径上已经释放过一次（重复解锁，常见于错误分支先解锁、公共出口又解锁一次，或者辅助函数内部已经解锁），要么它是另一个任务获取的（mutex 必须由持有者释放）。',
  },
  explainBare: {
    en: 'The task unlocks a lock lockdep does not see it holding: a double unlock on some path, or an unlock of a lock another task took.',
    zh: '任务释放了一把 lockdep 认为它并未持有的锁：某条路径上的重复解锁，或者释放了另一个任务获取的锁。',
  },
  explainHeld: { en: 'The task holds {{locks}} at that point, not {{lock}}.', zh: '此时任务持有的是 {{locks}}，而不是 {{lock}}。' },
  explainHeldNone: { en: 'The task holds no lock at that point.', zh: '此时任务不持有任何锁。' },
  explainEffect: {
    en: 'A double unlock corrupts the lock: other tasks may enter the critical section together, or a later lock operation hangs or underflows a count.',
    zh: '重复解锁会破坏锁的状态：其他任务可能同时进入临界区，或者之后的加锁操作挂死、计数下溢。',
  },
  theLock: { en: 'the lock', zh: '这把锁' },
  evHeader: { en: 'Lockdep found an unlock of a lock the task does not hold.', zh: 'lockdep 发现任务释放了一把它并未持有的锁。' },
  evRelease: { en: '{{fn}} releases {{lock}} here.', zh: '{{fn}} 在这里释放 {{lock}}。' },
  evReleaseNoSite: { en: '{{lock}} is released here.', zh: '这里释放了 {{lock}}。' },
  evCulprit: { en: '{{fn}} is on the stack that unlocks.', zh: '{{fn}} 位于执行解锁的调用栈上。' },
  evHeld: { en: 'The locks the task does hold.', zh: '任务实际持有的锁。' },
  stepRead: {
    en: 'Read {{fn}}: list each lock and unlock of {{lock}} per path (goto labels, early returns, helpers that unlock internally) and make them one-to-one.',
    zh: '阅读 {{fn}}：按路径列出 {{lock}} 的每一次加锁和解锁（goto 标签、提前 return、内部会解锁的辅助函数），让它们一一对应。',
  },
  stepReadBare: { en: 'Read the unlocking code on this stack: list each lock and unlock per path and make them one-to-one.', zh: '阅读这个调用栈上执行解锁的代码：按路径列出每一次加锁和解锁，让它们一一对应。' },
  stepAssert: { en: 'Add lockdep_assert_held() before the unlock to catch the path that arrives without the lock.', zh: '在解锁之前加 lockdep_assert_held()，抓出没有持锁就走到这里的路径。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const lockdepUnlockBalance: Rule = {
  meta: {
    id: 'KT-lockdep-unlock-balance',
    rootCauseClass: 'lock-imbalance',
    summary: { en: 'A lock was released by a task that does not hold it (double unlock or unlock on the wrong path)', zh: '任务释放了一把自己并未持有的锁（重复解锁或在错误路径上解锁）' },
    docs: {
      en: `Looks for "WARNING: bad unlock balance detected!" and "COMM/PID is trying to release lock (L) at:
FUNC ... but there are no more locks to release!". The task unlocks a lock lockdep does not see
it holding: an unlock on an error path that the caller also does, an unlock after a helper
already dropped the lock, or an unlock of a lock another task took (a mutex must be released
by its owner). The culprit is the printed release site; the locks the task does hold are shown.
What to do: follow every path through FUNC from the lock to the unlock and make the pairing
one-to-one; error paths are the usual place.`,
      zh: `匹配 "WARNING: bad unlock balance detected!" 以及 "COMM/PID is trying to release lock (L) at: 函数 ...
but there are no more locks to release!"。任务释放了一把 lockdep 认为它并未持有的锁：错误分支上解锁了
一次、调用者又解锁一次；辅助函数内部已经释放了锁，之后又解锁；或者释放了另一个任务获取的锁（mutex
必须由持有者释放）。嫌疑对象是打印出的释放位置；同时给出任务实际持有的锁。
处理办法：沿着从加锁到解锁经过该函数的每条路径走一遍，让加锁和解锁一一对应；最常见的问题在错误分支。`,
    },
    references: ['Documentation/locking/lockdep-design.rst', 'kernel/locking/lockdep.c: print_unlock_imbalance_bug()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if (lockdep.kind !== 'bad-unlock' || lockdep.headerLine === null) return;
      const lock = lockdep.acquiring;
      const printed = blameOfLockSite(lock?.at);
      const c = printed ?? blameReport(r, 'context');
      const fn = c.function;
      const name = lock?.name ?? null;
      const d = { fn, lock: name ?? msg('theLock') };
      const heldList = lockdep.heldLists[0] ?? null;
      const evidence: FindingDraft['evidence'] = [{ line: lockdep.headerLine, note: msg('evHeader') }];
      if (lock) evidence.push({ line: lock.at?.line ?? lock.line, note: lock.at ? msg('evRelease', { fn: siteName(lock.at), lock: lock.name }) : msg('evReleaseNoSite', { lock: lock.name }) });
      if (!printed && c.line !== null && fn) evidence.push({ line: c.line, note: msg('evCulprit', { fn }) });
      if (heldList) evidence.push({ line: heldList.line, note: msg('evHeld') });
      const paras: L10n[] = [fn ? msg('explain', d) : msg('explainBare')];
      if (heldList && name) paras.push(heldList.locks.length > 0 ? msg('explainHeld', { locks: listOf(heldList.locks.map((l) => l.name)), lock: name }) : msg('explainHeldNone'));
      paras.push(msg('explainEffect'));
      let summary: L10n;
      if (fn && name) summary = msg('summary', d);
      else if (fn) summary = msg('summaryNoLock', d);
      else if (name) summary = msg('summaryNoFn', d);
      else summary = msg('summaryBare');
      out.push({
        report: index,
        confidence: lock ? 0.85 : 0.75,
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [fn ? msg('stepRead', d) : msg('stepReadBare'), msg('stepAssert')],
        facts: { lock: name, releasedIn: fn, locksHeld: (heldList?.locks ?? []).map((l) => l.name) },
      });
    });
    return out;
  },
};
