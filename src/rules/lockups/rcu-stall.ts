// RCU CPU/task stall warnings: which CPUs or tasks held up the grace period, and what the stalled CPU was doing.

import { baseName, blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { spinningOn } from './spinning';
import { culpritEvidence, disStep, ev, linesOf, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /(\w+) (self-detected stall on CPU|detected stalls? on CPUs?\/tasks|detected stalls on tasks|detected expedited stalls)|rcu_\w+ detected stall/;

export const rcuStall: Rule = {
  meta: {
    id: 'KT-rcu-stall',
    rootCauseClass: 'other',
    summary: t('An RCU grace period stalled: a CPU or task stayed in an RCU read-side critical section (or never scheduled) for too long', 'RCU 宽限期停滞：某个 CPU 或任务在 RCU 读临界区中停留过久（或一直不调度）'),
    docs: t(
      `Looks for "rcu: INFO: rcu_preempt self-detected stall on CPU", "... detected stalls on CPUs/tasks:"
and "rcu_tasks detected stalls on tasks". A grace period could not end because some CPU did
not pass through a quiescent state (it did not schedule, or ran with preemption/interrupts/BH
disabled) or some task stayed inside rcu_read_lock() for ~21 s (rcu_cpu_stall_timeout).
"self-detected" means the stalled CPU noticed itself, so the stack printed is the culprit's;
"detected stalls on CPUs" lists the CPUs ("N-...!") and the report includes an NMI backtrace of
each. "kthread starved" means the grace-period kthread itself did not get CPU time: look at what
hogs the CPUs (often a soft-lockup-style loop, or an overloaded/overcommitted VM).
Same shapes as a soft lockup: spinning on a lock, or a long loop without cond_resched().
What to do: read the stalled CPU's backtrace, "bt -a" in a vmcore, and fix the loop or lock.`,
      `匹配 "rcu: INFO: rcu_preempt self-detected stall on CPU"、"... detected stalls on CPUs/tasks:"
以及 "rcu_tasks detected stalls on tasks"。宽限期无法结束，是因为某个 CPU 一直没有经过静止状态
（不调度，或关着抢占/中断/BH 运行），或某个任务在 rcu_read_lock() 中停留了约 21 秒
（rcu_cpu_stall_timeout）。
"self-detected" 表示停滞的 CPU 自己发现了问题，所以打印出来的调用栈就是罪魁的；"detected stalls on
CPUs" 会列出这些 CPU（"N-...!"），并附上每个 CPU 的 NMI 回溯。"kthread starved" 表示宽限期内核
线程自己得不到 CPU：要看是什么占满了 CPU（常见是类似 soft lockup 的循环，或虚拟机超卖）。
与 soft lockup 相同的两种情形：在锁上自旋，或长循环里缺少 cond_resched()。
处理办法：读停滞 CPU 的回溯，有 vmcore 时用 "bt -a"，然后修掉那个循环或锁。`,
    ),
    references: ['Documentation/RCU/stallwarn.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const self = /self-detected/.test(hit.header.text);
      const tasks = /on tasks/.test(hit.header.text);
      const cpuLines = linesOf(ctx, r, /^(?:rcu: )?\s*\d+-\.{0,3}[.!\w]*: \(|^(?:rcu: )?\s*\d+-\.\.\.[!.]?:/, 8, hit.header.no + 1, Math.min(r.endLine, hit.header.no + 20));
      const cpus = cpuLines.map((l) => /(\d+)-/.exec(l.text.replace(/^rcu:\s*/, ''))?.[1]).filter((x): x is string => !!x);
      const starved = linesOf(ctx, r, /kthread starved for \d+ jiffies/, 1)[0] ?? null;
      const taskLines = tasks ? linesOf(ctx, r, /^task:\S+\s+state:|holdout: \d/, 3) : [];
      const c = blameReport(r, 'lockup');
      const spin = spinningOn(r);
      const evidence = [ev(hit.header.no, self ? 'the CPU detected its own stall' : tasks ? 'tasks holding up an RCU-tasks grace period' : 'another CPU detected the stall', self ? '该 CPU 自己检测到了停滞' : tasks ? '拖住 RCU-tasks 宽限期的任务' : '由其他 CPU 检测到的停滞')];
      for (const l of cpuLines.slice(0, 3)) evidence.push(ev(l.no, 'a stalled CPU and its grace-period state', '停滞的 CPU 以及它的宽限期状态'));
      for (const l of taskLines.slice(0, 2)) evidence.push(ev(l.no, 'a task holding up the grace period', '拖住宽限期的任务'));
      if (starved) evidence.push(ev(starved.no, 'the grace-period kthread did not get CPU time', '宽限期内核线程得不到 CPU 时间'));
      if (spin) evidence.push(ev(spin.spinner.line, `${spin.spinner.function}: spinning on a lock`, `${spin.spinner.function}：在锁上自旋`));
      evidence.push(...culpritEvidence(c, `${who(c)}: what the stalled context was running`, `${whoZh(c)}：停滞上下文当时在运行的代码`));
      const cpuText = cpus.length > 0 ? `CPU ${cpus.join(', ')}` : r.cpu !== null ? `CPU ${r.cpu}` : null;
      out.push({
        report: hit.index,
        rootCauseClass: spin ? 'deadlock-aa' : 'other',
        secondaryClasses: spin ? ['deadlock-abba'] : [],
        confidence: c.function ? 0.6 : 0.5,
        summary: t(
          `RCU stall${self ? ' (self-detected)' : ''}${cpuText ? ` on ${cpuText}` : tasks ? ' on tasks' : ''}${c.function ? `: ${who(c)} ${spin ? 'spinning on a lock' : 'did not let the CPU pass a quiescent state'}` : ''}`,
          `RCU 停滞${self ? '（自检）' : ''}${cpuText ? `，${cpuText}` : tasks ? '，涉及任务' : ''}${c.function ? `：${whoZh(c)} ${spin ? '在锁上自旋' : '让 CPU 无法经过静止状态'}` : ''}`,
        ),
        explanation: paragraphs([
          self
            ? t(`The stalled CPU detected the stall itself, so the stack in this report is the code that held it: ${who(c)}.`, `停滞的 CPU 自己检测到了停滞，所以本报告中的调用栈就是拖住它的代码：${whoZh(c)}。`)
            : tasks
              ? t('An RCU-tasks grace period waits for every task to voluntarily schedule or go to user space; the listed tasks did not (they loop in the kernel, or are preempted inside a trampoline).', 'RCU-tasks 宽限期要等每个任务主动调度或回到用户态；列出的任务没有这样做（它们在内核中循环，或者在 trampoline 中被抢占）。')
              : t(`Another CPU detected that ${cpuText ?? 'some CPUs'} did not report a quiescent state; the NMI backtraces that follow show what ${cpus.length > 1 ? 'they were' : 'it was'} doing.`, `另一个 CPU 检测到 ${cpuText ?? '某些 CPU'} 没有上报静止状态；后面的 NMI 回溯给出了${cpus.length > 1 ? '它们' : '它'}当时在做什么。`),
          spin
            ? t(`The stalled context spins in ${spin.spinner.function}${spin.taker ? ` for ${spin.taker.function}` : ''}: a lock that is not released - a deadlock with another CPU, or a holder that is itself stuck.`, `停滞的上下文在 ${spin.spinner.function} 中自旋${spin.taker ? `（调用者 ${spin.taker.function}）` : ''}：这把锁一直不释放——要么和另一个 CPU 死锁，要么持锁者自己卡住了。`)
            : t('A CPU stays out of a quiescent state when it loops in the kernel with preemption, interrupts or BH disabled, or inside rcu_read_lock(): a long loop missing cond_resched(), a walk of a corrupted (cyclic) list, or a flood of interrupts/softirqs.', 'CPU 在关抢占、关中断或关 BH 的情况下（或在 rcu_read_lock() 内）在内核中循环，就会一直无法进入静止状态：长循环缺少 cond_resched()、遍历被破坏（成环）的链表，或者中断/软中断风暴。'),
          starved ? t('The grace-period kthread was also starved: whatever hogs the CPUs (or a heavily overcommitted VM) kept it from running.', '宽限期内核线程也被饿住了：有东西占满了 CPU（或者虚拟机严重超卖），使它无法运行。') : null,
        ]),
        evidence,
        culprit: spin?.taker?.function ? { function: baseName(spin.taker.function), module: spin.taker.module } : culpritOfBlame(c),
        nextSteps: steps(
          t('crash> bt -a     (each stalled CPU, and who holds what it waits for)', 'crash> bt -a（每个停滞的 CPU，以及它所等待资源的持有者）'),
          disStep(c, 'the loop or lock the CPU was stuck in', 'CPU 卡住的循环或锁'),
          t('Look for cond_resched() missing in the loop, or a list walk without a bound; with CONFIG_PROVE_RCU/CONFIG_PROVE_LOCKING lockdep reports rcu_read_lock misuse.', '检查循环里是否缺少 cond_resched()，或者遍历没有上限；打开 CONFIG_PROVE_RCU/CONFIG_PROVE_LOCKING 后 lockdep 会报告 rcu_read_lock 的误用。'),
          starved ? t('Check the host: steal time (top/vmstat "st"), CPU overcommit, and whether the rcu_preempt/rcu_sched kthread ran (ps, sched_switch trace).', '检查宿主机：steal time（top/vmstat 的 "st"）、CPU 超卖，以及 rcu_preempt/rcu_sched 内核线程有没有运行（ps、sched_switch 跟踪）。') : null,
        ),
        facts: { selfDetected: self, tasksFlavour: tasks, stalledCpus: cpus.map(Number), kthreadStarved: starved !== null, spinning: spin !== null },
      });
    }
    return out;
  },
};
