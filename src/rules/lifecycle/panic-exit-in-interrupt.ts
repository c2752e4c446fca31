// "Aiee, killing interrupt handler!": a task exited with a softirq/hardirq count (a leak), or died in an oops in interrupt context.

import type { CrashReport } from '../../model/types';
import { AIEE_PANIC, earlierOops, inferredPanics, oopsInInterrupt, onOopsExitPath, scheduleBugs, sightings } from '../facts';
import { baseName } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summaryLeak: { en: '{{task}} panicked in {{caller}}(): "Aiee, killing interrupt handler!"{{inferred}}, the consequence of a softirq or hardirq count it never released', zh: '{{task}} 在 {{caller}}() 中 panic："Aiee, killing interrupt handler!"{{inferred}}，这是它从未释放的软/硬中断计数的后果' },
  summaryOops: { en: '{{task}} panicked in {{caller}}(): "Aiee, killing interrupt handler!"{{inferred}}, because it oopsed {{where}}', zh: '{{task}} 在 {{caller}}() 中 panic："Aiee, killing interrupt handler!"{{inferred}}，因为它{{where}}发生了 oops' },
  inferredTag: { en: ' (inferred)', zh: '（推断）' },
  whereIrq: { en: 'in interrupt context', zh: '在中断上下文中' },
  whereCount: { en: 'with a softirq or hardirq count set', zh: '在软/硬中断计数未清除时' },
  explainCheck: { en: '{{caller}}() calls panic("Aiee, killing interrupt handler!") when in_interrupt() is true: the exiting task still counts as running in an interrupt or a softirq.', zh: '当 in_interrupt() 为真时，{{caller}}() 会调用 panic("Aiee, killing interrupt handler!")：正在退出的任务仍被视为运行在中断或软中断中。' },
  explainInferred: { en: 'The message is not in the input; it follows from the stack, where panic() is called by {{caller}}().', zh: '输入中没有这条信息；它是根据调用栈推断的：panic() 由 {{caller}}() 调用。' },
  explainLeakBug: { en: 'The task was exiting, not dying in an oops, and it had already been reported "scheduling while atomic" with preempt count {{raw}}: its softirq count was still set. The panic is the consequence of that leak, not a separate bug.', zh: '任务是在正常退出而不是死于 oops，而且之前已经报过 "scheduling while atomic"，preempt count 为 {{raw}}：它的软中断计数仍未清除。这个 panic 是该泄漏的后果，而不是另一个 bug。' },
  explainLeak: { en: 'The task was exiting, not dying in an oops: something it ran earlier left a softirq (or hardirq) count set, usually a spin_lock_bh() or local_bh_disable() without its release. The panic is the consequence of that leak.', zh: '任务是在正常退出而不是死于 oops：它之前执行的代码遗留了软中断（或硬中断）计数，最常见的是没有配对释放的 spin_lock_bh() 或 local_bh_disable()。这个 panic 是该泄漏的后果。' },
  explainOopsIrq: { en: 'The task oopsed in interrupt context just before (line {{line}}, "{{title}}"): code running for an interrupt cannot be killed like a task, so the kernel panics. The oops is the bug to fix; this panic only follows from it.', zh: '该任务刚刚在中断上下文中 oops（第 {{line}} 行，"{{title}}"）：为中断运行的代码不能像任务那样被杀掉，所以内核 panic。要修的是那次 oops；这个 panic 只是它的后果。' },
  explainOops: { en: 'The task oopsed just before (line {{line}}, "{{title}}") while a softirq or hardirq count was set, so its exit found it still in interrupt context. The oops is the bug to fix; this panic only follows from it.', zh: '该任务刚刚在软/硬中断计数未清除时 oops（第 {{line}} 行，"{{title}}"），所以退出时发现自己仍处于中断上下文。要修的是那次 oops；这个 panic 只是它的后果。' },
  explainOopsPath: { en: 'The panic stack goes through the oops path ({{frames}}): the task died in an oops while it counted as running in interrupt context. That oops is the bug to fix; read the report printed before this panic.', zh: 'panic 的调用栈经过了 oops 路径（{{frames}}）：任务在被视为运行于中断上下文时死于一次 oops。要修的是那次 oops；请阅读这个 panic 之前打印的报告。' },
  evPanic: { en: 'panic() was called', zh: '调用了 panic()' },
  evPrinted: { en: 'the panic as printed', zh: '打印出来的 panic' },
  evCaller: { en: 'called by {{caller}}(): the exiting task was in interrupt context', zh: '由 {{caller}}() 调用：退出的任务仍处于中断上下文' },
  evBug: { en: 'the same task (pid {{pid}}) had preempt count {{raw}} earlier', zh: '同一任务（pid {{pid}}）之前的 preempt count 为 {{raw}}' },
  evOops: { en: 'the oops the task died in', zh: '任务死于这次 oops' },
  stepBug: { en: 'Analyse the "scheduling while atomic" report at line {{line}} first: it names the code that left the count set.', zh: '先分析第 {{line}} 行的 "scheduling while atomic" 报告：它指出了遗留计数的代码。' },
  stepLog: { en: 'crash> log | grep -B2 -A30 "scheduling while atomic"     (an earlier report for this task names the code)', zh: 'crash> log | grep -B2 -A30 "scheduling while atomic"（该任务更早的报告会指向问题代码）' },
  stepTask: { en: 'crash> bt {{pid}}     crash> task -R thread_info {{pid}}     (preempt_count at the time of the panic)', zh: 'crash> bt {{pid}}     crash> task -R thread_info {{pid}}（panic 时的 preempt_count）' },
  stepOops: { en: 'Analyse the oops at line {{line}} first: this panic follows from it.', zh: '先分析第 {{line}} 行的 oops：这个 panic 是它的后果。' },
  stepOopsLog: { en: 'crash> log | grep -n -m3 -E "BUG:|Oops|Unable to handle"     (the oops this panic follows from)', zh: 'crash> log | grep -n -m3 -E "BUG:|Oops|Unable to handle"（这个 panic 所跟随的 oops）' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface ExitPanic {
  caller: string;
  panicLine: number;
  callerLine: number | null;
  inferred: boolean;
  pid: number | null;
  comm: string | null;
  report: number | null;
  /** The report whose stack shows the panic, for the oops-path check. */
  stack: CrashReport | null;
  oopsPathFrames: string[];
}

const OOPS_PATH = new Set(['oops_end', 'die', '__die', 'make_task_dead', 'rewind_stack_do_exit', 'rewind_stack_and_make_dead', 'bad_page_fault', 'die_kernel_fault']);

/** Every exit panic once: from a stack (crash `bt`, a console trace through panic()), then printed lines without one. */
function exitPanics(ctx: Parameters<Rule['check']>[0]): ExitPanic[] {
  const out: ExitPanic[] = [];
  for (const p of inferredPanics(ctx)) {
    if (p.caller !== 'do_exit' && p.caller !== 'make_task_dead') continue;
    const frames = p.stack.trace.segments.flatMap((s) => s.frames);
    const oopsPathFrames = [...new Set(frames.filter((f) => f.function && OOPS_PATH.has(baseName(f.function))).map((f) => baseName(f.function as string)))];
    out.push({ caller: p.caller, panicLine: p.panicLine, callerLine: p.callerLine, inferred: p.inferred, pid: p.stack.pid, comm: p.stack.comm, report: p.stack.report, stack: p.stack.report !== null ? ctx.analysis.reports[p.stack.report] : null, oopsPathFrames });
  }
  for (const s of sightings(ctx, AIEE_PANIC, { title: 'kernel panic: Aiee, killing interrupt handler!' })) {
    if (out.some((p) => (s.index !== null && p.report === s.index) || Math.abs(p.panicLine - s.header.no) < 40)) continue;
    out.push({ caller: 'do_exit', panicLine: s.header.no, callerLine: null, inferred: false, pid: s.report.pid, comm: s.report.comm, report: s.index, stack: s.report, oopsPathFrames: onOopsExitPath(s.report) ? ['oops_end'] : [] });
  }
  return out;
}

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
since 5.17 the check lives in make_task_dead(), reached after an oops. Two shapes:
- The task died in an oops while in interrupt context (an oops in an IRQ handler or a softirq,
  or with a softirq count set): the panic is a consequence of that oops, which is the bug.
- The task exited normally: it is never in interrupt context then, so the softirq (or hardirq)
  part of its preempt count was left set by something it ran earlier. A leaked
  spin_lock_bh()/local_bh_disable() is the usual cause (lock-imbalance). The panic names no
  culprit; the earlier "scheduling while atomic" for the same task, or the code it ran before
  exiting, does.
When only a crash "bt" is available the message is inferred from the frames (panic called
by do_exit); "log" in crash shows the printed text.`,
      zh: `当 in_interrupt() 为真时，do_exit() 会 panic："Aiee, killing interrupt handler!"；5.17 以后的内核
中这个检查位于 make_task_dead()，在 oops 之后才会走到。两种情形：
- 任务在中断上下文中死于 oops（中断处理函数或软中断中的 oops，或者软中断计数未清除时的 oops）：这个
  panic 是那次 oops 的后果，oops 才是 bug。
- 任务正常退出：此时它不可能处于中断上下文，所以它的 preempt count 中软中断（或硬中断）部分是之前执行
  的代码遗留的。最常见的原因是泄漏的 spin_lock_bh()/local_bh_disable()（锁不配对）。这个 panic 本身
  不指向嫌疑代码；同一任务之前的 "scheduling while atomic"，或者它退出前执行的代码才是线索。
如果只有 crash 的 bt 输出，panic 信息是根据调用栈（do_exit 调用 panic）推断的；在 crash 中用
log 可以看到实际打印的文字。`,
    },
    references: ['kernel/exit.c: do_exit(), make_task_dead()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const bugs = scheduleBugs(ctx);
    for (const p of exitPanics(ctx)) {
      const task = p.comm ? `${p.comm}/${p.pid ?? '?'}` : `pid ${p.pid ?? '?'}`;
      const oops = earlierOops(ctx, p.panicLine, { pid: p.pid, comm: p.comm });
      const viaOops = oops !== null || p.oopsPathFrames.length > 0 || p.caller === 'make_task_dead';
      const irq = oops ? oopsInInterrupt(ctx, oops.report) : false;
      const bug = !viaOops ? bugs.find((b) => b.pid === p.pid && b.header.no < p.panicLine) ?? bugs.find((b) => b.pid === p.pid) ?? null : null;
      const data = {
        task, caller: p.caller, pid: p.pid, raw: bug?.raw ?? null, line: oops?.report.headerLine ?? bug?.header.no ?? null, title: oops?.report.title ?? null,
        inferred: p.inferred ? msg('inferredTag') : null, where: msg(irq ? 'whereIrq' : 'whereCount'), frames: p.oopsPathFrames.join(', '),
      };
      const evidence: FindingDraft['evidence'] = [{ line: p.panicLine, note: msg(p.callerLine === null ? 'evPrinted' : 'evPanic') }];
      if (p.callerLine !== null) evidence.push({ line: p.callerLine, note: msg('evCaller', data) });
      if (bug) evidence.push({ line: bug.header.no, note: msg('evBug', { pid: bug.pid, raw: bug.raw }) });
      if (oops) evidence.push({ line: oops.report.headerLine, note: msg('evOops') });
      const paras: L10n[] = [msg('explainCheck', data)];
      if (p.inferred) paras.push(msg('explainInferred', data));
      const nextSteps: L10n[] = [];
      if (viaOops) {
        paras.push(oops ? msg(irq ? 'explainOopsIrq' : 'explainOops', data) : msg('explainOopsPath', data));
        nextSteps.push(oops ? msg('stepOops', data) : msg('stepOopsLog'));
      } else {
        paras.push(bug ? msg('explainLeakBug', data) : msg('explainLeak'));
        nextSteps.push(bug ? msg('stepBug', data) : msg('stepLog'));
        if (p.pid !== null) nextSteps.push(msg('stepTask', data));
      }
      out.push({
        report: p.report ?? (viaOops ? oops?.index : bug?.index),
        rootCauseClass: viaOops ? 'other' : 'lock-imbalance',
        confidence: viaOops ? 0.35 : bug ? 0.7 : 0.55,
        summary: msg(viaOops ? 'summaryOops' : 'summaryLeak', data),
        explanation: { en: paras.map((x) => x.en).join('\n\n'), zh: paras.map((x) => x.zh).join('\n\n') },
        evidence,
        culprit: null,
        nextSteps,
        facts: { inferredPanic: 'Kernel panic - not syncing: Aiee, killing interrupt handler!', panicIsInferred: p.inferred, caller: p.caller, pid: p.pid, afterOops: viaOops, oopsInInterrupt: irq },
      });
    }
    return out;
  },
};
