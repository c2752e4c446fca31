// "BUG: scheduling while atomic" shapes the other rules do not cover: a held or leaked count, IRQ context, a count left by an earlier report.

import { decodePreempt, type PreemptDecode } from '../../decode/preempt';
import { RETURN_TO_USER } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { MECHANISM_NAMES } from '../../knowledge/callbacks';
import type { CrashReport, Frame } from '../../model/types';
import { bhDisabledSleep } from './bh-disabled-sleep';
import { bhLeakReturnToUser } from '../locking/bh-leak-return-to-user';
import { threadInfoOverwritten } from '../memory/thread-info-overwritten';
import { COUNTLESS_SCHEDULE_BUG, earlierLeakOfTask, releaseOf, scheduleBugs, sightings, type ScheduleBug } from '../facts';
import { baseName, blameReport, culpritOfBlame, printedBlame, type Blame } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule, RuleContext } from '../types';
import { mainFrames, paragraphs } from '../reports';

const messages = {
  summaryLeak: { en: '{{task}} was on its way back to user space still atomic: a count left behind by the system call that just ran{{by}}', zh: '{{task}} 在返回用户态的途中仍处于原子状态：这是刚执行完的系统调用遗留的计数{{by}}' },
  summary: { en: 'Scheduling while atomic in {{task}}: {{shape}}{{by}}', zh: '{{task}} 在原子状态下调度：{{shape}}{{by}}' },
  bySite: { en: ' (made atomic in {{site}})', zh: '（在 {{site}} 中进入原子状态）' },
  byWho: { en: ' ({{who}})', zh: '（{{who}}）' },
  summaryConsequence: { en: 'Scheduling while atomic in {{task}} again: {{shape}}, a state left by the earlier report of the same task', zh: '{{task}} 再次在原子状态下调度：{{shape}}，这是同一任务之前那次报告遗留的状态' },
  summaryCountless: { en: 'Scheduling while atomic: {{who}} reached schedule() while the task was atomic (this kernel prints no count)', zh: '在原子状态下调度：{{who}} 在任务处于原子状态时进入了 schedule()（该内核不打印计数）' },
  summaryCountlessNoCulprit: { en: 'Scheduling while atomic: schedule() was reached while the task was atomic (this kernel prints no count, and the stack names no function of its own)', zh: '在原子状态下调度：任务处于原子状态时进入了 schedule()（该内核不打印计数，调用栈中也没有可归咎的函数）' },
  shapeIrq: { en: 'schedule() was called from a hard interrupt handler (hardirq depth {{depth}})', zh: '在硬中断处理函数中调用了 schedule()（硬中断深度 {{depth}}）' },
  shapeNmi: { en: 'schedule() was called from NMI context', zh: '在 NMI 上下文中调用了 schedule()' },
  shapeSoftirq: { en: 'a softirq was being served: a sleeping call from a timer, tasklet or network softirq', zh: '正在处理软中断：在定时器、tasklet 或网络软中断中调用了会睡眠的函数' },
  shapePreempt: { en: 'preempt depth {{depth}} beyond schedule()\'s own: a spin_lock() or preempt_disable() was still held', zh: '除 schedule() 自己那一层外还有 {{depth}} 层抢占禁止：仍持有 spin_lock() 或 preempt_disable()' },
  shapeBh: { en: 'bottom halves disabled {{times}}', zh: 'BH 被关闭了 {{times}}' },
  shapeShort: { en: 'the count is one below what schedule() itself adds: one preempt_enable() or spin_unlock() more than was taken', zh: '计数比 schedule() 自己加的值还少 1：preempt_enable() 或 spin_unlock() 比获取多调用了一次' },
  shapeOther: { en: 'a preempt count of {{raw}}', zh: 'preempt count 为 {{raw}}' },
  timesOnce: { en: 'once', zh: '1 次' },
  timesN: { en: '{{n}} times', zh: '{{n}} 次' },
  explainCount: { en: 'The preempt count printed is {{raw}}: {{shape}}.', zh: '打印的 preempt count 为 {{raw}}：{{shape}}。' },
  explainBasis: { en: 'How the count was read: {{basis}}.', zh: '计数的读法：{{basis}}。' },
  explainLeak: { en: 'The stack is on the return-to-user path ({{ret}}): nothing on it holds a lock any more, so the count was left behind by the system call or interrupt that just finished: a spin_lock(), preempt_disable() or local_bh_disable() without its release on some path (typically an error path).', zh: '调用栈位于返回用户态的路径上（{{ret}}）：这条路径上已经没有代码持有锁，所以计数是刚结束的系统调用或中断遗留的——某条路径（通常是错误分支）上的 spin_lock()、preempt_disable() 或 local_bh_disable() 没有配对释放。' },
  explainIrq: { en: 'Interrupt handlers must never sleep: the call that led to schedule() (a mutex, a GFP_KERNEL allocation, a wait) must move to a threaded interrupt handler or a work item.', zh: '中断处理函数绝不能睡眠：导致 schedule() 的调用（mutex、GFP_KERNEL 分配、等待）必须移到线程化中断处理函数或工作项中。' },
  explainSoftirq: { en: 'Softirq context (timers, tasklets, network receive) must never sleep: the sleeping call must move to a work item or a kernel thread, or use a variant that does not sleep.', zh: '软中断上下文（定时器、tasklet、网络收包）绝不能睡眠：睡眠调用必须移到工作项或内核线程中，或者改用不会睡眠的版本。' },
  explainHeld: { en: 'The task slept while atomic{{since}}. If the lock is released later on this path, it is a sleep under a spinlock (move the sleeping call out, or use a mutex); if not, the lock was leaked.', zh: '任务在原子状态下睡眠了{{since}}。如果这条路径之后会释放锁，就是持自旋锁睡眠（把睡眠调用移出去，或改用 mutex）；如果不会释放，就是锁泄漏。' },
  sinceSite: { en: '; preemption was disabled in {{site}}', zh: '；抢占是在 {{site}} 中关闭的' },
  sinceWho: { en: '; {{who}} is the first function of its own above the scheduler', zh: '；{{who}} 是调度器之上第一个可归咎的函数' },
  explainShort: { en: 'A count below schedule()\'s own comes from a release without an acquisition: an unbalanced spin_unlock() or preempt_enable() on some path.', zh: '计数低于 schedule() 自己加的值，说明有一次没有对应获取的释放：某条路径上 spin_unlock() 或 preempt_enable() 不配对。' },
  explainConsequence: { en: 'The same task was reported at line {{line}} ("{{title}}"): {{why}} This report only repeats that state; fix the first one.', zh: '同一任务在第 {{line}} 行已经报告过（"{{title}}"）：{{why}}这个报告只是重复那个状态；先修第一个。' },
  whyReset: { en: 'after printing "scheduling while atomic" the kernel resets the count to schedule()\'s own, so the release that followed left it one short.', zh: '内核打印 "scheduling while atomic" 之后会把计数重置为 schedule() 自己那一层，所以之后那次释放让它少了 1。' },
  whyLeft: { en: 'the count that report found left behind is still set when the task sleeps again.', zh: '那次报告发现的遗留计数在任务再次睡眠时仍然存在。' },
  explainCountless: { en: 'This kernel prints "bad: scheduling while atomic!" without the task or the preempt count (2.6-era kernels), so only the stack says what ran: schedule() was reached with preemption disabled, below {{who}}.', zh: '该内核（2.6 年代）打印 "bad: scheduling while atomic!" 时不带任务和 preempt count，所以只能从调用栈看出运行了什么：schedule() 是在关抢占的状态下被调用的，调用者是 {{who}}。' },
  explainCountlessNoCulprit: { en: 'This kernel prints "bad: scheduling while atomic!" without the task or the preempt count (2.6-era kernels), and the stack shows no function of its own: only a vmcore (bt -f) can tell which lock was held.', zh: '该内核（2.6 年代）打印 "bad: scheduling while atomic!" 时不带任务和 preempt count，调用栈中也没有可归咎的函数：只有 vmcore（bt -f）才能看出持有的是哪把锁。' },
  explainCallback: { en: '{{who}} is {{mechanism}} that {{dispatcher}} runs: it inherits that context and must not sleep in it.', zh: '{{who}} 是由 {{dispatcher}} 运行的{{mechanism}}：它继承了那个上下文，不能在其中睡眠。' },
  evHeader: { en: 'preempt count {{raw}}: {{shape}}', zh: 'preempt count {{raw}}：{{shape}}' },
  evCountless: { en: 'schedule() found the task atomic (no count printed)', zh: 'schedule() 发现任务处于原子状态（没有打印计数）' },
  evPrinted: { en: 'where the kernel says preemption was disabled', zh: '内核指出的关闭抢占的位置' },
  evReturn: { en: '{{ret}}: the return-to-user path', zh: '{{ret}}：返回用户态的路径' },
  evCulprit: { en: '{{who}}: the first function of its own above the scheduler', zh: '{{who}}：调度器之上第一个可归咎的函数' },
  evEarlier: { en: 'the earlier report of the same task', zh: '同一任务之前的报告' },
  stepLeak: { en: 'Review the system calls {{comm}} makes for a spin_lock(), preempt_disable() or local_bh_disable() not released on an error path; lockdep (CONFIG_PROVE_LOCKING) reports "lock held when returning to user space" at the source.', zh: '检查 {{comm}} 发起的系统调用中是否有 spin_lock()、preempt_disable() 或 local_bh_disable() 在错误分支上没有释放；lockdep（CONFIG_PROVE_LOCKING）会在源头报告 "lock held when returning to user space"。' },
  stepDis: { en: 'crash> dis -l {{location}}     crash> bt -f     (the lock taken in the frames below schedule())', zh: 'crash> dis -l {{location}}     crash> bt -f（schedule() 下面的帧中获取的锁）' },
  stepBt: { en: 'crash> bt -f     (the lock taken in the frames below schedule())', zh: 'crash> bt -f（schedule() 下面的帧中获取的锁）' },
  stepIrq: { en: 'Move the sleeping call out of the interrupt handler: request_threaded_irq() for the handler, or queue a work item.', zh: '把睡眠调用移出中断处理函数：用 request_threaded_irq() 注册处理函数，或者排入一个工作项。' },
  stepSoftirq: { en: 'Move the sleeping call out of the softirq: queue a work item, or use the variant that does not sleep (GFP_ATOMIC, spin_lock instead of mutex_lock).', zh: '把睡眠调用移出软中断：排入一个工作项，或者改用不会睡眠的版本（GFP_ATOMIC、用 spin_lock 代替 mutex_lock）。' },
  stepHeld: { en: 'In {{who}}: release the spinlock before the sleeping call, or use a mutex if the section has to sleep.', zh: '在 {{who}} 中：先释放自旋锁再做睡眠调用；如果这段代码必须睡眠，就改用 mutex。' },
  stepShort: { en: 'Look for a spin_unlock() or preempt_enable() without its lock on some path of the code the task ran before (an error path that unlocks twice).', zh: '在任务之前执行的代码里，找某条路径上没有对应加锁的 spin_unlock() 或 preempt_enable()（例如解锁了两次的错误分支）。' },
  stepDebug: { en: 'Enable CONFIG_DEBUG_PREEMPT and CONFIG_DEBUG_ATOMIC_SLEEP: the report then prints "Preemption disabled at:" with the function that made the task atomic.', zh: '打开 CONFIG_DEBUG_PREEMPT 和 CONFIG_DEBUG_ATOMIC_SLEEP：报告会打印 "Preemption disabled at:" 以及让任务进入原子状态的函数。' },
  stepFirst: { en: 'Analyse the earlier report of the same task first (line {{line}}): this one follows from it.', zh: '先分析同一任务之前的那次报告（第 {{line}} 行）：这个报告是它的后果。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** Callback mechanisms that run in softirq context. */
const SOFTIRQ_MECHANISMS: ReadonlySet<string> = new Set(['timer', 'tasklet', 'softirq', 'rcu', 'napi']);

type Shape = 'irq' | 'nmi' | 'softirq' | 'preempt' | 'bh' | 'short' | 'other';

function shapeOf(pc: PreemptDecode): Shape {
  if (pc.nmi) return 'nmi';
  if (pc.hardirqDepth > 0) return 'irq';
  if (pc.servingSoftirq) return 'softirq';
  if (pc.callerPreemptDepth > 0) return 'preempt';
  if (pc.softirqDisableDepth > 0) return 'bh';
  if (pc.preemptDepth === 0 && pc.notes.some((n) => n.id === 'no-schedule-offset')) return 'short';
  return 'other';
}

function shapeText(shape: Shape, pc: PreemptDecode, raw: string): L10n {
  const n = pc.softirqDisableDepth;
  switch (shape) {
    case 'nmi': return msg('shapeNmi');
    case 'irq': return msg('shapeIrq', { depth: pc.hardirqDepth });
    case 'softirq': return msg('shapeSoftirq');
    case 'preempt': return msg('shapePreempt', { depth: pc.callerPreemptDepth });
    case 'bh': return msg('shapeBh', { n, times: n === 1 ? msg('timesOnce') : msg('timesN', { n }) });
    case 'short': return msg('shapeShort');
    case 'other': return msg('shapeOther', { raw });
  }
}

function who(b: Pick<Blame, 'function' | 'module'>): string | null {
  if (!b.function) return null;
  return b.module ? `${b.function} [${b.module}]` : b.function;
}

function returnFrame(r: CrashReport): Frame | null {
  return mainFrames(r).find((f) => f.reliable && f.function !== null && matchesAny(baseName(f.function), RETURN_TO_USER)) ?? null;
}

function mechanismText(b: Blame): L10n | null {
  return b.callback ? MECHANISM_NAMES[b.callback.mechanism].aName : null;
}

function countedFinding(ctx: RuleContext, bug: ScheduleBug): FindingDraft | null {
  const r = bug.report;
  let pc: PreemptDecode;
  try {
    pc = decodePreempt(bug.value, { release: releaseOf(ctx.analysis, r), source: 'schedule-bug' });
  } catch {
    return null;
  }
  if (!pc.plausible) return null;
  const shape = shapeOf(pc);
  const returning = returnFrame(r);
  const printed = printedBlame(ctx, r);
  const c = printed ?? blameReport(r, 'context');
  const earlier = earlierLeakOfTask(ctx, bug.header.no, { pid: bug.pid, comm: bug.comm });
  const consequence = earlier !== null && (shape === 'short' || shape === 'preempt' || shape === 'bh' || shape === 'other');
  const irq = shape === 'irq' || shape === 'nmi';
  const leak = !consequence && !irq && returning !== null && (pc.callerPreemptDepth > 0 || pc.softirqDisableDepth > 0);
  const shapeL = shapeText(shape, pc, bug.raw);
  const data = {
    task: `${bug.comm}/${bug.pid}`, comm: bug.comm, raw: bug.raw, shape: shapeL, basis: pc.basisText, who: who(c), site: printed?.location ?? null,
    ret: returning?.function ? baseName(returning.function) : null, location: c.location, line: earlier?.headerLine ?? null, title: earlier?.title ?? null,
    mechanism: mechanismText(c), dispatcher: c.callback?.dispatcher ?? null,
  };
  const evidence: FindingDraft['evidence'] = [{ line: bug.header.no, note: msg('evHeader', data) }];
  if (printed?.line !== null && printed?.line !== undefined) evidence.push({ line: printed.line, note: msg('evPrinted') });
  if (returning) evidence.push({ line: returning.line, note: msg('evReturn', data) });
  if (!consequence && !printed && c.line !== null && data.who) evidence.push({ line: c.line, note: msg('evCulprit', data) });
  if (consequence && earlier) evidence.push({ line: earlier.headerLine, note: msg('evEarlier') });
  const paras: L10n[] = [msg('explainCount', data), msg('explainBasis', data)];
  const nextSteps: L10n[] = [];
  let cls: RootCauseClass = 'sleep-in-atomic';
  let secondary: RootCauseClass[] = ['lock-imbalance'];
  if (consequence && earlier) {
    paras.push(msg('explainConsequence', { ...data, why: msg(shape === 'short' ? 'whyReset' : 'whyLeft') }));
    nextSteps.push(msg('stepFirst', data));
    cls = /scheduling while atomic/.test(earlier.title) && shape === 'short' ? 'sleep-in-atomic' : 'lock-imbalance';
    secondary = [];
  } else if (leak) {
    paras.push(msg('explainLeak', data));
    nextSteps.push(msg('stepLeak', data));
    cls = 'lock-imbalance';
    secondary = [];
  } else if (irq) {
    paras.push(msg('explainIrq'));
    nextSteps.push(msg('stepIrq'));
    secondary = [];
  } else if (shape === 'softirq') {
    paras.push(msg('explainSoftirq'));
    nextSteps.push(msg('stepSoftirq'));
    secondary = [];
  } else if (shape === 'short') {
    paras.push(msg('explainShort'));
    nextSteps.push(msg('stepShort'));
    cls = 'lock-imbalance';
    secondary = [];
  } else {
    paras.push(msg('explainHeld', { since: printed ? msg('sinceSite', data) : data.who ? msg('sinceWho', data) : null }));
    if (data.who) nextSteps.push(msg('stepHeld', data));
  }
  if (!consequence && c.callback && data.who && data.mechanism) paras.push(msg('explainCallback', data));
  if (!consequence) {
    nextSteps.push(c.location ? msg('stepDis', data) : msg('stepBt'));
    if (!printed && shape !== 'short') nextSteps.push(msg('stepDebug'));
  }
  const by = printed ? msg('bySite', data) : data.who ? msg('byWho', data) : null;
  const summary = consequence ? msg('summaryConsequence', data) : leak ? msg('summaryLeak', { ...data, by: printed ? by : null }) : msg('summary', { ...data, by });
  return {
    report: bug.index,
    rootCauseClass: cls,
    secondaryClasses: secondary,
    confidence: consequence ? 0.35 : leak ? 0.8 : printed ? 0.75 : 0.65,
    summary,
    explanation: paragraphs(paras),
    evidence,
    culprit: consequence ? null : culpritOfBlame(c),
    nextSteps,
    facts: { preemptCount: bug.raw, preempt: pc, shape, returnToUser: data.ret, preemptDisabledAt: printed?.function ?? null, interrupt: irq, leaked: leak, consequenceOfLine: consequence ? data.line : null, blameBasis: consequence ? null : c.basis },
  };
}

/** The 2.6-era form: no task, no count; the stack is all there is. */
function countlessFindings(ctx: RuleContext): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const s of sightings(ctx, COUNTLESS_SCHEDULE_BUG, { title: 'BUG: scheduling while atomic', stop: /bad: scheduling while atomic!|Unable to handle|Oops|\bBUG: |Kernel panic/ })) {
    const c = printedBlame(ctx, s.report) ?? blameReport(s.report, 'context');
    const data = { who: who(c), location: c.location, mechanism: mechanismText(c), dispatcher: c.callback?.dispatcher ?? null };
    const evidence: FindingDraft['evidence'] = [{ line: s.header.no, note: msg('evCountless') }];
    if (c.line !== null && data.who) evidence.push({ line: c.line, note: msg('evCulprit', data) });
    const nextSteps: L10n[] = [];
    // A callback that runs in softirq or hardirq context made the task atomic by being there.
    const mech = c.callback?.mechanism ?? null;
    if (mech && SOFTIRQ_MECHANISMS.has(mech)) nextSteps.push(msg('stepSoftirq'));
    else if (mech === 'irq' || mech === 'hrtimer') nextSteps.push(msg('stepIrq'));
    else if (data.who) nextSteps.push(msg('stepHeld', data));
    nextSteps.push(c.location ? msg('stepDis', data) : msg('stepBt'));
    out.push({
      report: s.index ?? undefined,
      rootCauseClass: 'sleep-in-atomic',
      secondaryClasses: ['lock-imbalance'],
      confidence: data.who ? 0.6 : 0.45,
      summary: msg(data.who ? 'summaryCountless' : 'summaryCountlessNoCulprit', data),
      explanation: c.callback && data.who && data.mechanism
        ? { en: [msg('explainCountless', data).en, msg('explainCallback', data).en].join('\n\n'), zh: [msg('explainCountless', data).zh, msg('explainCallback', data).zh].join('\n\n') }
        : msg(data.who ? 'explainCountless' : 'explainCountlessNoCulprit', data),
      evidence,
      culprit: culpritOfBlame(c),
      nextSteps,
      facts: { preemptCount: null, countless: true, blameBasis: c.basis },
    });
  }
  return out;
}

export const schedulingWhileAtomic: Rule = {
  meta: {
    id: 'KT-scheduling-while-atomic',
    rootCauseClass: 'sleep-in-atomic',
    summary: { en: 'schedule() was entered with a non-zero preempt count: a held or leaked spinlock/preempt_disable(), or scheduling from interrupt context', zh: '带着非零 preempt count 进入了 schedule()：持有或泄漏了自旋锁/preempt_disable()，或在中断上下文中调度' },
    docs: {
      en: `Looks for "BUG: scheduling while atomic: COMM/PID/0xCOUNT" and decodes the count for the
kernel's era, and for the 2.6-era "bad: scheduling while atomic!" that prints no count. (Bottom-half
leaks on the return-to-user path and BH-disabled sleeps have their own rules,
KT-bh-leak-return-to-user and KT-bh-disabled-sleep; an impossible count is KT-thread-info-overwritten.)
This rule covers the rest:
- a preempt depth above schedule()'s own: a spin_lock()/preempt_disable() is held across the
  sleep, or was never released - if the stack is on the return-to-user path it is a leak from
  the system call that just ran (lock-imbalance), otherwise a sleep under a spinlock;
- a hardirq or NMI count: schedule() called from an interrupt handler;
- a softirq being served: a sleeping call from a timer/tasklet/network softirq;
- a count one below schedule()'s own, or a count an earlier report of the same task left behind
  (the kernel resets the count after printing, and a leaked lock stays leaked): a consequence.
The culprit is what the kernel printed ("Preemption disabled at:", lockdep's held locks), else the
callback a dispatcher entered (timer, work, IRQ, kthread function), else the first module frame.
What to do: with CONFIG_DEBUG_PREEMPT the report prints "Preemption disabled at:"; otherwise
find the spin_lock()/preempt_disable() in the frames below schedule() or, for a leak, in the
system call the task returned from.`,
      zh: `匹配 "BUG: scheduling while atomic: COMM/PID/0x计数" 并按内核年代解码该计数，也匹配 2.6 年代不打印计数的
"bad: scheduling while atomic!"。（返回用户态路径上的 BH 泄漏、BH 关闭时睡眠各有专门规则：
KT-bh-leak-return-to-user 和 KT-bh-disabled-sleep；不可能出现的计数由 KT-thread-info-overwritten 处理。）
本规则处理其余情形：
- 抢占深度超过 schedule() 自己加的那一层：睡眠时持有 spin_lock()/preempt_disable()，或者从未释放——
  如果调用栈位于返回用户态的路径，就是刚执行完的系统调用泄漏的（锁不配对），否则是持自旋锁睡眠；
- hardirq 或 NMI 计数：在中断处理函数中调用了 schedule()；
- 正在处理软中断：在定时器/tasklet/网络软中断中调用了会睡眠的函数；
- 计数比 schedule() 自己的那一层还少 1，或者是同一任务之前的报告遗留的计数（内核打印后会重置计数，
  泄漏的锁也一直泄漏着）：这是后果。
嫌疑函数优先取内核打印的信息（"Preemption disabled at:"、lockdep 的持锁列表），否则取分发函数调用的回调
（定时器、工作项、中断、内核线程函数），否则取第一个模块帧。
处理办法：打开 CONFIG_DEBUG_PREEMPT 时报告会打印 "Preemption disabled at:"；否则在 schedule() 下面的帧
里找 spin_lock()/preempt_disable()；如果是泄漏，就到任务刚返回的系统调用里找。`,
    },
    references: ['kernel/sched/core.c: __schedule_bug()', 'include/linux/preempt.h'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const covered = new Set<number>();
    for (const rule of [bhDisabledSleep, bhLeakReturnToUser, threadInfoOverwritten]) {
      for (const d of rule.check(ctx)) if (d.report !== undefined) covered.add(d.report);
    }
    for (const bug of scheduleBugs(ctx)) {
      if (covered.has(bug.index)) continue;
      const f = countedFinding(ctx, bug);
      if (f) out.push(f);
    }
    out.push(...countlessFindings(ctx));
    return out;
  },
};
