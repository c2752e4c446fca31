// panic() called from do_exit()/make_task_dead(): "Aiee, killing interrupt handler!", the exit of a task with a leaked count.

import { scheduleBugs } from '../facts';
import { inferredPanics } from '../facts';
import type { FindingDraft, Rule } from '../types';

export const panicExitInInterrupt: Rule = {
  meta: {
    id: 'KT-exit-in-interrupt',
    rootCauseClass: 'lock-imbalance',
    summary: {
      en: 'panic() from do_exit()/make_task_dead(): "Aiee, killing interrupt handler!", a task exited with a softirq or hardirq count still set',
      zh: 'do_exit()/make_task_dead() 调用 panic()："Aiee, killing interrupt handler!"，任务退出时软/硬中断计数仍未清除',
    },
    docs: {
      en: `do_exit() panics "Aiee, killing interrupt handler!" when in_interrupt() is true; on kernels
since 5.17 the check lives in make_task_dead(), reached after an oops. A task that exits
normally is never in interrupt context, so the softirq (or hardirq) part of its preempt
count was left set by something it ran earlier: a leaked spin_lock_bh()/local_bh_disable()
is the usual cause. The panic names no culprit; the earlier "scheduling while atomic" for the
same task, or the code it ran before exiting, does.
When only a crash "bt" is available the message is inferred from the frames (panic called
by do_exit); "log" in crash shows the printed text.`,
      zh: `当 in_interrupt() 为真时，do_exit() 会 panic："Aiee, killing interrupt handler!"；5.17 以后的内核
中这个检查位于 make_task_dead()，在 oops 之后才会走到。正常退出的任务不可能处于中断上下文，
所以它的 preempt count 中软中断（或硬中断）部分是之前执行的代码遗留的：最常见的原因是泄漏的
spin_lock_bh()/local_bh_disable()。这个 panic 本身不指向嫌疑代码；同一任务之前的
"scheduling while atomic"，或者它退出前执行的代码才是线索。
如果只有 crash 的 bt 输出，panic 信息是根据调用栈（do_exit 调用 panic）推断的；在 crash 中用
log 可以看到实际打印的文字。`,
    },
    references: ['kernel/exit.c: do_exit(), make_task_dead()'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const bugs = scheduleBugs(ctx);
    for (const p of inferredPanics(ctx)) {
      if (p.caller !== 'do_exit' && p.caller !== 'make_task_dead') continue;
      const bug = bugs.find((b) => b.pid === p.stack.pid) ?? null;
      const evidence: FindingDraft['evidence'] = [
        { line: p.panicLine, note: { en: 'panic() was called', zh: '调用了 panic()' } },
        { line: p.callerLine, note: { en: `called by ${p.caller}(): the exiting task was in interrupt context`, zh: `由 ${p.caller}() 调用：退出的任务仍处于中断上下文` } },
      ];
      if (bug) evidence.push({ line: bug.header.no, note: { en: `the same task (pid ${bug.pid}) had preempt count ${bug.raw} earlier`, zh: `同一任务（pid ${bug.pid}）之前的 preempt count 为 ${bug.raw}` } });
      const task = p.stack.comm ? `${p.stack.comm} (pid ${p.stack.pid})` : `pid ${p.stack.pid}`;
      out.push({
        report: bug ? bug.index : undefined,
        confidence: bug ? 0.7 : 0.55,
        summary: {
          en: `${task} panicked in ${p.caller}(): "${p.message}"${p.inferred ? ' (inferred)' : ''}, the consequence of a leaked softirq/hardirq count`,
          zh: `${task} 在 ${p.caller}() 中 panic："${p.message}"${p.inferred ? '（推断）' : ''}，这是软/硬中断计数泄漏的后果`,
        },
        explanation: {
          en: `${p.caller}() calls panic("Aiee, killing interrupt handler!") when in_interrupt() is true. ${p.inferred ? 'The message is not in the input; it follows from the stack, where panic() is called by ' + p.caller + '(). ' : ''}The task was exiting${bug ? ` and had already been reported "scheduling while atomic" with preempt count ${bug.raw}` : ''}, so its softirq count was still set: the panic is the consequence of that leak, not a separate bug.`,
          zh: `当 in_interrupt() 为真时，${p.caller}() 会调用 panic("Aiee, killing interrupt handler!")。${p.inferred ? `输入中没有这条信息；它是根据调用栈推断的：panic() 由 ${p.caller}() 调用。` : ''}任务正在退出${bug ? `，而且之前已经报过 "scheduling while atomic"，preempt count 为 ${bug.raw}` : ''}，说明它的软中断计数仍未清除：这个 panic 是该泄漏的后果，而不是另一个 bug。`,
        },
        evidence,
        culprit: null,
        nextSteps: [
          { en: 'crash> log | grep -B2 -A30 "scheduling while atomic"     (the first report for this task names the code)', zh: 'crash> log | grep -B2 -A30 "scheduling while atomic"（该任务的第一条报告指向问题代码）' },
          { en: `crash> bt ${p.stack.pid ?? '<pid>'}     crash> task -R thread_info ${p.stack.pid ?? '<pid>'}     (preempt_count at the time of the panic)`, zh: `crash> bt ${p.stack.pid ?? '<pid>'}     crash> task -R thread_info ${p.stack.pid ?? '<pid>'}（panic 时的 preempt_count）` },
        ],
        facts: { inferredPanic: p.message, panicIsInferred: p.inferred, caller: p.caller, pid: p.stack.pid },
      });
    }
    return out;
  },
};
