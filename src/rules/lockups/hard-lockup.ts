// "Watchdog detected hard LOCKUP on cpu N": a CPU ran with interrupts disabled past the NMI watchdog threshold.

import { baseName, blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { spinningOn } from './spinning';
import { culpritEvidence, disStep, ev, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /(?:Watchdog detected hard LOCKUP on cpu (\d+)|Kernel panic - not syncing: Hard LOCKUP|NMI watchdog: BUG: hard lockup - CPU#?(\d+))/;

export const hardLockup: Rule = {
  meta: {
    id: 'KT-hard-lockup',
    rootCauseClass: 'other',
    summary: t('A CPU ran with interrupts disabled past the NMI watchdog threshold', '某个 CPU 关中断运行的时间超过了 NMI watchdog 阈值'),
    docs: t(
      `Looks for "NMI watchdog: Watchdog detected hard LOCKUP on cpu N" (and "Kernel panic - not
syncing: Hard LOCKUP"). The perf-based NMI watchdog found that the CPU's timer interrupt had not
run for watchdog_thresh seconds: the CPU was stuck with interrupts disabled (or in an NMI/SMI).
The stack printed from the NMI is what the CPU was doing. Most often it spins on a spinlock
taken with _irq/_irqsave while the holder cannot release it - the holder is this same CPU
(an interrupt or a nested call retaking a lock the interrupted code holds: AA deadlock) or
another CPU waiting on us. Otherwise a loop with interrupts off, or a hardware/hypervisor stall.
A fault printed just before (an oops whose printk deadlocks on a console or timer lock) makes
the lockup a symptom: read the first report in the log.
What to do: "bt -a" for all CPUs, the lock address in RDI of the spinning CPU, and which context
on which CPU took that lock.`,
      `匹配 "NMI watchdog: Watchdog detected hard LOCKUP on cpu N"（以及 "Kernel panic - not syncing:
Hard LOCKUP"）。基于 perf 的 NMI watchdog 发现该 CPU 的时钟中断已经 watchdog_thresh 秒没有运行：
CPU 在关中断状态下卡住了（或卡在 NMI/SMI 中）。从 NMI 打印出来的调用栈就是 CPU 当时在做的事。
最常见的是在一把用 _irq/_irqsave 获取的自旋锁上自旋，而持锁者无法释放——持锁者就是本 CPU（中断
或嵌套调用再次获取被打断代码已持有的锁：AA 死锁），或者是另一个在等我们的 CPU。否则就是关中断的
循环，或者硬件/虚拟化层的停顿。
如果之前刚打印过一次异常（oops 的 printk 在控制台锁或定时器锁上死锁），那么 lockup 只是症状：
先看日志中的第一个报告。
处理办法：用 "bt -a" 看所有 CPU，看自旋 CPU 的 RDI 中的锁地址，以及是哪个 CPU 上的哪个上下文拿了这把锁。`,
    ),
    references: ['Documentation/admin-guide/lockup-watchdogs.rst', 'kernel/watchdog_perf.c'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const cpu = hit.match[1] ?? hit.match[2] ?? (r.cpu !== null ? String(r.cpu) : '?');
      const c = blameReport(r, 'lockup');
      const spin = spinningOn(r);
      const earlier = ctx.analysis.reports.slice(0, hit.index).filter((x) => !/LOCKUP|lockup/.test(x.title));
      const evidence = [ev(hit.header.no, `CPU ${cpu}: no timer interrupt for the watchdog threshold`, `CPU ${cpu}：在看门狗阈值时间内没有时钟中断`)];
      if (spin) evidence.push(ev(spin.spinner.line, `${spin.spinner.function}: spinning with interrupts off${spin.lock ? ` on ${spin.lock}` : ''}`, `${spin.spinner.function}：关中断自旋${spin.lock ? `，锁地址 ${spin.lock}` : ''}`));
      if (spin?.taker) evidence.push(ev(spin.taker.line, `${spin.taker.function}: takes the lock`, `${spin.taker.function}：获取这把锁`));
      else evidence.push(...culpritEvidence(c, `${who(c)}: what the CPU was running`, `${whoZh(c)}：CPU 当时在运行的代码`));
      if (earlier[0]) evidence.push(ev(earlier[0].headerLine, 'an earlier report: the lockup may be its consequence', '更早的一个报告：lockup 可能是它的后果'));
      out.push({
        report: hit.index,
        rootCauseClass: spin ? 'deadlock-aa' : 'other',
        secondaryClasses: spin ? ['deadlock-abba'] : ['irq-state-corruption'],
        confidence: spin ? 0.6 : 0.5,
        summary: spin
          ? t(`Hard lockup on CPU ${cpu}: ${spin.taker?.function ?? 'the CPU'} spins with interrupts off on a lock that is never released`, `CPU ${cpu} hard lockup：${spin.taker?.function ?? '该 CPU'} 关中断在一把始终不释放的锁上自旋`)
          : t(`Hard lockup on CPU ${cpu} in ${who(c)}: interrupts stayed disabled`, `CPU ${cpu} 在 ${whoZh(c)} 中 hard lockup：中断一直处于关闭状态`),
        explanation: paragraphs([
          t(`The NMI watchdog saw no timer interrupt on CPU ${cpu} for the whole threshold (10 s by default): the CPU was running with interrupts disabled, so even the scheduler tick could not run.`, `NMI watchdog 在整个阈值时间内（默认 10 秒）没有看到 CPU ${cpu} 上的时钟中断：该 CPU 一直在关中断运行，连调度时钟中断都无法执行。`),
          spin
            ? t(`It was spinning in ${spin.spinner.function}${spin.taker ? ` for ${spin.taker.function}` : ''}. A lock waited for with interrupts off: if the holder is this CPU (the lock is taken again from an interrupt, or on a nested path) it is an AA deadlock; if the holder is another CPU, that CPU is waiting for something this one holds. The other CPUs' stacks decide which.`, `它在 ${spin.spinner.function} 中自旋${spin.taker ? `（调用者 ${spin.taker.function}）` : ''}。关中断等锁：如果持锁者是本 CPU（中断里或嵌套路径上再次获取同一把锁），就是 AA 死锁；如果持锁者是另一个 CPU，那个 CPU 在等本 CPU 持有的东西。要看其他 CPU 的调用栈才能确定。`)
            : t(`The stack shows ${who(c)}, not a lock spinner: a loop executed with interrupts disabled (local_irq_save/spin_lock_irqsave held too long), or the CPU was held by firmware (SMI) or the hypervisor.`, `调用栈显示的是 ${whoZh(c)}，而不是等锁：要么是关中断下的循环（local_irq_save/spin_lock_irqsave 持有太久），要么 CPU 被固件（SMI）或虚拟化层占住了。`),
          earlier[0] ? t(`An earlier report ("${earlier[0].title}") precedes it; if that oops printed to a console whose lock this CPU now needs, the lockup is its consequence: fix the first report.`, `在它之前还有一个报告（"${earlier[0].title}"）；如果那次 oops 的打印要用到本 CPU 现在等待的控制台锁，这次 lockup 就是它的后果：先修第一个报告。`) : null,
        ]),
        evidence,
        culprit: spin?.taker?.function ? { function: baseName(spin.taker.function), module: spin.taker.module } : culpritOfBlame(c),
        nextSteps: steps(
          t('crash> bt -a     (the spinning CPU and the holder of the lock)', 'crash> bt -a（自旋的 CPU 以及持锁者）'),
          spin?.lock ? t(`crash> rd ${spin.lock} 2     (the lock word: which CPU owns it)`, `crash> rd ${spin.lock} 2（锁的值：被哪个 CPU 持有）`) : null,
          disStep(c, 'the loop or lock at RIP', 'RIP 处的循环或锁'),
          t('crash> log | grep -n -m3 -E "BUG:|Oops|WARNING:"     (is there an earlier report this lockup follows from?)', 'crash> log | grep -n -m3 -E "BUG:|Oops|WARNING:"（有没有更早的报告导致了这次 lockup？）'),
          t('Check every lock taken in interrupt context is taken with _irqsave everywhere else; reproduce with CONFIG_PROVE_LOCKING=y.', '检查每一把会在中断上下文中获取的锁，在其他地方是否都用 _irqsave 获取；打开 CONFIG_PROVE_LOCKING=y 复现。'),
        ),
        facts: { cpu, spinning: spin !== null, lockAddress: spin?.lock ?? null, earlierReport: earlier[0]?.title ?? null },
      });
    }
    return out;
  },
};
