// One CPU spins on a lock that an outer context on the same stack already holds: an AA self-deadlock through nesting.

import { LOCK_DOMAINS, LOCK_SPINNERS } from '../../knowledge/functions';
import { allStacks, baseName, framesOf, named } from '../stacks';
import type { FindingDraft, Rule } from '../types';

export const selfDeadlockNested: Rule = {
  meta: {
    id: 'KT-self-deadlock-nested-context',
    rootCauseClass: 'deadlock-aa',
    summary: {
      en: 'A nested context (fault, interrupt, printk) spins on a lock that the interrupted code on the same CPU holds',
      zh: '嵌套上下文（异常、中断、printk）在自旋等待同一 CPU 上被打断代码已持有的锁',
    },
    docs: {
      en: `Looks at each stack for an innermost lock spinner (queued_spin_lock_slowpath,
_raw_spin_lock*) reached through a function that takes a known lock (lock_timer_base,
task_rq_lock, hrtimer base...), while an outer frame or an interrupted exception RIP on the
same stack is a function known to run holding that same lock (run_timer_softirq, __schedule,
__hrtimer_run_queues...). The lock can never be released: its holder is below the spinner
on the same CPU. With interrupts off this ends in a Hard LOCKUP or an RCU stall; the watchdog
report is the symptom, and what made the holder re-enter (a fault, a printk from an oops, an
interrupt) is the thing to explain.`,
      zh: `在每个调用栈中查找：最内层在锁上自旋（queued_spin_lock_slowpath、_raw_spin_lock*），
且经由获取某把已知锁的函数（lock_timer_base、task_rq_lock、hrtimer base 等）到达；同时同一个栈
上更外层的帧或被中断的异常 RIP 是已知持有同一把锁运行的函数（run_timer_softirq、__schedule、
__hrtimer_run_queues 等）。这把锁永远不会被释放：持有者就在同一 CPU 上、自旋者的下方。中断关闭时
最终表现为 Hard LOCKUP 或 RCU stall；watchdog 报告只是症状，真正要解释的是持锁代码为什么会
重入（一次异常、oops 的 printk、一次中断）。`,
    },
    references: ['Documentation/locking/lockdep-design.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const s of allStacks(ctx.analysis)) {
      const frames = framesOf(s.trace);
      const spinAt = frames.findIndex((f) => f.reliable && named(f, LOCK_SPINNERS));
      if (spinAt < 0) continue;
      for (const d of LOCK_DOMAINS) {
        const taker = frames.slice(spinAt + 1, spinAt + 4).find((f) => f.function !== null && d.takers.test(baseName(f.function)));
        if (!taker) continue;
        const takerIdx = frames.indexOf(taker);
        const holderFrame = frames.slice(takerIdx + 1).find((f) => f.function !== null && d.holders.test(baseName(f.function)));
        const holderSeg = s.trace.segments.find((seg) => seg.exceptionRip !== null && d.holders.test(baseName(seg.exceptionRip.replace(/\+.*$/, ''))) && seg.startLine > taker.line);
        if (!holderFrame && !holderSeg) continue;
        const holderName = holderSeg ? (holderSeg.exceptionRip as string) : (holderFrame?.function as string);
        const holderLine = holderSeg ? holderSeg.registerLines[0] ?? holderSeg.startLine : (holderFrame?.line as number);
        const path = frames.slice(spinAt, holderFrame ? frames.indexOf(holderFrame) + 1 : frames.length).filter((f) => f.reliable).map((f) => f.function).reverse();
        const watchdog = frames.find((f) => f.function === 'watchdog_overflow_callback');
        const evidence: FindingDraft['evidence'] = [
          { line: frames[spinAt].line, note: { en: 'spinning on a lock', zh: '在锁上自旋' } },
          { line: taker.line, note: { en: `${taker.function}() takes the ${d.lock}`, zh: `${taker.function}() 获取 ${d.lock}` } },
          { line: holderLine, note: { en: `${holderName} already holds the ${d.lock} on this CPU`, zh: `${holderName} 已在本 CPU 上持有 ${d.lock}` } },
        ];
        if (watchdog) evidence.push({ line: watchdog.line, note: { en: 'NMI watchdog: Hard LOCKUP', zh: 'NMI watchdog 报告 Hard LOCKUP（硬死锁）' } });
        const cpu = s.cpu !== null ? `CPU${s.cpu}` : 'one CPU';
        out.push({
          report: s.report ?? undefined,
          confidence: 0.8,
          summary: {
            en: `Self-deadlock on ${cpu}: ${taker.function}() spins on the ${d.lock} that ${holderName} already holds below it`,
            zh: `${s.cpu !== null ? `CPU${s.cpu}` : '同一 CPU'} 上的自死锁：${taker.function}() 自旋等待的 ${d.lock} 已被其下方的 ${holderName} 持有`,
          },
          explanation: {
            en: `On ${cpu} the stack nests two contexts: ${holderName} runs holding the ${d.lock}, and further in, ${path.join(' -> ')} tries to take the same lock. A lock held lower on the same CPU cannot be released while that CPU spins, so this is an AA self-deadlock, not a cross-CPU one.${watchdog ? ' The Hard LOCKUP reported by the NMI watchdog is its symptom.' : ''} Explain why the holder was re-entered: the frames between the two (a fault, a printk, an interrupt) show how.`,
            zh: `${s.cpu !== null ? `CPU${s.cpu}` : '该 CPU'} 的调用栈嵌套了两层上下文：${holderName} 持有 ${d.lock} 运行，更内层的 ${path.join(' -> ')} 又试图获取同一把锁。锁被同一 CPU 的下层持有，在该 CPU 自旋时不可能释放，因此这是 AA 自死锁，而不是跨 CPU 的死锁。${watchdog ? 'NMI watchdog 报告的 Hard LOCKUP 是它的症状。' : ''}需要解释的是持锁者为何被重入：两者之间的帧（一次异常、一次 printk、一次中断）说明了原因。`,
          },
          evidence,
          culprit: null,
          nextSteps: [
            { en: `crash> bt -f ${s.pid ?? ''}     (frames between ${holderName} and ${taker.function})`.replace('  ', ' '), zh: `crash> bt -f ${s.pid ?? ''}（查看 ${holderName} 与 ${taker.function} 之间的栈帧）` },
            { en: 'crash> bt -a     (confirm no other CPU holds the lock)', zh: 'crash> bt -a（确认没有其他 CPU 持有这把锁）' },
          ],
          facts: { lock: d.lock, holder: holderName, taker: taker.function, cpu: s.cpu, nestedPath: path },
        });
        break;
      }
    }
    return out;
  },
};
