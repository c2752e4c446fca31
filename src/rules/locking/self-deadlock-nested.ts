// One CPU spins on a lock that an outer context on the same stack already holds: an AA self-deadlock through nesting.

import { machineOf, nestedWaits } from '../../machine';
import { baseName } from '../stacks';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: {
    en: 'Self-deadlock on {{cpu}}: {{taker}}() spins on the {{lock}} that {{holder}} already holds below it',
    zh: '{{cpu}} 上的自死锁：{{taker}}() 自旋等待的 {{lock}} 已被其下方的 {{holder}} 持有',
  },
  cpuN: { en: 'CPU{{n}}', zh: 'CPU{{n}}' },
  cpuOne: { en: 'one CPU', zh: '同一 CPU' },
  evSpin: { en: 'Spinning on a lock.', zh: '在锁上自旋。' },
  evTaker: { en: '{{taker}}() takes the {{lock}}.', zh: '{{taker}}() 获取 {{lock}}。' },
  evHolder: { en: '{{holder}} already holds the {{lock}} on this CPU.', zh: '{{holder}} 已在本 CPU 上持有 {{lock}}。' },
  evWatchdog: { en: 'The NMI watchdog reports a Hard LOCKUP.', zh: 'NMI watchdog 报告 Hard LOCKUP（硬死锁）。' },
  explain: {
    en: 'On {{cpu}} the stack nests two contexts: {{holder}} runs holding the {{lock}}, and further in, {{path}} tries to take the same lock. A lock held lower on the same CPU cannot be released while that CPU spins, so this is an AA self-deadlock, not a cross-CPU one.',
    zh: '{{cpu}} 的调用栈嵌套了两层上下文：{{holder}} 持有 {{lock}} 运行，更内层的 {{path}} 又试图获取同一把锁。锁被同一 CPU 的下层持有，在该 CPU 自旋时不可能释放，因此这是 AA 自死锁，而不是跨 CPU 的死锁。',
  },
  explainWatchdog: { en: 'The Hard LOCKUP reported by the NMI watchdog is its symptom.', zh: 'NMI watchdog 报告的 Hard LOCKUP 是它的症状。' },
  explainWhy: {
    en: 'What made the holder re-enter is the real bug: the frames between the two (a fault, a printk, an interrupt) show how it happened.',
    zh: '真正的 bug 是让持锁者被重入的那件事：两者之间的帧（一次异常、一次 printk、一次中断）说明了它是怎么发生的。',
  },
  stepBt: { en: 'crash> bt -f {{pid}}     (frames between {{holder}} and {{taker}})', zh: 'crash> bt -f {{pid}}（查看 {{holder}} 与 {{taker}} 之间的栈帧）' },
  stepBtNoPid: { en: 'crash> bt -f     (frames between {{holder}} and {{taker}})', zh: 'crash> bt -f（查看 {{holder}} 与 {{taker}} 之间的栈帧）' },
  stepBtA: { en: 'crash> bt -a     (confirm no other CPU holds the lock)', zh: 'crash> bt -a（确认没有其他 CPU 持有这把锁）' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

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
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const m = machineOf(ctx.analysis);
    const seen = new Set<string>();
    for (const nw of nestedWaits(m)) {
      const { lock, waiter, holder } = nw;
      // An interrupt that came in on a holder with interrupts enabled is the re-enabled-IRQ finding's to explain.
      if (holder.interruptsEnabled === true && (waiter.kind === 'irq' || waiter.kind === 'softirq')) continue;
      const key = `${waiter.cpu}:${waiter.pid}:${lock.address ?? lock.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const w = lock.waiters.find((x) => x.context === waiter.id);
      if (!w) continue;
      const holderName = nw.holderFunction ?? holder.stoppedAt ?? '?';
      const h = lock.holders.find((x) => x.context === holder.id);
      const holderLine = h?.lines[0] ?? holder.lines[0] ?? 0;
      // The path from the holder to the spinner, outermost first: every context in between on this CPU.
      const between = m.contexts.filter((c) => c.pid === waiter.pid && c.cpu === waiter.cpu && c.id >= waiter.id && c.id <= holder.id);
      const frames = between.flatMap((c) => c.frames.filter((f) => f.reliable && f.function !== null));
      const cut = frames.findIndex((f, i) => i > 0 && f.function !== null && baseName(f.function) === holderName);
      const path = (cut >= 0 ? frames.slice(0, cut + 1) : frames).map((f) => f.function as string).reverse();
      if (cut < 0 && holder.stoppedAt) path.unshift(holder.stoppedAt);
      const watchdog = m.contexts.filter((c) => c.pid === waiter.pid && c.cpu === waiter.cpu).flatMap((c) => c.frames).find((f) => f.function === 'watchdog_overflow_callback');
      const lockText = lock.name ?? `lock ${lock.address}`;
      const data = { cpu: waiter.cpu !== null ? msg('cpuN', { n: waiter.cpu }) : msg('cpuOne'), taker: w.taker ?? w.primitive, lock: lockText, holder: holderName, path: path.join(' -> ') };
      const evidence: FindingDraft['evidence'] = [
        { line: w.lines[0], note: msg('evSpin') },
        ...(w.lines[1] !== undefined ? [{ line: w.lines[1], note: msg('evTaker', data) }] : []),
        { line: holderLine, note: msg('evHolder', data) },
      ];
      if (watchdog) evidence.push({ line: watchdog.line, note: msg('evWatchdog') });
      const paras: L10n[] = [msg('explain', data), ...(watchdog ? [msg('explainWatchdog')] : []), msg('explainWhy')];
      out.push({
        report: waiter.report ?? undefined,
        confidence: 0.8,
        summary: msg('summary', data),
        explanation: { en: paras.map((p) => p.en).join(' '), zh: paras.map((p) => p.zh).join('') },
        evidence,
        // The holder was re-entered by a fault, a printk or an interrupt: what made it re-enter is the finding to explain, not a function here.
        culprit: null,
        nextSteps: [waiter.pid !== null ? msg('stepBt', { ...data, pid: waiter.pid }) : msg('stepBtNoPid', data), msg('stepBtA')],
        facts: { lock: lockText, lockAddress: lock.address, holder: holderName, taker: w.taker, cpu: waiter.cpu, nestedPath: path, holderEvidence: h?.evidence ?? [] },
      });
    }
    return out;
  },
};
