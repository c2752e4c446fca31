// Lockdep "possible circular locking dependency": two (or more) lock chains taken in opposite orders, an ABBA deadlock.

import type { FindingDraft, Rule } from '../types';
import { dependencyChain, heldLocks, lockEvidence, wantedAndHeld } from '../lockdep-lines';
import { ev, linesOf, paragraphs, reportsWhere, steps, t } from '../reports';
import { blameCircular } from '../lockdep';
import { culpritOfBlame } from '../blame';

const HEADER = /possible circular locking dependency detected/;

export const lockdepCircular: Rule = {
  meta: {
    id: 'KT-lockdep-circular',
    rootCauseClass: 'deadlock-abba',
    summary: t('Lockdep found two lock chains taken in opposite orders: an ABBA deadlock waiting to happen', 'lockdep 发现两条以相反顺序获取的锁链：潜在的 ABBA 死锁'),
    docs: t(
      `Looks for "WARNING: possible circular locking dependency detected". Lockdep records, for
every lock, which locks were held when it was taken. The task "is trying to acquire" lock B
while "already holding" lock A, but an earlier path (the "existing dependency chain") took A
while holding B (possibly through intermediate locks: "Chain exists of: B --> X --> A"). Two
tasks running those paths at the same time deadlock (the "Possible unsafe locking scenario"
table shows CPU0 and CPU1). Lockdep reports it the first time the order is seen, before any
real deadlock.
What to do: pick one global order for the locks in the chain and change the path that
violates it (drop A before taking B, take B earlier, or defer the work to a workqueue).
The stacks under each "-> #N" entry show where each edge of the cycle was created.`,
      `匹配 "WARNING: possible circular locking dependency detected"。lockdep 会为每把锁记录获取它时
已经持有了哪些锁。当前任务持有锁 A（"already holding"）时试图获取锁 B（"is trying to acquire"），
而之前另一条路径（"existing dependency chain"）是持有 B 时获取 A（可能经过中间锁："Chain exists of:
B --> X --> A"）。两个任务同时走这两条路径就会死锁（"Possible unsafe locking scenario" 表格给出了
CPU0 和 CPU1 的交错顺序）。lockdep 在第一次看到这种顺序时就报告，早于真正的死锁。
处理办法：为链上的锁规定一个全局顺序，修改违反顺序的那条路径（获取 B 之前先释放 A、提前获取 B，
或者把工作推迟到工作队列中）。每个 "-> #N" 条目下的调用栈给出了环上每条边是在哪里建立的。`,
    ),
    references: ['Documentation/locking/lockdep-design.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const { want, held } = wantedAndHeld(ctx, r);
      const chain = dependencyChain(ctx, r);
      const chainLine = linesOf(ctx, r, /-->/, 1)[0] ?? null;
      const c = blameCircular(ctx, r);
      const evidence = [ev(hit.header.no, 'lockdep: circular dependency', 'lockdep：循环依赖'), ...lockEvidence(want, 'trying to acquire', '试图获取'), ...lockEvidence(held, 'while holding', '同时持有')];
      for (const e of chain.slice(0, 4)) evidence.push(ev(e.line, `dependency edge: ${e.name}${e.takenIn ? ` taken in ${e.takenIn}` : ''}`, `依赖边：${e.name}${e.takenIn ? `，在 ${e.takenIn} 中获取` : ''}`));
      if (chainLine) evidence.push(ev(chainLine.no, 'the whole cycle', '完整的环'));
      const A = held?.name ?? 'A';
      const B = want?.name ?? 'B';
      const fn = c.function ?? want?.at ?? null;
      out.push({
        report: hit.index,
        confidence: want && held ? 0.85 : 0.7,
        summary: t(`ABBA deadlock risk: ${fn ?? 'this path'} takes ${B} while holding ${A}, another path takes them in the opposite order`, `ABBA 死锁风险：${fn ?? '这条路径'} 持有 ${A} 时获取 ${B}，而另一条路径的加锁顺序相反`),
        explanation: paragraphs([
          t(`This task holds ${A}${held?.at ? ` (taken in ${held.at})` : ''} and is acquiring ${B}${want?.at ? ` in ${want.at}` : ''}. Lockdep has already seen ${B} held while ${A} was taken${chain.length > 2 ? `, through ${chain.length - 1} intermediate edges` : ''}: the two orders form a cycle.`, `当前任务持有 ${A}${held?.at ? `（在 ${held.at} 中获取）` : ''}，正在${want?.at ? `于 ${want.at} 中` : ''}获取 ${B}。lockdep 之前已经见过持有 ${B} 时获取 ${A} 的情况${chain.length > 2 ? `（中间经过 ${chain.length - 1} 条依赖边）` : ''}：两种顺序构成了环。`),
          chain.length > 0 ? t(`The chain, newest edge first: ${chain.map((e) => `${e.name}${e.takenIn ? ` [${e.takenIn}]` : ''}`).join(' <- ')}.`, `依赖链（最新的边在前）：${chain.map((e) => `${e.name}${e.takenIn ? ` [${e.takenIn}]` : ''}`).join(' <- ')}。`) : null,
          t('Two tasks running these paths concurrently block each other forever (each holds the lock the other wants); the report comes before any actual hang. The fix is an ordering decision, not a missing unlock.', '两个任务并发执行这两条路径时会永久互相阻塞（各自持有对方想要的锁）；这个报告出现在真正挂死之前。修复方法是确定加锁顺序，而不是补一个解锁。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        ...(c.basis === 'debug-facility' ? { rootCauseClass: 'other' as const, secondaryClasses: ['deadlock-abba' as const] } : {}),
        nextSteps: steps(
          t(`Read ${fn ?? 'the acquiring function'} and ${chain.map((e) => e.takenIn).filter(Boolean).join(', ') || 'the functions under each "-> #N" entry'}: decide the order of ${A} and ${B} and change the path that violates it.`, `阅读 ${fn ?? '获取锁的函数'} 以及 ${chain.map((e) => e.takenIn).filter(Boolean).join('、') || '每个 "-> #N" 条目下的函数'}：确定 ${A} 和 ${B} 的先后顺序，修改违反顺序的路径。`),
          t('Common fixes: release the outer lock before the call that takes the inner one, move the work to a workqueue, or use a trylock with back-off on the reversed path.', '常见修法：在调用会获取内层锁的函数之前释放外层锁，把工作移到工作队列中，或者在反向路径上使用 trylock 并回退。'),
          t('If it hung for real: crash> foreach UN bt     (the two tasks, each waiting on the other\'s lock)', '如果真的挂死了：crash> foreach UN bt（两个任务，各自在等对方的锁）'),
        ),
        facts: { acquiring: want?.name ?? null, holding: held?.name ?? null, chain: chain.map((e) => ({ lock: e.name, takenIn: e.takenIn })), locksHeld: heldLocks(ctx, r).locks.map((l) => l.name) },
      });
    }
    return out;
  },
};
