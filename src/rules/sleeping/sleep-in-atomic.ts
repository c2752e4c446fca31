// "BUG: sleeping function called from invalid context": what made the context atomic (lock, preempt, IRQs, RCU) and who slept.

import { decodePreempt, type PreemptDecode } from '../../decode/preempt';
import { RETURN_TO_USER } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { MECHANISM_NAMES } from '../../knowledge/callbacks';
import type { CrashReport, LogLine } from '../../model/types';
import { earlierLeakOfTask, earlierOops, onOopsExitPath, releaseOf } from '../facts';
import { baseName, blameReport, culpritOfBlame, printedBlame, type Blame } from '../blame';
import { readLockdep, isPseudoLock } from '../lockdep';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';
import { linesOf, mainFrames, reportsWhere, paragraphs } from '../reports';

const HEADER = /BUG: sleeping function called from invalid context(?: at (\S+?:\d+))?/;
const STATE = /in_atomic\(\): (\d+), irqs_disabled\(\): (\d+)/;
const PREEMPT_COUNT = /preempt_count: (?:0x)?([0-9a-f]{1,8})\b/;
const RCU_NEST = /RCU nest depth: (\d+), expected: (\d+)/;
/** do_exit()'s note that the task exits with a count still set (printed before the report). */
const EXIT_NOTE = /note: \S{1,64}\[(\d{1,10})\] exited with (?:preempt_count|irqs disabled)/;

const messages = {
  summary: { en: '{{who}} slept in atomic context{{atomicBy}}', zh: '{{who}} 在原子上下文中睡眠{{atomicBy}}' },
  summaryNoCulprit: { en: 'A function that may sleep was called in atomic context{{atomicBy}}', zh: '在原子上下文中调用了可能睡眠的函数{{atomicBy}}' },
  atomicBy: { en: ' (made atomic in {{site}}{{holding}})', zh: '（在 {{site}} 中进入原子状态{{holding}}）' },
  holding: { en: ', holding {{lock}}', zh: '，持有 {{lock}}' },
  summaryLeak: { en: 'Atomic context leaked to the return-to-user path: {{reasons}} still set when the task slept', zh: '原子上下文被泄漏到返回用户态的路径：任务睡眠时 {{reasons}} 仍未解除' },
  summaryConsequence: { en: 'A sleeping function was called on the exit of {{task}}, which oopsed just before: a consequence of that oops', zh: '{{task}} 刚刚 oops，在它退出时调用了会睡眠的函数：这是那次 oops 的后果' },
  reasonPreempt: { en: 'preemption disabled (a spinlock or preempt_disable(), depth {{depth}})', zh: '抢占被关闭（自旋锁或 preempt_disable()，深度 {{depth}}）' },
  reasonBh: { en: 'bottom halves disabled (spin_lock_bh() or local_bh_disable(), depth {{depth}})', zh: 'BH 被关闭（spin_lock_bh() 或 local_bh_disable()，深度 {{depth}}）' },
  reasonSoftirq: { en: 'running in a softirq (timer, tasklet, network receive)', zh: '运行在软中断中（定时器、tasklet、网络收包）' },
  reasonHardirq: { en: 'running in a hard interrupt handler', zh: '运行在硬中断处理函数中' },
  reasonIrqsOff: { en: 'local interrupts disabled (local_irq_disable() or spin_lock_irqsave())', zh: '本地中断已关闭（local_irq_disable() 或 spin_lock_irqsave()）' },
  reasonRcu: { en: 'inside rcu_read_lock() (depth {{depth}})', zh: '处于 rcu_read_lock() 之内（深度 {{depth}}）' },
  reasonAtomic: { en: 'a non-zero preempt count', zh: 'preempt count 非零' },
  explainReasons: { en: 'might_sleep(){{at}} was reached while the caller was atomic: {{reasons}}.', zh: '{{at}}might_sleep() 被调用时调用者处于原子上下文：{{reasons}}。' },
  atEn: { en: ' at {{site}}', zh: '{{site}} 处的 ' },
  explainNoReason: { en: 'might_sleep(){{at}} was reached while the caller was atomic; the report does not print why.', zh: '{{at}}might_sleep() 被调用时调用者处于原子上下文；报告没有打印原因。' },
  explainBasis: { en: 'How the count was read: {{basis}}.', zh: '计数的读法：{{basis}}。' },
  explainAtomicBy: { en: 'The atomic section was entered in {{site}}{{taking}}; {{sleeper}} then called something that can sleep before leaving it.', zh: '原子区间是在 {{site}} 中{{taking}}进入的；之后 {{sleeper}} 在退出该区间之前调用了可能睡眠的函数。' },
  explainAtomicByNoWho: { en: 'The atomic section was entered in {{site}}{{taking}}, and something that can sleep was called before leaving it.', zh: '原子区间是在 {{site}} 中{{taking}}进入的，退出该区间之前调用了可能睡眠的函数。' },
  taking: { en: ' by taking {{lock}}', zh: '获取 {{lock}} 时' },
  explainFirstOwn: { en: '{{who}} is the first function of its own above the sleeping primitive: it either holds the lock itself or is called under one by its callers.', zh: '{{who}} 是睡眠原语之上第一个可归咎的函数：要么它自己持有锁，要么它的调用者在持锁时调用了它。' },
  explainCallback: { en: '{{who}} is {{mechanism}} that {{dispatcher}} runs: it runs in that context, where sleeping is not allowed.', zh: '{{who}} 是由 {{dispatcher}} 运行的{{mechanism}}：它运行在那个上下文中，那里不允许睡眠。' },
  explainLeak: { en: 'The stack is on the return-to-user path ({{ret}}): the atomic section opened by an earlier system call was never closed, a lock or preempt_disable() without its release on some path.', zh: '调用栈位于返回用户态的路径上（{{ret}}）：之前某次系统调用打开的原子区间一直没有关闭，某条路径上的锁或 preempt_disable() 没有配对释放。' },
  explainFix: { en: 'If it is legitimate to do this work here, use the variant that does not sleep (GFP_ATOMIC, spin_lock instead of mutex_lock); otherwise move the sleeping call outside the locked region, or make the lock a mutex.', zh: '如果确实要在这里做这件事，就用不睡眠的版本（GFP_ATOMIC、用 spin_lock 代替 mutex_lock）；否则把睡眠调用移到加锁区之外，或者把这把锁改成 mutex。' },
  explainConsequence: { en: 'The task oopsed just before (line {{line}}, "{{title}}") and this was printed on its way out: it died inside an atomic section, so its exit path found the context still atomic. The oops is the bug; this report only follows from it.', zh: '该任务刚刚 oops（第 {{line}} 行，"{{title}}"），这个报告是在它退出的途中打印的：它死在一个原子区间里，所以退出路径发现上下文仍是原子的。oops 才是 bug；这个报告只是它的后果。' },
  explainConsequenceNoOops: { en: 'This was printed on the exit path of a task that oopsed (die() or make_task_dead() on the stack): it died inside an atomic section, so its exit path found the context still atomic. The oops is the bug; this report only follows from it.', zh: '这个报告是在一个 oops 的任务退出时打印的（调用栈上有 die() 或 make_task_dead()）：它死在一个原子区间里，所以退出路径发现上下文仍是原子的。oops 才是 bug；这个报告只是它的后果。' },
  summaryLeaked: { en: 'A sleeping function was called by {{task}} while it still held what its earlier report left behind: a consequence of that report', zh: '{{task}} 在仍持有之前那次报告遗留的锁或计数时调用了会睡眠的函数：这是那次报告的后果' },
  explainLeaked: { en: 'The same task was reported at line {{line}} ("{{title}}"): a lock or preempt count was left set there, and it is still set when the task reaches might_sleep() here. This report only repeats that state; fix the first one.', zh: '同一任务在第 {{line}} 行已经报告过（"{{title}}"）：那里遗留了一把锁或 preempt 计数，任务在这里走到 might_sleep() 时它仍未清除。这个报告只是重复那个状态；先修第一个。' },
  evLeaked: { en: 'the earlier report of the same task that left the count set', zh: '同一任务之前那次遗留计数的报告' },
  stepLeaked: { en: 'Analyse the report at line {{line}} first: this one follows from it.', zh: '先分析第 {{line}} 行的报告：这个报告是它的后果。' },
  evHeader: { en: 'might_sleep(){{at}} found the context atomic', zh: '{{at}}might_sleep() 发现当前处于原子上下文' },
  evState: { en: 'in_atomic() {{a}}, irqs_disabled() {{i}}', zh: 'in_atomic() 为 {{a}}，irqs_disabled() 为 {{i}}' },
  evCount: { en: 'the printed preempt_count: {{summary}}', zh: '打印的 preempt_count：{{summary}}' },
  evRcu: { en: 'inside an RCU read-side critical section', zh: '处于 RCU 读临界区中' },
  evHeld: { en: 'lock held: {{lock}}{{taken}}', zh: '持有的锁：{{lock}}{{taken}}' },
  takenIn: { en: ', taken in {{fn}}', zh: '，在 {{fn}} 中获取' },
  evPrinted: { en: 'where the kernel says preemption was disabled', zh: '内核指出的关闭抢占的位置' },
  evCulprit: { en: '{{who}}: made the sleeping call', zh: '{{who}}：发起了睡眠调用' },
  evReturn: { en: '{{ret}}: on the way back to user space with the count still set', zh: '{{ret}}：带着未清除的计数返回用户态' },
  evOops: { en: 'the oops this report follows from', zh: '这个报告所跟随的 oops' },
  evExitNote: { en: 'do_exit() says the task exited with the count still set', zh: 'do_exit() 指出任务退出时计数仍未清除' },
  stepSite: { en: 'Read {{site}}: which sleeping primitive asserted, and trace up to {{who}}.', zh: '阅读 {{site}}：是哪个会睡眠的原语触发了断言，再向上追到 {{who}}。' },
  stepSiteNoWho: { en: 'Read {{site}}: which sleeping primitive asserted, and which caller reached it.', zh: '阅读 {{site}}：是哪个会睡眠的原语触发了断言，又是哪个调用者走到了这里。' },
  stepAtomicBy: { en: 'Read {{atomic}}: the lock or preempt_disable() taken there, and whether every path from it to {{sleeper}} is allowed to sleep.', zh: '阅读 {{atomic}}：那里获取的锁或 preempt_disable()，以及从它到 {{sleeper}} 的每条路径是否允许睡眠。' },
  stepDisAtomic: { en: 'crash> dis -l {{atomic}}     (the lock taken there, and the sleeping call made before its unlock)', zh: 'crash> dis -l {{atomic}}（那里获取的锁，以及解锁之前发起的睡眠调用）' },
  stepBt: { en: 'crash> bt -f     (find the caller holding a spinlock: look for _raw_spin_lock* return addresses)', zh: 'crash> bt -f（找出持有自旋锁的调用者：看 _raw_spin_lock* 的返回地址）' },
  stepDebug: { en: 'Enable CONFIG_DEBUG_ATOMIC_SLEEP=y and CONFIG_PROVE_LOCKING=y: they print "Preemption disabled at:" and the held locks, which point at the atomic section.', zh: '打开 CONFIG_DEBUG_ATOMIC_SLEEP=y 和 CONFIG_PROVE_LOCKING=y：它们会打印 "Preemption disabled at:" 和持有的锁，直接指向原子区间。' },
  stepLeak: { en: 'Review the system calls {{comm}} makes for a lock or preempt_disable() not released on an error path; lockdep (CONFIG_PROVE_LOCKING) reports "lock held when returning to user space" at the source.', zh: '检查 {{comm}} 发起的系统调用中是否有锁或 preempt_disable() 在错误分支上没有释放；lockdep（CONFIG_PROVE_LOCKING）会在源头报告 "lock held when returning to user space"。' },
  stepFirst: { en: 'Analyse the oops at line {{line}} first: this report follows from it.', zh: '先分析第 {{line}} 行的 oops：这个报告是它的后果。' },
  stepFirstNoLine: { en: 'Analyse the oops printed before this report first: this report follows from it.', zh: '先分析这个报告之前打印的 oops：这个报告是它的后果。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

function joined(parts: readonly L10n[]): L10n {
  return { en: parts.map((p) => p.en).join('; '), zh: parts.map((p) => p.zh).join('；') };
}

function who(b: Pick<Blame, 'function' | 'module'>): string | null {
  if (!b.function) return null;
  return b.module ? `${b.function} [${b.module}]` : b.function;
}

function near(ctx: RuleContext, r: CrashReport, from: number, re: RegExp): LogLine | null {
  return linesOf(ctx, r, re, 1, from, Math.min(r.endLine, from + 40))[0] ?? null;
}

/** The task oopsed before this report and is exiting: the report repeats the state it died in. */
function oopsedExit(ctx: RuleContext, r: CrashReport, header: number): { oops: { report: CrashReport } | null; note: LogLine | null } | null {
  const noteLine = [ctx.line(header - 1), ctx.line(header - 2)].find((l) => l && EXIT_NOTE.test(l.text)) ?? null;
  const pid = noteLine ? Number(EXIT_NOTE.exec(noteLine.text)?.[1]) : r.pid;
  const oops = earlierOops(ctx, header, { pid, comm: r.comm });
  const tainted = r.kernel.taint?.flags.includes('D') ?? false;
  if (onOopsExitPath(r) || (oops && (noteLine || tainted))) return { oops, note: noteLine };
  return null;
}

export const sleepInAtomic: Rule = {
  meta: {
    id: 'KT-sleep-in-atomic',
    rootCauseClass: 'sleep-in-atomic',
    summary: { en: 'A function that may sleep was called in atomic context (spinlock held, preemption/IRQs disabled, RCU read side)', zh: '在原子上下文中（持有自旋锁、关抢占/关中断、RCU 读临界区）调用了可能睡眠的函数' },
    docs: {
      en: `Looks for "BUG: sleeping function called from invalid context at FILE:LINE" with its
"in_atomic(): A, irqs_disabled(): I, non_block: N, pid: P, name: C" line, the "preempt_count:"
line, "RCU nest depth", the lockdep "locks held" list and "Preemption disabled at:".
might_sleep() at FILE:LINE found the caller atomic: in_atomic() 1 means a non-zero preempt
count (a spinlock or preempt_disable(), or softirq/hardirq context), irqs_disabled() 1 means
local interrupts off (spin_lock_irqsave), RCU nest depth > 0 means inside rcu_read_lock().
The culprit is what the kernel printed ("Preemption disabled at:", the innermost spinning lock of
the held-lock list), else the callback a dispatcher entered (timer, work, IRQ, kthread function),
else the first module frame. The fix is in the caller: do not call a sleeping function
(mutex_lock, kmalloc(GFP_KERNEL), copy_from_user, msleep...) under that lock; use GFP_ATOMIC, move
the call out of the locked region, or turn the spinlock into a mutex. If the count is still set
when the task returns to user space, the atomic section was leaked instead (lock-imbalance). A
report printed while a task that oopsed exits only repeats the state it died in.
What to do: read "Preemption disabled at" / the held lock and the sleeping call site.`,
      zh: `匹配 "BUG: sleeping function called from invalid context at 文件:行"，以及其后的
"in_atomic(): A, irqs_disabled(): I, non_block: N, pid: P, name: C"、"preempt_count:"、
"RCU nest depth"、lockdep 的 "locks held" 列表和 "Preemption disabled at:"。
文件:行 处的 might_sleep() 发现调用者处于原子上下文：in_atomic() 为 1 表示 preempt count 非零
（持有自旋锁或调用了 preempt_disable()，或者处于软/硬中断上下文），irqs_disabled() 为 1 表示本地
中断已关（spin_lock_irqsave），RCU nest depth 大于 0 表示处于 rcu_read_lock() 之内。
嫌疑函数优先取内核打印的信息（"Preemption disabled at:"、持锁列表中最内层的自旋锁），否则取分发函数调用的
回调（定时器、工作项、中断、内核线程函数），否则取第一个模块帧。要改的是调用者：不要在这把锁下调用会睡眠的
函数（mutex_lock、kmalloc(GFP_KERNEL)、copy_from_user、msleep 等）；改用 GFP_ATOMIC、把调用移到加锁区外，
或者把自旋锁换成 mutex。如果任务返回用户态时计数仍未清除，说明原子区间被泄漏了（锁不配对）。在一个已经
oops 的任务退出时打印的报告，只是重复它死亡时的状态。
处理办法：看 "Preemption disabled at" / 持有的锁，以及睡眠调用所在的位置。`,
    },
    references: ['include/linux/kernel.h: might_sleep()', 'Documentation/kernel-hacking/locking.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const h = hit.header.no;
      const siteText = hit.match[1] ?? null;
      const at = siteText ? msg('atEn', { site: siteText }) : null;
      const stateLine = near(ctx, r, h, STATE);
      const sm = stateLine ? STATE.exec(stateLine.text) : null;
      const inAtomic = sm ? sm[1] === '1' : null;
      const irqsOff = sm ? sm[2] === '1' : null;
      const pcLine = near(ctx, r, h, PREEMPT_COUNT);
      let pc: PreemptDecode | null = null;
      const pcRaw = pcLine ? PREEMPT_COUNT.exec(pcLine.text)?.[1] ?? null : null;
      if (pcRaw) {
        try {
          pc = decodePreempt(pcRaw, { release: releaseOf(ctx.analysis, r), source: 'might-sleep' });
        } catch {
          pc = null;
        }
      }
      const rcuLine = near(ctx, r, h, RCU_NEST);
      const rcuDepth = rcuLine ? Number(RCU_NEST.exec(rcuLine.text)?.[1] ?? '0') : 0;
      const evidence: FindingDraft['evidence'] = [{ line: h, note: msg('evHeader', { at }) }];
      if (stateLine && sm) evidence.push({ line: stateLine.no, note: msg('evState', { a: sm[1], i: sm[2] }) });
      if (pcLine && pc) evidence.push({ line: pcLine.no, note: msg('evCount', { summary: pc.summary }) });
      if (rcuLine && rcuDepth > 0) evidence.push({ line: rcuLine.no, note: msg('evRcu') });

      const exiting = oopsedExit(ctx, r, h);
      if (exiting) {
        const oops = exiting.oops?.report ?? null;
        if (oops) evidence.push({ line: oops.headerLine, note: msg('evOops') });
        if (exiting.note) evidence.push({ line: exiting.note.no, note: msg('evExitNote') });
        const data = { task: r.comm && r.pid !== null ? `${r.comm}/${r.pid}` : (r.comm ?? `pid ${r.pid ?? '?'}`), line: oops?.headerLine ?? null, title: oops?.title ?? null };
        out.push({
          report: hit.index,
          rootCauseClass: 'other',
          confidence: 0.35,
          summary: msg('summaryConsequence', data),
          explanation: oops ? msg('explainConsequence', data) : msg('explainConsequenceNoOops'),
          evidence,
          culprit: null,
          nextSteps: [oops ? msg('stepFirst', data) : msg('stepFirstNoLine')],
          facts: { site: siteText, inAtomic, irqsDisabled: irqsOff, preemptCount: pc?.value ?? null, preempt: pc, consequenceOfOops: oops?.headerLine ?? true },
        });
        continue;
      }

      // An earlier report of the same task left the count or lock behind: this one only repeats it.
      const leaked = earlierLeakOfTask(ctx, h, { pid: r.pid, comm: r.comm });
      if (leaked) {
        evidence.push({ line: leaked.headerLine, note: msg('evLeaked') });
        const data = { line: leaked.headerLine, title: leaked.title };
        out.push({
          report: hit.index,
          rootCauseClass: 'lock-imbalance',
          confidence: 0.35,
          summary: msg('summaryLeaked', { ...data, task: r.comm && r.pid !== null ? `${r.comm}/${r.pid}` : (r.comm ?? `pid ${r.pid ?? '?'}`) }),
          explanation: msg('explainLeaked', data),
          evidence,
          culprit: null,
          nextSteps: [msg('stepLeaked', data)],
          facts: { site: siteText, inAtomic, irqsDisabled: irqsOff, preemptCount: pc?.value ?? null, preempt: pc, consequenceOfLine: leaked.headerLine },
        });
        continue;
      }

      const printed = printedBlame(ctx, r);
      const sleeperBlame = blameReport(r, 'context');
      const c = printed ?? sleeperBlame;
      const sleeper = sleeperBlame.function && sleeperBlame.function !== printed?.function ? who(sleeperBlame) : null;
      const held = (readLockdep(ctx, r).heldLists[0]?.locks ?? []).filter((l) => !isPseudoLock(l));
      const heldLock = held[held.length - 1] ?? null;
      const frames = mainFrames(r);
      const returning = frames.find((f) => f.reliable && f.function !== null && matchesAny(baseName(f.function), RETURN_TO_USER)) ?? null;
      const leak = returning !== null && (pc ? pc.callerPreemptDepth > 0 || pc.softirqDisableDepth > 0 : inAtomic === true);
      const reasons: L10n[] = [];
      if (pc && pc.preemptDepth > 0) reasons.push(msg('reasonPreempt', { depth: pc.preemptDepth }));
      if (pc && pc.softirqDisableDepth > 0) reasons.push(msg('reasonBh', { depth: pc.softirqDisableDepth }));
      if (pc && pc.servingSoftirq) reasons.push(msg('reasonSoftirq'));
      if (pc && pc.hardirqDepth > 0) reasons.push(msg('reasonHardirq'));
      if (irqsOff) reasons.push(msg('reasonIrqsOff'));
      if (rcuDepth > 0) reasons.push(msg('reasonRcu', { depth: rcuDepth }));
      if (reasons.length === 0 && inAtomic) reasons.push(msg('reasonAtomic'));
      const atomicSite = printed?.location ?? printed?.function ?? null;
      const lockName = printed && heldLock?.at && baseName(heldLock.at.function) === printed.function ? heldLock.name : null;
      const data = {
        who: who(c), sleeper, at, site: atomicSite, atomic: atomicSite, lock: lockName, reasons: joined(reasons), basis: pc?.basisText ?? null,
        ret: returning?.function ? baseName(returning.function) : null, comm: r.comm ?? '', location: c.location,
        mechanism: c.callback ? MECHANISM_NAMES[c.callback.mechanism].aName : null, dispatcher: c.callback?.dispatcher ?? null,
        holding: lockName ? msg('holding', { lock: lockName }) : null, taking: lockName ? msg('taking', { lock: lockName }) : null,
      };
      if (heldLock) evidence.push({ line: heldLock.line, note: msg('evHeld', { lock: heldLock.name, taken: heldLock.at ? msg('takenIn', { fn: baseName(heldLock.at.function) }) : null }) });
      if (printed?.line !== null && printed?.line !== undefined && printed.line !== heldLock?.line) evidence.push({ line: printed.line, note: msg('evPrinted') });
      if (!printed && c.line !== null && data.who) evidence.push({ line: c.line, note: msg('evCulprit', data) });
      if (returning && leak) evidence.push({ line: returning.line, note: msg('evReturn', data) });
      const paras: L10n[] = [reasons.length > 0 ? msg('explainReasons', data) : msg('explainNoReason', data)];
      if (pc) paras.push(msg('explainBasis', data));
      if (atomicSite) paras.push(sleeper ? msg('explainAtomicBy', data) : msg('explainAtomicByNoWho', data));
      else if (c.callback && data.who && data.mechanism) paras.push(msg('explainCallback', data));
      else if (data.who) paras.push(msg('explainFirstOwn', data));
      paras.push(leak ? msg('explainLeak', data) : msg('explainFix'));
      const nextSteps: L10n[] = [];
      if (leak) nextSteps.push(msg('stepLeak', data));
      if (siteText) nextSteps.push(sleeper || (data.who && !printed) ? msg('stepSite', { ...data, who: sleeper ?? data.who, site: siteText }) : msg('stepSiteNoWho', { site: siteText }));
      if (atomicSite && sleeper) nextSteps.push(msg('stepAtomicBy', data));
      else if (atomicSite) nextSteps.push(msg('stepDisAtomic', data));
      else if (!atomicSite) nextSteps.push(msg('stepBt'));
      if (!printed) nextSteps.push(msg('stepDebug'));
      const atomicBy = atomicSite ? msg('atomicBy', data) : null;
      out.push({
        report: hit.index,
        rootCauseClass: leak ? 'lock-imbalance' : 'sleep-in-atomic',
        confidence: leak ? 0.8 : stateLine ? 0.8 : 0.7,
        summary: leak ? msg('summaryLeak', data) : msg(data.who ? 'summary' : 'summaryNoCulprit', { ...data, atomicBy }),
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps,
        facts: { site: siteText, inAtomic, irqsDisabled: irqsOff, preemptCount: pc?.value ?? null, preempt: pc, rcuNestDepth: rcuDepth, heldLock: heldLock?.name ?? null, atomicSince: printed?.function ?? null, leakedToUser: leak, blameBasis: c.basis },
      });
    }
    return out;
  },
};
