// Lockdep "possible recursive locking" and "BUG: spinlock recursion": a task or CPU takes a lock it already holds (AA).

import { blameOfFrame, blameOfSite, blameSelfDeadlock, culpritOfBlame, detectedAtIp, isOwnFrame, isReportingLock, reportFrames, type Blame } from '../blame';
import { parseFrame } from '../../parse/frames';
import type { CrashReport, Frame } from '../../model/types';
import type { RuleContext } from '../types';
import type { FindingDraft, Rule } from '../types';
import { lockEvidence, wantedAndHeld } from '../lockdep-lines';
import { ev, linesOf, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /possible recursive locking detected|BUG: spinlock recursion on CPU#?(\d+)|BUG: rwlock recursion/;

export const lockdepRecursive: Rule = {
  meta: {
    id: 'KT-lockdep-recursive',
    rootCauseClass: 'deadlock-aa',
    summary: t('A task takes a lock (class) it already holds: self-deadlock', '任务获取自己已经持有的锁（或同类锁）：自死锁'),
    docs: t(
      `Looks for "WARNING: possible recursive locking detected" and "BUG: spinlock recursion".
The task "is trying to acquire lock" L while "already holding lock" L (the same lock, or
another instance of the same lock class). For the same instance it is a certain self-deadlock
(AA): a spinlock spins forever, a mutex sleeps forever. For two instances of one class (e.g.
two inodes, parent and child) it is safe only if there is a fixed order and the code tells
lockdep with a nesting annotation (mutex_lock_nested(), spin_lock_nested(), lockdep_set_class()).
What to do: look at the two "at:" functions. If they take the same object, restructure (pass a
"locked" flag, call the __unlocked variant). If they take two objects of one class, establish
an order and annotate it.`,
      `匹配 "WARNING: possible recursive locking detected" 和 "BUG: spinlock recursion"。任务在已经持有
锁 L（"already holding lock"）的情况下又试图获取 L（"is trying to acquire lock"）——同一把锁，或同一
锁类的另一个实例。如果是同一实例，就是必然的自死锁（AA）：自旋锁永远自旋，mutex 永远睡眠。如果是同类
的两个实例（比如两个 inode、父子节点），只有在顺序固定并用嵌套注解告诉 lockdep（mutex_lock_nested()、
spin_lock_nested()、lockdep_set_class()）时才是安全的。
处理办法：看两处 "at:" 的函数。如果获取的是同一个对象，就重构代码（传入"已加锁"标志，或调用不加锁的
__ 版本）。如果是同类的两个对象，就规定顺序并加上注解。`,
    ),
    references: ['Documentation/locking/lockdep-design.rst (nested locking)'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const { want, held } = wantedAndHeld(ctx, r);
      const spin = /spinlock recursion|rwlock recursion/.test(hit.header.text);
      const heldSite = held?.at ? blameOfSite({ function: held.at, offset: null, module: null, line: held.line }, 'outer-holder') : null;
      const debugLock = spin ? linesOf(ctx, r, /^\s*lock: ([\w.&>-]{1,80})(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?, \.magic/, 1)[0] ?? null : null;
      const debugLockName = debugLock ? (/lock: ([\w.&>-]{1,80}?)(?:\.\d+)?(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?, \.magic/.exec(debugLock.text)?.[1] ?? null) : null;
      // Recursion on a lock of the oops machinery: a second fault while the first was being reported.
      const nested = debugLockName !== null && isReportingLock(debugLockName) ? nestedFault(ctx, r) : null;
      const c = nested ?? heldSite ?? blameSelfDeadlock(reportFrames(r), { detectedIn: detectedAtIp(r) });
      const evidence = [ev(hit.header.no, spin ? 'the lock owner is this CPU already' : 'lockdep: recursive locking', spin ? '锁的持有者已经是本 CPU' : 'lockdep：递归加锁'), ...lockEvidence(want, 'acquiring', '正在获取'), ...lockEvidence(held, 'already held', '已经持有')];
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      const lock = want?.name ?? held?.name ?? 'the lock';
      const fn = want?.at ?? c.function;
      void fn;
      out.push({
        report: hit.index,
        ...(nested ? { rootCauseClass: 'other' as const, secondaryClasses: ['deadlock-aa' as const] } : {}),
        confidence: want && held ? 0.85 : 0.75,
        summary: t(`Recursive locking of ${lock}${fn ? ` in ${fn}` : ''}${held?.at ? ` (already taken in ${held.at})` : ''}: an AA self-deadlock`, `${fn ? `${fn} 中` : ''}递归获取 ${lock}${held?.at ? `（已在 ${held.at} 中获取）` : ''}：AA 自死锁`),
        explanation: paragraphs([
          t(`${fn ?? 'The code'} tries to take ${lock}${held?.at ? `, which this task already took in ${held.at}` : ' while already holding it'}. If it is the same lock instance the task deadlocks on itself: nothing else can release it.`, `${fn ?? '代码'} 试图获取 ${lock}${held?.at ? `，而本任务已经在 ${held.at} 中获取过它` : '，而它已经被持有'}。如果是同一个锁实例，任务就会自己把自己锁死：没有其他人能释放它。`),
          t('If the two acquisitions are on different objects of the same kind (two sockets, two inodes), lockdep cannot tell them apart: there must be a defined order, annotated with the *_nested() variants or separate lock classes.', '如果两次获取针对的是同类的不同对象（两个 socket、两个 inode），lockdep 无法区分它们：必须有确定的顺序，并用 *_nested() 系列接口或独立的锁类加以注解。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t(`Read ${held?.at ?? 'the first acquisition'} and ${fn ?? 'the second'}: is it the same object? Check the call path between them for a callback or helper that locks again.`, `阅读 ${held?.at ?? '第一次获取处'} 和 ${fn ?? '第二次获取处'}：是不是同一个对象？检查两者之间的调用路径上是否有回调或辅助函数再次加锁。`),
          t('crash> bt -f     (the lock addresses passed to both acquisitions)', 'crash> bt -f（两次获取时传入的锁地址）'),
          t('Same object: call a variant that expects the lock held; two objects: take them in a fixed order (e.g. by address) with spin_lock_nested()/mutex_lock_nested().', '同一个对象：改为调用要求调用者已持锁的版本；两个对象：按固定顺序（例如按地址）获取，并使用 spin_lock_nested()/mutex_lock_nested()。'),
        ),
        facts: { lock, acquiringIn: want?.at ?? null, heldIn: held?.at ?? null },
      });
    }
    return out;
  },
};

/**
 * The stack printed just before the report (the fault that was being reported when the reporting lock was
 * taken again): its innermost own frame is where the nested fault happened.
 */
function nestedFault(ctx: RuleContext, r: CrashReport): Blame | null {
  const frames: Frame[] = [];
  for (let no = r.headerLine - 1; no >= Math.max(1, r.headerLine - 80); no--) {
    const l = ctx.line(no);
    if (!l) break;
    const f = parseFrame(l.text, l.no);
    if (f) frames.unshift(f);
    else if (frames.length > 0 && !/^\s*(?:Backtrace:|Call [Tt]race:|\s*)$/.test(l.text)) break;
  }
  const own = frames.find(isOwnFrame);
  return own ? blameOfFrame(own, 'own') : null;
}
