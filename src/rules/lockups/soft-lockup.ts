// "BUG: soft lockup - CPU#N stuck for Ns!": a CPU ran kernel code without scheduling for the watchdog threshold.

import { IPI_WAITERS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { baseName, blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { spinningOn } from './spinning';
import { culpritEvidence, disStep, ev, linesOf, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /soft lockup - CPU#(\d+) stuck for (\d+)s! \[(.+?):(\d+)\]/;

export const softLockup: Rule = {
  meta: {
    id: 'KT-soft-lockup',
    rootCauseClass: 'other',
    summary: t('A CPU ran kernel code without scheduling past the soft-lockup threshold: a lock spin or an unbounded loop', '某个 CPU 长时间在内核中运行而不调度，超过了 soft lockup 阈值：自旋等锁或无界循环'),
    docs: t(
      `Looks for "BUG: soft lockup - CPU#N stuck for Ns! [comm:pid]". The soft-lockup watchdog
(a per-CPU hrtimer) found that its watchdog thread had not run for 2 x watchdog_thresh
seconds: the CPU stayed in kernel mode without calling schedule(), while interrupts still
worked (otherwise it is a hard lockup).
Two shapes: the interrupted code is a spin-lock slow path (native_queued_spin_lock_slowpath,
_raw_spin_lock...) - the CPU waits for a lock another context holds and does not release,
a deadlock or a holder stuck elsewhere - or it is an ordinary function looping: a list walk
that does not terminate (corrupted list), a retry loop whose condition never changes, or a
long loop missing cond_resched().
What to do: "bt -a" to see every CPU (who holds the lock, what else is stuck), "dis -l" the RIP,
and for spinning the lock address (RDI) with "rd"/"struct"; for loops, look for the exit
condition of the loop around RIP.`,
      `匹配 "BUG: soft lockup - CPU#N stuck for Ns! [comm:pid]"。soft lockup 看门狗（每个 CPU 一个
hrtimer）发现自己的 watchdog 线程已经 2 x watchdog_thresh 秒没有运行：该 CPU 一直在内核态运行而没有
调用 schedule()，但中断仍然正常（否则就是 hard lockup）。
常见两种情形：被中断的代码是自旋锁慢路径（native_queued_spin_lock_slowpath、_raw_spin_lock 等）——
CPU 在等一把被其他上下文持有且不释放的锁，即死锁或持锁者卡在别处；或者是普通函数在循环：
链表遍历无法结束（链表被破坏）、重试循环的条件永远不变，或者长循环里缺少 cond_resched()。
处理办法：用 "bt -a" 查看所有 CPU（谁持有锁，还有谁卡住），对 RIP 做 "dis -l"；如果在自旋，用
"rd"/"struct" 查看锁地址（RDI）；如果是循环，找 RIP 附近循环的退出条件。`,
    ),
    references: ['Documentation/admin-guide/lockup-watchdogs.rst', 'kernel/watchdog.c'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const [, cpu, secs, comm, pid] = hit.match;
      const c = blameReport(r, 'lockup');
      const spin = spinningOn(r);
      const ripLine = r.registers?.ip?.line ?? null;
      const eflags = r.registers?.values.EFLAGS ?? null;
      const evidence = [ev(hit.header.no, `CPU ${cpu} ran ${comm}/${pid} in the kernel for ${secs}s without scheduling`, `CPU ${cpu} 上的 ${comm}/${pid} 在内核中运行了 ${secs} 秒没有调度`)];
      if (ripLine !== null) evidence.push(ev(ripLine, 'where the watchdog interrupted it', '看门狗中断它时所在的位置'));
      if (spin) evidence.push(ev(spin.spinner.line, `${spin.spinner.function}: spinning on a lock${spin.lock ? ` (RDI ${spin.lock})` : ''}`, `${spin.spinner.function}：在一把锁上自旋${spin.lock ? `（RDI ${spin.lock}）` : ''}`));
      if (spin?.taker) evidence.push(ev(spin.taker.line, `${spin.taker.function}: wants the lock`, `${spin.taker.function}：想要获取这把锁`));
      else evidence.push(...culpritEvidence(c, `${who(c)}: the code that kept running`, `${whoZh(c)}：一直在运行的代码`));
      const others = linesOf(ctx, r, /soft lockup - CPU#\d+ stuck/, 5, r.endLine + 1, r.endLine + 400);
      const ipFn = r.registers?.ip?.function ?? null;
      // Waiting for an IPI answer: the stuck CPU is another one, this one only waits for it.
      const ipiWait = !spin && ipFn !== null && matchesAny(baseName(ipFn), IPI_WAITERS);
      const culprit = spin?.taker?.function ? { function: baseName(spin.taker.function), module: spin.taker.module } : ipiWait ? null : culpritOfBlame(c);
      out.push({
        report: hit.index,
        rootCauseClass: spin ? 'deadlock-aa' : 'other',
        secondaryClasses: spin ? ['deadlock-abba'] : [],
        confidence: spin ? 0.6 : 0.55,
        summary: ipiWait
          ? t(`Soft lockup on CPU ${cpu}: ${ipFn}() waits for other CPUs to answer a cross-CPU call; the CPU that does not answer is the one to look at`, `CPU ${cpu} soft lockup：${ipFn}() 在等待其他 CPU 响应跨 CPU 调用；该看的是没有响应的那个 CPU`)
          : spin
          ? t(`Soft lockup on CPU ${cpu}: ${spin.taker?.function ?? 'the task'} spins on a lock that is never released${spin.lock ? ` (${spin.lock})` : ''}`, `CPU ${cpu} soft lockup：${spin.taker?.function ?? '该任务'} 在一把始终不释放的锁上自旋${spin.lock ? `（${spin.lock}）` : ''}`)
          : t(`Soft lockup on CPU ${cpu}: ${who(c)} looped for ${secs}s without scheduling`, `CPU ${cpu} soft lockup：${whoZh(c)} 循环了 ${secs} 秒而没有调度`),
        explanation: paragraphs([
          t(`The soft-lockup watchdog found CPU ${cpu} running ${comm}/${pid} in kernel mode for ${secs} seconds without a single schedule(). Interrupts were still enabled (the watchdog's own timer ran)${eflags ? `; EFLAGS ${eflags}` : ''}.`, `soft lockup 看门狗发现 CPU ${cpu} 上的 ${comm}/${pid} 在内核态运行了 ${secs} 秒，期间一次 schedule() 都没有。中断仍是开着的（看门狗自己的定时器还能运行）${eflags ? `；EFLAGS ${eflags}` : ''}。`),
          ipiWait
            ? t(`The interrupted code is ${ipFn}(), which sends an IPI and waits until every target CPU has run the function. It is not looping by itself: one of the other CPUs has interrupts disabled or is stuck with them off and never answers. This CPU's lockup is a consequence; the stacks of the other CPUs (NMI backtraces, crash "bt -a") show the cause.`, `被中断的代码是 ${ipFn}()：它发出 IPI 并等待所有目标 CPU 执行完函数。它本身并没有死循环：是某个其他 CPU 关着中断卡住了、始终不响应。本 CPU 的 lockup 只是后果；其他 CPU 的调用栈（NMI backtrace、crash 的 bt -a）才能说明原因。`)
            : spin
            ? t(`The interrupted code is ${spin.spinner.function}, a spin-lock slow path, called from ${spin.taker?.function ?? 'the caller'}: the CPU is waiting for a lock that another context holds and does not release. Either that holder is itself stuck (waiting for something this CPU holds: a deadlock), or the lock was never released on some path (a leaked lock). Find the holder in the other CPUs' stacks.`, `被中断的代码是自旋锁慢路径 ${spin.spinner.function}，由 ${spin.taker?.function ?? '调用者'} 调用：CPU 在等一把被其他上下文持有且不释放的锁。要么持锁者自己也卡住了（在等本 CPU 持有的东西：死锁），要么某条路径上锁从未释放（锁泄漏）。到其他 CPU 的调用栈里找持锁者。`)
            : t(`The interrupted code is ${who(c)}, not a lock: it is looping. Typical causes are a list or tree walk that never ends because the structure is corrupted (a cycle), a retry loop whose exit condition depends on another CPU that is not making progress, or a legitimately long loop over a large data set that is missing cond_resched().`, `被中断的代码是 ${whoZh(c)}，而不是锁：它在循环。典型原因是链表或树被破坏（出现环）导致遍历不结束、重试循环的退出条件依赖另一个没有进展的 CPU，或者处理大量数据的长循环里缺少 cond_resched()。`),
          others.length > 0 ? t(`Other CPUs reported soft lockups later in the log (${others.length}): look for a common lock or resource.`, `日志中后面还有其他 CPU 报告了 soft lockup（${others.length} 次）：找它们共同的锁或资源。`) : null,
        ]),
        evidence,
        culprit,
        nextSteps: steps(
          t('crash> bt -a     (every CPU: who holds the lock, who else is stuck)', 'crash> bt -a（所有 CPU：谁持有锁，还有谁卡住了）'),
          disStep(c, spin ? 'the spin loop and the lock it reads' : 'the loop around RIP and its exit condition', spin ? '自旋循环以及它读取的锁' : 'RIP 附近的循环及其退出条件'),
          spin?.lock ? t(`crash> rd ${spin.lock} 4     crash> struct raw_spinlock ${spin.lock}     (the lock value: owner/tail CPU)`, `crash> rd ${spin.lock} 4     crash> struct raw_spinlock ${spin.lock}（锁的值：持有者/排队的 CPU）`) : null,
          spin ? t('crash> foreach bt | grep -B20 <lock function>     (which task took this lock and where it is now)', 'crash> foreach bt | grep -B20 <加锁函数>（哪个任务拿了这把锁，它现在在哪里）') : t('Add cond_resched() in the long loop, or bound the walk and check the structure with CONFIG_DEBUG_LIST.', '在长循环里加 cond_resched()，或者限制遍历次数，并打开 CONFIG_DEBUG_LIST 检查数据结构。'),
          t('Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports a lock-order problem before it deadlocks.', '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在真正死锁之前报告锁顺序问题。'),
        ),
        facts: { cpu: Number(cpu), seconds: Number(secs), task: `${comm}/${pid}`, spinning: spin !== null, lockAddress: spin?.lock ?? null, waitingForIpi: ipiWait },
      });
    }
    return out;
  },
};
