// Sleeping with bottom halves disabled: a function took a _bh lock (or local_bh_disable()) and slept, or never released it.

import { paragraphs } from '../reports';
import { decodePreempt } from '../../decode';
import { MODULE_EXIT_PATH, SLEEPING_CALLS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { framesOf, named } from '../stacks';
import { AIEE_PANIC, decodingRelease, inferredPanics, moduleMessageBefore, scheduleBugs, type ScheduleBug } from '../facts';
import { baseName, blameReport, culpritOfBlame, printedBlame, type Blame } from '../blame';
import { messenger } from '../messages';
import type { Frame } from '../../model/types';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';

const messages = {
  summaryLeak: { en: '{{who}}{{onExit}} disabled bottom halves {{times}} and slept in {{sleeper}}(); the count was never released', zh: '{{who}}{{onExit}}关闭了 {{times}} BH 后在 {{sleeper}}() 中睡眠；该计数始终没有释放' },
  summarySleep: { en: '{{who}}{{onExit}} slept in {{sleeper}}() with bottom halves disabled {{times}}', zh: '{{who}}{{onExit}}在 BH 被关闭 {{times}}的状态下于 {{sleeper}}() 中睡眠' },
  onExit: { en: ' in the module exit path', zh: '（模块退出路径）' },
  timesOnce: { en: 'once', zh: '1 次' },
  timesN: { en: '{{n}} times', zh: '{{n}} 次' },
  explainCount: { en: 'The preempt count {{raw}} decodes to a softirq-disable depth of {{n}}: bottom halves were disabled (spin_lock_bh() or local_bh_disable()) and not enabled again when {{sleeper}}() went to sleep.', zh: 'preempt count {{raw}} 解码为软中断关闭深度 {{n}}：{{sleeper}}() 睡眠时 BH 已被关闭（spin_lock_bh() 或 local_bh_disable()）且没有重新打开。' },
  explainBasis: { en: 'How the count was read: {{basis}}.', zh: '计数的读法：{{basis}}。' },
  explainChain: { en: 'The call chain is {{chain}}: {{who}} made the sleeping call{{where}}, so the bottom halves were disabled there (or in a helper it called) before that call.', zh: '调用链为 {{chain}}：{{who}} 发起了睡眠调用{{where}}，因此 BH 是在它（或它调用的辅助函数）里、在这次调用之前关闭的。' },
  explainPrinted: { en: 'The kernel printed where preemption was disabled: {{site}}. That is where the atomic section was entered; {{who}} then slept inside it.', zh: '内核打印了关闭抢占的位置：{{site}}。原子区间就是从那里开始的；随后 {{who}} 在其中睡眠。' },
  whereExit: { en: ' on module unload (the module exit path)', zh: '（在模块卸载时，即模块退出路径上）' },
  explainLeak: { en: 'The same task ({{task}}) later panicked in {{caller}}(): "{{panic}}"{{inferred}}. do_exit() panics this way when in_interrupt() is true, so the softirq count was still set when the task exited: the _bh lock was never released. This is a lock imbalance, not only a sleep under a lock.', zh: '同一任务（{{task}}）随后在 {{caller}}() 中 panic："{{panic}}"{{inferred}}。do_exit() 在 in_interrupt() 为真时才会这样 panic，也就是任务退出时软中断计数仍然存在：这把 _bh 锁从未释放。这是锁不配对，而不只是持锁睡眠。' },
  inferred: { en: ' (inferred from the stack: panic() called by {{caller}}())', zh: '（由调用栈推断：panic() 由 {{caller}}() 调用）' },
  explainBalanced: { en: 'Nothing later in the log shows the task exiting or returning to user space with the count still set: the _bh lock is held across the sleep and released after it, a sleep in atomic context with balanced locking.', zh: '日志后面没有显示该任务带着这个计数退出或返回用户态：这把 _bh 锁在睡眠期间一直被持有、之后才释放，属于锁配对但在原子上下文中睡眠。' },
  evCount: { en: 'preempt count {{raw}}: softirq-disable depth {{n}}, not serving a softirq', zh: 'preempt count {{raw}}：软中断关闭深度 {{n}}，并非在处理软中断' },
  evSleeper: { en: '{{sleeper}}() sleeps', zh: '{{sleeper}}() 会睡眠' },
  evCulprit: { en: '{{who}} made the sleeping call with BH disabled', zh: '{{who}} 在 BH 关闭时发起了睡眠调用' },
  evPrinted: { en: 'where the kernel says preemption was disabled', zh: '内核指出的关闭抢占的位置' },
  evExit: { en: '{{fn}}: the module exit path (rmmod)', zh: '{{fn}}：模块退出路径（rmmod）' },
  evLastMsg: { en: "{{module}}'s last message before the BUG: the BH disable happened after it", zh: '{{module}} 在 BUG 之前打印的最后一条信息：BH 是在这之后被关闭的' },
  evLeak: { en: '{{caller}}() panicked later in the same task: the count was never released', zh: '同一任务稍后在 {{caller}}() 中 panic：计数始终没有释放' },
  stepFindLeak: { en: 'Read {{fn}}() from its start to the {{sleeper}}() call: find the spin_lock_bh()/local_bh_disable() that has no matching spin_unlock_bh()/local_bh_enable() on some path{{hint}}.', zh: '从 {{fn}}() 开头读到调用 {{sleeper}}() 处：找出在某条路径上没有配对 spin_unlock_bh()/local_bh_enable() 的 spin_lock_bh()/local_bh_disable(){{hint}}。' },
  hintMessage: { en: ' (look right after the code that prints "{{text}}")', zh: '（重点看打印 "{{text}}" 的代码之后）' },
  stepMove: { en: 'In {{fn}}(): release the _bh lock before calling {{sleeper}}(), or move the sleeping call out of the locked region; a spinlock must never be held across a call that sleeps.', zh: '在 {{fn}}() 中：先释放 _bh 锁再调用 {{sleeper}}()，或者把睡眠调用移到加锁区之外；持有自旋锁时绝不能调用会睡眠的函数。' },
  stepDis: { en: 'crash> dis -l {{location}}     (the source line of the sleeping call)', zh: 'crash> dis -l {{location}}（睡眠调用所在的源码行）' },
  stepModSyms: { en: 'crash> mod -s {{module}} <path to {{module}}.ko>     (load its symbols first, for line numbers)', zh: 'crash> mod -s {{module}} <{{module}}.ko 的路径>（先加载符号以获得行号）' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** The panic of the same task on exit, printed or inferred from a crash `bt`: the count outlived the task. */
function exitPanicOf(ctx: RuleContext, bug: ScheduleBug): { caller: string; line: number; message: string; inferred: boolean } | null {
  const p = inferredPanics(ctx).find((x) => x.stack.pid === bug.pid && (x.caller === 'do_exit' || x.caller === 'make_task_dead'));
  if (p) return { caller: p.caller, line: p.callerLine, message: p.message.replace('Kernel panic - not syncing: ', ''), inferred: p.inferred };
  const printed = ctx.analysis.reports.find((r) => r.headerLine > bug.header.no && r.pid === bug.pid && AIEE_PANIC.test(ctx.line(r.headerLine)?.text ?? ''));
  return printed ? { caller: 'do_exit', line: printed.headerLine, message: 'Aiee, killing interrupt handler!', inferred: false } : null;
}

function who(b: Pick<Blame, 'function' | 'module'>): string {
  return b.module ? `${b.function} [${b.module}]` : (b.function as string);
}

export const bhDisabledSleep: Rule = {
  meta: {
    id: 'KT-bh-disabled-sleep',
    rootCauseClass: 'lock-imbalance',
    summary: {
      en: 'A function slept (kthread_stop, wait_for_completion, msleep, mutex_lock...) with bottom halves disabled',
      zh: '某个函数在 BH 关闭的状态下睡眠（kthread_stop、wait_for_completion、msleep、mutex_lock 等）',
    },
    docs: {
      en: `Looks for "BUG: scheduling while atomic" whose preempt count decodes to softirq-disable
units (0x200 each), not serving a softirq, while the stack shows a sleeping call
(kthread_stop, wait_for_completion, schedule_timeout, msleep, mutex_lock, down, flush_work...).
Something disabled bottom halves (spin_lock_bh()/local_bh_disable()) and then called
something that sleeps. If the count is still set when the task exits (do_exit() panics
"Aiee, killing interrupt handler!"), the _bh lock was never released: a lock imbalance.
Otherwise it was held across the sleep: sleep in atomic context with balanced locking.
The culprit is what the kernel printed as "Preemption disabled at:" when it did, else the
callback a dispatcher entered, else the first module frame above the sleeping call; when it
runs on rmmod (cleanup_module, *_exit, delete_module) the bug is in the module's exit path.
What to do: in that function, find the spin_lock_bh()/local_bh_disable() taken before the
sleeping call (often just after a log message) and either release it with the _bh variant
on every path, or move the sleeping call outside the locked region.`,
      zh: `匹配 "BUG: scheduling while atomic"：preempt count 解码后含软中断关闭单位（每个 0x200）、并非在
处理软中断，同时调用栈显示了会睡眠的调用（kthread_stop、wait_for_completion、schedule_timeout、msleep、
mutex_lock、down、flush_work 等）。说明有代码先关闭了 BH（spin_lock_bh()/local_bh_disable()），然后调用了
会睡眠的函数。如果任务退出时计数仍未清除（do_exit() panic："Aiee, killing interrupt handler!"），说明
_bh 锁从未释放：这是锁不配对。否则就是持锁睡眠：锁是配对的，但在原子上下文中睡眠了。
嫌疑函数优先取内核打印的 "Preemption disabled at:"，否则取分发函数调用的回调，否则取睡眠调用之上的第一个
模块帧；如果它在 rmmod 时执行（cleanup_module、*_exit、delete_module），问题就在模块的退出路径上。
处理办法：在该函数中找到睡眠调用之前获取的 spin_lock_bh()/local_bh_disable()（常常紧跟在某条日志打印
之后），要么在每条路径上用 _bh 版本释放，要么把睡眠调用移到锁保护区之外。`,
    },
    references: ['Documentation/kernel-hacking/locking.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const bug of scheduleBugs(ctx)) {
      let pc;
      try {
        pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      } catch {
        continue;
      }
      if (!pc.plausible || pc.softirqDisableDepth < 1 || pc.servingSoftirq || pc.hardirqDepth > 0 || pc.nmi) continue;
      const r = bug.report;
      const trace = r.traces.find((t) => framesOf(t).some((f) => f.reliable && named(f, SLEEPING_CALLS)));
      if (!trace) continue;
      const frames = framesOf(trace).filter((f) => f.reliable);
      const printed = printedBlame(ctx, r);
      const c = printed ?? blameReport(r, 'context');
      if (!c.function) continue;
      // The sleeping API the culprit itself called (kthread_stop), not the scheduler internals below it.
      const at = frames.findIndex((f) => f.line === c.line);
      const inward = at >= 0 ? frames.slice(0, at) : frames;
      const sleeper: Frame | undefined = inward.filter((f) => named(f, SLEEPING_CALLS)).pop();
      if (!sleeper?.function) continue;
      const outer = at >= 0 ? frames.slice(at + 1) : [];
      const exitPath = outer.filter((f) => f.function !== null && matchesAny(baseName(f.function), MODULE_EXIT_PATH));
      const onExit = exitPath.length > 0 || matchesAny(c.function, MODULE_EXIT_PATH);
      const leak = exitPanicOf(ctx, bug);
      const n = pc.softirqDisableDepth;
      const chainFrames = [...exitPath.slice().reverse(), ...(at >= 0 ? [frames[at]] : []), sleeper];
      const chain = [...new Set(chainFrames.map((f) => baseName(f.function as string)))].join(' -> ');
      const said = moduleMessageBefore(ctx, r, bug.header.no);
      const lastMsg = said && said.module === c.module ? said : null;
      const data = {
        who: who(c), fn: c.function, module: c.module, raw: bug.raw, n, sleeper: baseName(sleeper.function), chain, location: c.location,
        times: n === 1 ? msg('timesOnce') : msg('timesN', { n }), onExit: onExit ? msg('onExit') : null, where: onExit ? msg('whereExit') : null,
        task: `${bug.comm}/${bug.pid}`, caller: leak?.caller ?? null, panic: leak?.message ?? null,
        inferred: leak?.inferred ? msg('inferred', { caller: leak.caller }) : null,
        basis: pc.basisText, site: printed?.location ?? null,
      };
      const evidence: FindingDraft['evidence'] = [
        { line: bug.header.no, note: msg('evCount', data) },
        { line: sleeper.line, note: msg('evSleeper', data) },
      ];
      if (printed?.line !== null && printed?.line !== undefined) evidence.push({ line: printed.line, note: msg('evPrinted') });
      if (at >= 0) evidence.push({ line: frames[at].line, note: msg('evCulprit', data) });
      for (const f of exitPath) evidence.push({ line: f.line, note: msg('evExit', { fn: baseName(f.function as string) }) });
      if (lastMsg) evidence.push({ line: lastMsg.no, note: msg('evLastMsg', { module: lastMsg.module }) });
      if (leak) evidence.push({ line: leak.line, note: msg('evLeak', data) });
      const paras: L10n[] = [msg('explainCount', data), msg('explainBasis', data), msg('explainChain', data)];
      if (printed) paras.push(msg('explainPrinted', data));
      paras.push(leak ? msg('explainLeak', data) : msg('explainBalanced'));
      const nextSteps: L10n[] = [leak ? msg('stepFindLeak', { ...data, hint: lastMsg ? msg('hintMessage', { text: lastMsg.text }) : null }) : msg('stepMove', data)];
      if (c.location) nextSteps.push(msg('stepDis', data));
      if (c.module) nextSteps.push(msg('stepModSyms', data));
      out.push({
        report: bug.index,
        rootCauseClass: leak ? 'lock-imbalance' : 'sleep-in-atomic',
        confidence: leak ? 0.92 : 0.75,
        summary: msg(leak ? 'summaryLeak' : 'summarySleep', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps,
        facts: { preemptCount: bug.raw, preempt: pc, sleepingCall: data.sleeper, exitPath: onExit, inferredPanic: leak ? `Kernel panic - not syncing: ${leak.message}` : null, blameBasis: c.basis },
      });
    }
    return out;
  },
};
