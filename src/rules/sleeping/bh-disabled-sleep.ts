// Sleeping with bottom halves disabled from a module function: the module took a _bh lock and slept (or never released it).

import { decodePreempt } from '../../decode';
import { MODULE_EXIT_PATH, SLEEPING_CALLS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { framesOf, named } from '../stacks';
import { decodingRelease, inferredPanics, moduleMessageBefore, scheduleBugs } from '../facts';
import type { FindingDraft, Rule } from '../types';

export const bhDisabledSleep: Rule = {
  meta: {
    id: 'KT-bh-disabled-sleep',
    rootCauseClass: 'lock-imbalance',
    summary: {
      en: 'A module function slept (kthread_stop, wait_for_completion, msleep, mutex_lock...) with bottom halves disabled',
      zh: '模块函数在 BH 关闭的状态下睡眠（kthread_stop、wait_for_completion、msleep、mutex_lock 等）',
    },
    docs: {
      en: `Looks for "BUG: scheduling while atomic" whose preempt count decodes to softirq-disable
units (0x200 each) while the stack shows a sleeping call (kthread_stop, wait_for_completion,
schedule_timeout, msleep, mutex_lock, down, flush_work...) made from a module's function.
The module disabled bottom halves (spin_lock_bh()/local_bh_disable()) and then called
something that sleeps. If the count is still set when the task exits (do_exit() panics
"Aiee, killing interrupt handler!") or returns to user space, the _bh lock was never
released: a lock imbalance in that function. Otherwise it was held across the sleep:
sleep in atomic context with balanced locking.
The culprit is the innermost module function that made the sleeping call; when it runs on
rmmod (cleanup_module, *_exit, delete_module) the bug is in the module's exit path.
What to do: in that function, find the spin_lock_bh()/local_bh_disable() taken before the
sleeping call (often just after a log message) and either release it with the _bh variant
on every path, or move the sleeping call outside the locked region.`,
      zh: `匹配 "BUG: scheduling while atomic"：preempt count 解码后含软中断关闭单位（每个 0x200），
同时调用栈显示某个模块函数调用了会睡眠的接口（kthread_stop、wait_for_completion、
schedule_timeout、msleep、mutex_lock、down、flush_work 等）。说明模块先关闭了 BH
（spin_lock_bh()/local_bh_disable()），然后调用了会睡眠的函数。如果任务退出时计数仍未清除
（do_exit() panic："Aiee, killing interrupt handler!"）或带着计数返回用户态，说明 _bh 锁从未
释放：这是该函数中的锁不配对。否则就是持锁睡眠：锁是配对的，但在原子上下文中睡眠了。
嫌疑函数是发起睡眠调用的最内层模块函数；如果它在 rmmod 时执行（cleanup_module、*_exit、
delete_module），问题就在模块的退出路径上。
处理办法：在该函数中找到睡眠调用之前获取的 spin_lock_bh()/local_bh_disable()（常常紧跟在某条
日志打印之后），要么在每条路径上用 _bh 版本释放，要么把睡眠调用移到锁保护区之外。`,
    },
    references: ['Documentation/kernel-hacking/locking.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const panics = inferredPanics(ctx);
    for (const bug of scheduleBugs(ctx)) {
      const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      if (!pc.plausible || pc.softirqDisableDepth < 1 || pc.servingSoftirq || pc.hardirqDepth > 0) continue;
      for (const trace of bug.report.traces) {
        const frames = framesOf(trace).filter((f) => f.reliable);
        const sleepAt = frames.findIndex((f) => named(f, SLEEPING_CALLS));
        if (sleepAt < 0) continue;
        const culprit = frames.slice(sleepAt + 1).find((f) => f.module !== null);
        if (!culprit || !culprit.function) continue;
        // Name the sleeping API the module itself called (kthread_stop), not the scheduler internals below it.
        const sleeper = frames.slice(sleepAt, frames.indexOf(culprit)).filter((f) => named(f, SLEEPING_CALLS)).pop() ?? frames[sleepAt];
        const outer = frames.slice(frames.indexOf(culprit) + 1);
        const exitPath = outer.filter((f) => f.function !== null && matchesAny(f.function, MODULE_EXIT_PATH));
        const onExit = exitPath.length > 0 || matchesAny(culprit.function, MODULE_EXIT_PATH);
        const leak = panics.find((p) => p.stack.pid === bug.pid && (p.caller === 'do_exit' || p.caller === 'make_task_dead'));
        const n = pc.softirqDisableDepth;
        const mod = culprit.module;
        const chain = [...outer.filter((f) => f.module === mod || exitPath.includes(f)).reverse(), culprit, sleeper].map((f) => f.function).join(' -> ');
        const evidence: FindingDraft['evidence'] = [
          { line: bug.header.no, note: { en: `preempt count ${bug.raw}: softirq-disable depth ${n}, not serving a softirq`, zh: `preempt count ${bug.raw}：软中断关闭深度 ${n}，并非在处理软中断` } },
          { line: sleeper.line, note: { en: `${sleeper.function}() sleeps`, zh: `${sleeper.function}() 会睡眠` } },
          { line: culprit.line, note: { en: `${culprit.function} [${mod}] made the sleeping call with BH disabled`, zh: `${culprit.function} [${mod}] 在 BH 关闭时发起了睡眠调用` } },
          ...exitPath.map((f) => ({ line: f.line, note: { en: `${f.function}: the module exit path (rmmod)`, zh: `${f.function}：模块退出路径（rmmod）` } })),
        ];
        // The module's last message before the BUG marks where in its code the lock was taken.
        const said = moduleMessageBefore(ctx, bug.report, bug.header.no);
        const lastMsg = said && said.module === mod ? said : null;
        if (lastMsg) evidence.push({ line: lastMsg.no, note: { en: `${mod}'s last message before the BUG: the BH disable happened after it`, zh: `${mod} 在 BUG 之前打印的最后一条信息：BH 是在这之后被关闭的` } });
        if (leak) evidence.push({ line: leak.callerLine, note: { en: `${leak.caller}() panicked later in the same task: the count was never released`, zh: `同一任务稍后在 ${leak.caller}() 中 panic：计数始终没有释放` } });
        out.push({
          report: bug.index,
          rootCauseClass: leak ? 'lock-imbalance' : 'sleep-in-atomic',
          confidence: leak ? 0.92 : 0.75,
          summary: {
            en: `${culprit.function} [${mod}] ${onExit ? 'in the module exit path ' : ''}disabled bottom halves ${n === 1 ? 'once' : `${n} times`} and slept in ${sleeper.function}()${leak ? '; the count was never released' : ''}`,
            zh: `${culprit.function} [${mod}]${onExit ? '（模块退出路径）' : ''}关闭了 ${n} 次 BH 后在 ${sleeper.function}() 中睡眠${leak ? '；该计数始终没有释放' : ''}`,
          },
          explanation: {
            en: [
              `The preempt count ${bug.raw} decodes to a softirq-disable depth of ${n}: bottom halves were disabled (spin_lock_bh() or local_bh_disable()) and not enabled again when ${sleeper.function}() went to sleep. ${pc.basisText.en.replace(/([^.])$/, '$1.')}`,
              `The call chain is ${chain}. ${culprit.function} belongs to module ${mod}${onExit ? ' and runs on module unload' : ''}, so the BH disable was taken there (or in a helper it called) before the sleeping call.`,
              leak
                ? `The same task (${bug.comm}, pid ${bug.pid}) later panicked from ${leak.caller}(): "${leak.message.replace('Kernel panic - not syncing: ', '')}"${leak.inferred ? ' (inferred from the stack: panic() called by ' + leak.caller + '())' : ''}. do_exit() panics this way when in_interrupt() is true, i.e. the softirq count was still set when the task exited: the _bh lock was never released. This is a lock imbalance, not only a sleep under a lock.`
                : 'If the count is released after the sleep, this is a sleep in atomic context with balanced locking; if the task exits or returns to user space with it, it is a leak.',
            ].join('\n\n'),
            zh: [
              `preempt count ${bug.raw} 解码为软中断关闭深度 ${n}：${sleeper.function}() 睡眠时 BH 已被关闭（spin_lock_bh() 或 local_bh_disable()）且没有重新打开。${pc.basisText.zh}`,
              `调用链为 ${chain}。${culprit.function} 属于模块 ${mod}${onExit ? '，在模块卸载时执行' : ''}，因此 BH 是在它（或它调用的辅助函数）里、睡眠调用之前关闭的。`,
              leak
                ? `同一任务（${bug.comm}，pid ${bug.pid}）随后在 ${leak.caller}() 中 panic："${leak.message.replace('Kernel panic - not syncing: ', '')}"${leak.inferred ? `（由调用栈推断：panic() 由 ${leak.caller}() 调用）` : ''}。do_exit() 在 in_interrupt() 为真时才会这样 panic，也就是任务退出时软中断计数仍然存在：这把 _bh 锁从未释放。这是锁不配对，而不只是持锁睡眠。`
                : '如果睡眠之后计数被释放，这是锁配对但在原子上下文中睡眠；如果任务带着计数退出或返回用户态，就是泄漏。',
            ].join('\n\n'),
          },
          evidence,
          culprit: { function: culprit.function, module: mod },
          nextSteps: [
            {
              en: `In ${mod}'s source, read ${culprit.function}() from its start to the ${sleeper.function}() call: find the spin_lock_bh()/local_bh_disable() without a matching spin_unlock_bh()/local_bh_enable()${lastMsg ? ` (look right after the code that prints "${lastMsg.text}")` : ' (check the lines right after its last log message)'}.`,
              zh: `在 ${mod} 的源码中，从 ${culprit.function}() 开头读到调用 ${sleeper.function}() 处：找出没有配对 spin_unlock_bh()/local_bh_enable() 的 spin_lock_bh()/local_bh_disable()${lastMsg ? `（重点看打印 "${lastMsg.text}" 的代码之后）` : '（重点看它最后一条日志打印之后的几行）'}。`,
            },
            { en: `Never call ${sleeper.function}() under a spinlock: release the _bh lock first, then stop the thread / wait.`, zh: `不要在持有自旋锁时调用 ${sleeper.function}()：先释放 _bh 锁，再停止线程或等待。` },
            { en: `crash> dis -l ${culprit.function}     crash> mod -s ${mod} <path-to-${mod}.ko>   (to get line numbers)`, zh: `crash> dis -l ${culprit.function}     crash> mod -s ${mod} <${mod}.ko 路径>（加载符号以获得行号）` },
          ],
          facts: { preemptCount: bug.raw, preempt: pc, sleepingCall: sleeper.function, exitPath: onExit, inferredPanic: leak ? leak.message : null },
        });
        break;
      }
    }
    return out;
  },
};
