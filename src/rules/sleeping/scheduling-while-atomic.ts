// "BUG: scheduling while atomic" shapes the seed rules do not cover: a leaked spinlock/preempt_disable, IRQ context, odd counts.

import { decodePreempt } from '../../decode/preempt';
import { RETURN_TO_USER } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { bhDisabledSleep } from './bh-disabled-sleep';
import { bhLeakReturnToUser } from '../locking/bh-leak-return-to-user';
import { threadInfoOverwritten } from '../memory/thread-info-overwritten';
import { releaseOf, scheduleBugs } from '../facts';
import { baseName, blameReport, culpritOfBlame, printedBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { ev, linesOf, mainFrames, paragraphs, steps, t, who, whoZh } from '../reports';

export const schedulingWhileAtomic: Rule = {
  meta: {
    id: 'KT-scheduling-while-atomic',
    rootCauseClass: 'sleep-in-atomic',
    summary: t('schedule() was entered with a non-zero preempt count: a held or leaked spinlock/preempt_disable(), or scheduling from interrupt context', '带着非零 preempt count 进入了 schedule()：持有或泄漏了自旋锁/preempt_disable()，或在中断上下文中调度'),
    docs: t(
      `Looks for "BUG: scheduling while atomic: COMM/PID/0xCOUNT" and decodes the count for the
kernel's era. (Bottom-half leaks on the return-to-user path and BH-disabled sleeps from module
code have their own rules, KT-bh-leak-return-to-user and KT-bh-disabled-sleep; an impossible
count is KT-thread-info-overwritten.) This rule covers the rest:
- a preempt depth above schedule()'s own: a spin_lock()/preempt_disable() is held across the
  sleep, or was never released - if the stack is on the return-to-user path it is a leak from
  the system call that just ran (lock-imbalance), otherwise a sleep under a spinlock;
- a hardirq or NMI count: schedule() called from an interrupt handler;
- a softirq being served: a sleeping call from a timer/tasklet/network softirq.
What to do: with CONFIG_DEBUG_PREEMPT the report prints "Preemption disabled at:"; otherwise
find the spin_lock()/preempt_disable() in the frames below schedule() or, for a leak, in the
system call the task returned from.`,
      `匹配 "BUG: scheduling while atomic: COMM/PID/0x计数" 并按内核年代解码该计数。（返回用户态路径上的
BH 泄漏、模块代码在 BH 关闭时睡眠各有专门规则：KT-bh-leak-return-to-user 和 KT-bh-disabled-sleep；
不可能出现的计数由 KT-thread-info-overwritten 处理。）本规则处理其余情形：
- 抢占深度超过 schedule() 自己加的那一层：睡眠时持有 spin_lock()/preempt_disable()，或者从未释放——
  如果调用栈位于返回用户态的路径，就是刚执行完的系统调用泄漏的（锁不配对），否则是持自旋锁睡眠；
- hardirq 或 NMI 计数：在中断处理函数中调用了 schedule()；
- 正在处理软中断：在定时器/tasklet/网络软中断中调用了会睡眠的函数。
处理办法：打开 CONFIG_DEBUG_PREEMPT 时报告会打印 "Preemption disabled at:"；否则在 schedule() 下面的帧
里找 spin_lock()/preempt_disable()；如果是泄漏，就到任务刚返回的系统调用里找。`,
    ),
    references: ['kernel/sched/core.c: __schedule_bug()', 'include/linux/preempt.h'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const covered = new Set<number>();
    for (const rule of [bhDisabledSleep, bhLeakReturnToUser, threadInfoOverwritten]) {
      for (const d of rule.check(ctx)) if (d.report !== undefined) covered.add(d.report);
    }
    for (const bug of scheduleBugs(ctx)) {
      if (covered.has(bug.index)) continue;
      const r = bug.report;
      let pc;
      try {
        pc = decodePreempt(bug.value, { release: releaseOf(ctx.analysis, r), source: 'schedule-bug' });
      } catch {
        continue;
      }
      if (!pc.plausible) continue;
      const frames = mainFrames(r);
      const returning = frames.find((f) => f.reliable && f.function !== null && matchesAny(baseName(f.function), RETURN_TO_USER)) ?? null;
      const c = printedBlame(ctx, r) ?? blameReport(r, 'context');
      const disabledAt = linesOf(ctx, r, /Preemption disabled at:/, 1)[0] ?? null;
      const disabledFn = disabledAt ? linesOf(ctx, r, /\w+\+0x[0-9a-f]+/, 1, disabledAt.no, disabledAt.no + 1).map((l) => /(\w[\w.]*)\+0x/.exec(l.text)?.[1] ?? null).find((x) => x) ?? null : null;
      const irq = pc.hardirqDepth > 0 || pc.nmi;
      const leak = !irq && returning !== null && (pc.callerPreemptDepth > 0 || pc.softirqDisableDepth > 0);
      const shape = irq
        ? t(`hardirq depth ${pc.hardirqDepth}${pc.nmi ? ' + NMI' : ''}: schedule() was called from an interrupt handler`, `hardirq 深度 ${pc.hardirqDepth}${pc.nmi ? ' + NMI' : ''}：在中断处理函数中调用了 schedule()`)
        : pc.servingSoftirq
          ? t('a softirq is being served: a sleeping call from a timer, tasklet or network softirq', '正在处理软中断：在定时器、tasklet 或网络软中断中调用了会睡眠的函数')
          : pc.callerPreemptDepth > 0
            ? t(`preempt depth ${pc.callerPreemptDepth} beyond schedule()'s own: ${pc.callerPreemptDepth} spin_lock()/preempt_disable() still held`, `除 schedule() 自己那一层外还有 ${pc.callerPreemptDepth} 层抢占禁止：仍持有 ${pc.callerPreemptDepth} 个 spin_lock()/preempt_disable()`)
            : pc.softirqDisableDepth > 0
              ? t(`bottom halves disabled ${pc.softirqDisableDepth} time(s)`, `BH 被关闭了 ${pc.softirqDisableDepth} 次`)
              : t(`preempt count ${bug.raw}`, `preempt count ${bug.raw}`);
      const evidence = [ev(bug.header.no, `preempt count ${bug.raw}: ${pc.summary.en}`, `preempt count ${bug.raw}：${pc.summary.zh}`)];
      if (disabledAt) evidence.push(ev(disabledAt.no, `preemption disabled${disabledFn ? ` in ${disabledFn}` : ''}`, `抢占${disabledFn ? `在 ${disabledFn} 中` : ''}被关闭`));
      if (returning) evidence.push(ev(returning.line, `${returning.function}: the return-to-user path`, `${returning.function}：返回用户态的路径`));
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      out.push({
        report: bug.index,
        rootCauseClass: leak ? 'lock-imbalance' : irq ? 'sleep-in-atomic' : 'sleep-in-atomic',
        secondaryClasses: irq ? [] : leak ? [] : ['lock-imbalance'],
        confidence: leak ? 0.8 : disabledFn ? 0.75 : 0.65,
        summary: leak
          ? t(`${bug.comm}/${bug.pid} returned towards user space with ${shape.en}: leaked by the system call that just ran`, `${bug.comm}/${bug.pid} 在返回用户态时仍处于原子状态（${shape.zh}）：由刚执行完的系统调用泄漏`)
          : t(`Scheduling while atomic in ${bug.comm}/${bug.pid}: ${shape.en}${disabledFn ? ` (since ${disabledFn})` : c.function ? ` (${who(c)})` : ''}`, `${bug.comm}/${bug.pid} 在原子状态下调度：${shape.zh}${disabledFn ? `（从 ${disabledFn} 开始）` : c.function ? `（${whoZh(c)}）` : ''}`),
        explanation: paragraphs([
          t(`The preempt count printed is ${bug.raw}. ${pc.basisText.en} Decoded: ${shape.en}.`, `打印的 preempt count 为 ${bug.raw}。${pc.basisText.zh}解码结果：${shape.zh}。`),
          leak
            ? t(`The stack is on the return-to-user path (${returning?.function}): nothing on it holds a lock any more, so the count was left behind by the system call or interrupt that just finished - a spin_lock()/preempt_disable()/local_bh_disable() without its release on some path (typically an error path).`, `调用栈位于返回用户态的路径上（${returning?.function}）：这条路径上已经没有代码持有锁，所以计数是刚结束的系统调用或中断遗留的——某条路径（通常是错误分支）上的 spin_lock()/preempt_disable()/local_bh_disable() 没有配对释放。`)
            : irq
              ? t('Interrupt handlers must never sleep: the call that led to schedule() (a mutex, a GFP_KERNEL allocation, a wait) must be moved to a threaded IRQ handler or a work item.', '中断处理函数绝不能睡眠：导致 schedule() 的调用（mutex、GFP_KERNEL 分配、等待）必须移到线程化中断处理函数或工作项中。')
              : t(`The task slept while atomic${disabledFn ? `; preemption was disabled in ${disabledFn}` : ''}. If the lock is released later on this path, it is a sleep under a spinlock (move the sleeping call out, or use a mutex); if not, the lock was leaked.`, `任务在原子状态下睡眠了${disabledFn ? `；抢占是在 ${disabledFn} 中关闭的` : ''}。如果这条路径之后会释放锁，就是持自旋锁睡眠（把睡眠调用移出去，或改用 mutex）；如果不会释放，就是锁泄漏。`),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          leak ? t(`Review the system calls ${bug.comm} makes for a spin_lock()/preempt_disable() not released on an error path; lockdep (CONFIG_PROVE_LOCKING) reports "lock held when returning to user space" at the source.`, `检查 ${bug.comm} 发起的系统调用中是否有 spin_lock()/preempt_disable() 在错误分支上没有释放；lockdep（CONFIG_PROVE_LOCKING）会在源头报告 "lock held when returning to user space"。`) : null,
          c.location ? t(`crash> dis -l ${c.location}     crash> bt -f     (the lock taken in the frames below schedule())`, `crash> dis -l ${c.location}     crash> bt -f（schedule() 下面的帧中获取的锁）`) : t('crash> bt -f', 'crash> bt -f'),
          t('Enable CONFIG_DEBUG_PREEMPT and CONFIG_DEBUG_ATOMIC_SLEEP: the report then prints "Preemption disabled at:" with the function that made the task atomic.', '打开 CONFIG_DEBUG_PREEMPT 和 CONFIG_DEBUG_ATOMIC_SLEEP：报告会打印 "Preemption disabled at:" 以及让任务进入原子状态的函数。'),
        ),
        facts: { preemptCount: bug.raw, preempt: pc, returnToUser: returning?.function ?? null, preemptDisabledAt: disabledFn, interrupt: irq, leaked: leak },
      });
    }
    return out;
  },
};
