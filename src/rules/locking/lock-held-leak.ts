// Locks still held where none may be: on return to user space, at task exit, after a work item ("still has locks held").

import { blameReport, culpritOfBlame, printedBlame, NO_BLAME, baseName } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { heldLocks } from '../lockdep-lines';
import { ev, linesOf, paragraphs, reportsWhere, steps, t } from '../reports';

const HEADER = /still has locks held!|lock held when returning to user space!|workqueue leaked lock or atomic|leaked lock or atomic|lock held at task exit time!/;

export const lockHeldLeak: Rule = {
  meta: {
    id: 'KT-lock-held-leak',
    rootCauseClass: 'lock-imbalance',
    summary: t('A lock (or atomic section) was still held where none may be: return to user space, task exit, end of a work item', '在不允许持锁的地方仍持有锁（或原子区间）：返回用户态、任务退出、工作项结束'),
    docs: t(
      `Looks for lockdep's "COMM/PID still has locks held!", "lock held when returning to user space!",
"lock held at task exit time!" and the workqueue's "BUG: workqueue leaked lock or atomic:
COMM/0x... last function: FUNC". Each is a check at a point where the held-lock count must be
zero. The listed lock (with "at: FUNC", where it was taken) was never released: a missing
unlock, usually on an error path of the function that took it, or of the work function named.
(A sleep while holding a spinlock is a different bug; this one is a lock that is never released.)
What to do: read the function that took the lock and every return path after it.`,
      `匹配 lockdep 的 "COMM/PID still has locks held!"、"lock held when returning to user space!"、
"lock held at task exit time!"，以及工作队列的 "BUG: workqueue leaked lock or atomic: COMM/0x...
last function: FUNC"。这些检查都发生在持锁数必须为零的地方。列出的锁（"at: 函数" 是获取它的位置）
一直没有释放：漏了解锁，通常是在获取它的函数（或报告中的工作函数）的错误分支上。
（持自旋锁睡眠是另一种 bug；这里是锁永远没有释放。）
处理办法：阅读获取这把锁的函数及其之后的每条返回路径。`,
    ),
    references: ['kernel/locking/lockdep.c: debug_check_no_locks_held()', 'kernel/workqueue.c: process_one_work()'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const held = heldLocks(ctx, r);
      const lastFn = linesOf(ctx, r, /last function: /, 1)[0] ?? null;
      const workFn = lastFn ? /last function: ([\w.]+)/.exec(lastFn.text)?.[1] ?? null : null;
      const wq = /workqueue leaked/.test(hit.header.text);
      const where = /returning to user space/.test(hit.header.text) ? t('on return to user space', '返回用户态时') : /exit/.test(hit.header.text) ? t('at task exit', '任务退出时') : wq ? t('after a work item finished', '工作项执行结束后') : t('where no lock may be held', '在不允许持锁的地方');
      const lock = held.locks[0] ?? null;
      const c = printedBlame(ctx, r, { heldLocks: 'any' }) ?? (workFn ? { ...NO_BLAME, function: baseName(workFn), basis: 'callback' as const } : blameReport(r, 'context'));
      const taker = c.function;
      const evidence = [ev(hit.header.no, `a lock or atomic section still held ${where.en}`, `${where.zh}仍持有锁或处于原子区间`)];
      if (held.header) evidence.push(ev(held.header.no, 'lockdep: locks held', 'lockdep：持有的锁'));
      for (const l of held.locks.slice(0, 3)) evidence.push(ev(l.line, `${l.name}${l.at ? `, taken in ${l.at}` : ''}`, `${l.name}${l.at ? `，在 ${l.at} 中获取` : ''}`));
      if (lastFn) evidence.push(ev(lastFn.no, `the work function that leaked it: ${workFn}`, `泄漏它的工作函数：${workFn}`));
      out.push({
        report: hit.index,
        confidence: lock || workFn ? 0.85 : 0.7,
        summary: t(`${lock?.name ?? (wq ? 'A lock or preempt count' : 'A lock')} leaked ${where.en}${taker ? `: taken in ${taker} and never released` : ''}`, `${where.zh}泄漏了${lock?.name ?? (wq ? '锁或 preempt 计数' : '锁')}${taker ? `：在 ${taker} 中获取后从未释放` : ''}`),
        explanation: paragraphs([
          t(`The kernel checks ${where.en} that no lock is held. ${lock ? `${lock.name} is still held${lock.at ? `; it was taken in ${lock.at}` : ''}.` : wq ? `The work function ${workFn ?? '(named in the report)'} returned with a lock held or with a non-zero preempt count.` : 'A lock is still held.'}`, `内核${where.zh}会检查是否还持有锁。${lock ? `${lock.name} 仍被持有${lock.at ? `；它是在 ${lock.at} 中获取的` : ''}。` : wq ? `工作函数 ${workFn ?? '（见报告）'} 返回时仍持有锁，或 preempt 计数非零。` : '仍有锁被持有。'}`),
          t('Nothing will release it now: the next task to take that lock blocks forever (a hang that looks unrelated), so this report is the root cause of later hung-task or lockup reports on the same lock.', '现在已经没有代码会释放它了：下一个获取这把锁的任务会永远阻塞（看起来像无关的挂死），所以这个报告就是之后同一把锁上 hung task 或 lockup 报告的根因。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t(`Read ${taker ?? 'the function that took the lock'}: every return after the lock must unlock (look at goto/error paths).`, `阅读 ${taker ?? '获取锁的函数'}：加锁之后的每个返回点都必须解锁（重点看 goto/错误分支）。`),
          t('Check the log after this report for hung tasks or lockups on the same lock: they are consequences.', '检查日志中此报告之后有没有同一把锁上的 hung task 或 lockup：它们都是后果。'),
        ),
        facts: { where: where.en, locks: held.locks.map((l) => ({ lock: l.name, takenIn: l.at })), workFunction: workFn },
      });
    }
    return out;
  },
};
