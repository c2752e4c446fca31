// A paste with no report (a crash bt -a, foreach bt, a sysrq dump) in which contexts wait on locks whose holder it does not show.

import { machineOf, type MachineContext, type MachineLock } from '../../machine';
import { baseName } from '../stacks';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';

const messages = {
  summary: { en: '{{who}} {{verb}} on {{lock}} in {{taker}}(); the input does not show who holds it', zh: '{{who}}在 {{taker}}() 中{{verb}} {{lock}}；输入中看不到谁持有它' },
  summarySleep: { en: '{{n}} tasks sleep on locks whose owner the input does not show: {{takers}}', zh: '{{n}} 个任务睡眠等待锁，输入中看不到持有者：{{takers}}' },
  spins: { en: 'spins', zh: '自旋等待' },
  oneCpu: { en: 'CPU{{cpu}}', zh: 'CPU{{cpu}} ' },
  task: { en: '{{task}}', zh: '{{task}} ' },
  explainIrq: {
    en: 'On CPU{{cpu}} the {{ctx}} path {{taker}}() spins on {{lock}} with interrupts off. The context it interrupted is on the same CPU and cannot run until the spin ends, so if it holds the lock (it is code that takes the same lock outside interrupts), this is an AA self-deadlock: the lock is taken there without disabling interrupts, or they were re-enabled inside. crash did not unwind the interrupted context here: its stack, or the lock\'s value, settles it.',
    zh: 'CPU{{cpu}} 上的{{ctx}}路径 {{taker}}() 在关中断的情况下自旋等待 {{lock}}。被它打断的上下文在同一 CPU 上，自旋结束前无法运行；如果它持有这把锁（它是在中断之外获取同一把锁的代码），这就是 AA 自死锁：那里获取锁时没有关中断，或者在临界区内又打开了中断。crash 在这里没有展开被打断的上下文：它的调用栈或锁的值可以确定这一点。',
  },
  explainSleep: {
    en: '{{n}} tasks sleep on locks ({{locks}}) and the input shows no owner for any: with no task running in between, they most likely hold what the others wait for (an AB-BA deadlock across tasks).',
    zh: '{{n}} 个任务睡眠等待锁（{{locks}}），输入中看不到任何一把的持有者：如果其间没有任务在运行，它们很可能各自持有别人在等的锁（跨任务的 AB-BA 死锁）。',
  },
  explainSpin: {
    en: '{{who}} spins on {{lock}} for {{taker}}(), and no context in the input holds it: the holder is on a CPU or in a task the input does not show, or it returned without releasing the lock.',
    zh: '{{who}}为 {{taker}}() 自旋等待 {{lock}}，而输入中没有任何上下文持有它：持有者在输入没有显示的 CPU 或任务上，或者它返回时没有释放这把锁。',
  },
  evWait: { en: '{{who}} waits in {{primitive}}() for {{lock}}, taken by {{taker}}()', zh: '{{who}} 在 {{primitive}}() 中等待 {{lock}}，由 {{taker}}() 获取' },
  hardirq: { en: 'hardirq', zh: '硬中断' },
  softirq: { en: 'softirq', zh: '软中断' },
  stepSpin: { en: 'crash> struct raw_spinlock_t {{address}}     (locked, and the tail CPU of its waiters); crash> bt -a     crash> bt -e -c {{cpu}}     (the interrupted context\'s exception frame)', zh: 'crash> struct raw_spinlock_t {{address}}（是否已锁住，以及等待者的尾 CPU）；crash> bt -a     crash> bt -e -c {{cpu}}（被打断上下文的异常帧）' },
  stepMutex: { en: 'crash> struct mutex -x <address>     (owner: the task holding it; wait_list: its waiters)     crash> foreach UN bt', zh: 'crash> struct mutex -x <地址>（owner 即持有者；wait_list 是它的等待者）     crash> foreach UN bt' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

const SLEEPING = new Set<MachineLock['kind']>(['mutex', 'rwsem', 'semaphore']);

function whoOf(c: MachineContext): string {
  return c.comm !== null ? `${c.comm}/${c.pid}` : `CPU${c.cpu}`;
}

export const lockWaitUnresolved: Rule = {
  meta: {
    id: 'KT-lock-wait-unresolved',
    rootCauseClass: 'other',
    summary: { en: 'A paste with no report shows contexts waiting on locks whose holder it does not show: what the waits say, and what to print to find the holder', zh: '没有崩溃报告的粘贴内容中，有上下文在等待锁，但看不到持有者：这些等待说明了什么，以及该打印什么来找到持有者' },
    docs: {
      en: `Fires only when the input holds no crash report (a crash bt -a or foreach bt paste, a sysrq
dump) and the machine model has lock waits with no holder. An interrupt or softirq spinning with
interrupts off on one CPU is most likely an AA self-deadlock with the context it interrupted
(deadlock-aa); several tasks sleeping on locks with no owner shown are most likely an AB-BA
deadlock (deadlock-abba); anything else is a wait whose holder is off the page. The culprit is
the code that wanted the lock. The next steps print what settles it: the lock's value, the
interrupted frame (bt -e), the mutex's owner.`,
      zh: `仅在输入中没有崩溃报告（crash 的 bt -a 或 foreach bt 粘贴、sysrq 转储）且整机模型中有等待锁但没有
持有者时触发。某个 CPU 上的中断或软中断在关中断的情况下自旋，多半是与被它打断的上下文之间的 AA 自死锁
（deadlock-aa）；多个任务睡眠等待锁而看不到持有者，多半是 AB-BA 死锁（deadlock-abba）；其余情况是持有者
不在输入中的等待。嫌疑函数是想要获取这把锁的代码。后续步骤列出能确定结论的命令：锁的值、被打断的异常帧
（bt -e）、mutex 的 owner。`,
    },
    references: ['Documentation/locking/locktypes.rst'],
    messages,
  },
  check(ctx) {
    if (ctx.analysis.reports.length > 0) return [];
    const m = machineOf(ctx.analysis);
    const open = m.locks.filter((l) => l.waiters.length > 0 && l.holders.length === 0 && l.kind !== 'completion' && l.kind !== 'rcu');
    if (open.length === 0) return [];
    // Locks some ring or holder already explains are left to the rules that explain them.
    const out: FindingDraft[] = [];
    const sleeping = open.filter((l) => SLEEPING.has(l.kind));
    const sleepers = [...new Set(sleeping.flatMap((l) => l.waiters.map((w) => m.contexts[w.context].pid)))];
    if (sleepers.length >= 2) {
      const first = sleeping[0].waiters[0];
      const c = m.contexts[first.context];
      const locks = sleeping.map((l) => [l.name, l.address].filter((x) => x !== null).join(' ') || l.kind).join(', ');
      const takers = sleeping.flatMap((l) => l.waiters.map((w) => `${whoOf(m.contexts[w.context])} ${l.kind} in ${w.taker ?? w.primitive}()`)).slice(0, 6).join('; ');
      const data = { n: sleepers.length, locks, takers };
      out.push({
        confidence: 0.45,
        rootCauseClass: 'deadlock-abba',
        summary: msg('summarySleep', data),
        explanation: msg('explainSleep', data),
        evidence: sleeping.flatMap((l) => l.waiters.slice(0, 4).map((w) => ({ line: w.lines[0], note: msg('evWait', { who: whoOf(m.contexts[w.context]), primitive: w.primitive, lock: l.name ?? l.address ?? l.kind, taker: w.taker ?? '?' }) }))).slice(0, 8),
        culprit: first.taker ? { function: first.taker, module: first.takerModule } : null,
        nextSteps: [msg('stepMutex')],
        facts: { lockAddress: sleeping[0].address, waiters: sleepers.length, context: c.kind },
      });
    }
    for (const l of open.filter((x) => !SLEEPING.has(x.kind)).slice(0, 8)) {
      const w = l.waiters[0];
      const c = m.contexts[w.context];
      const inIrq = c.kind === 'irq' || c.kind === 'softirq';
      const lock = [l.name, l.address].filter((x) => x !== null).join(' ') || l.kind;
      const who = c.cpu !== null ? msg('oneCpu', { cpu: c.cpu }) : msg('task', { task: whoOf(c) });
      const data = { who, verb: msg('spins'), lock, taker: w.taker ?? w.primitive, cpu: c.cpu ?? '?', ctx: msg(c.kind === 'softirq' ? 'softirq' : 'hardirq'), address: l.address ?? '<address>' };
      const cls: RootCauseClass = inIrq && c.interruptsEnabled === false ? 'deadlock-aa' : 'other';
      out.push({
        confidence: cls === 'other' ? 0.35 : 0.45,
        rootCauseClass: cls,
        secondaryClasses: cls === 'deadlock-aa' ? ['irq-state-corruption'] : [],
        summary: msg('summary', data),
        explanation: cls === 'deadlock-aa' ? msg('explainIrq', data) : msg('explainSpin', data),
        evidence: l.waiters.slice(0, 6).map((x) => ({ line: x.lines[0], note: msg('evWait', { who: whoOf(m.contexts[x.context]), primitive: x.primitive, lock, taker: x.taker ?? '?' }) })),
        culprit: w.taker ? { function: baseName(w.taker), module: w.takerModule } : null,
        nextSteps: [msg('stepSpin', data)],
        facts: { lockAddress: l.address, lock: l.name, cpu: c.cpu, context: c.kind, interruptsEnabled: c.interruptsEnabled },
      });
    }
    return out;
  },
};
