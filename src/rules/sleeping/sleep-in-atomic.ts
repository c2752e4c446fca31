// "BUG: sleeping function called from invalid context": what made the context atomic (lock, preempt, IRQs, RCU) and who slept.

import { decodePreempt, type PreemptDecode } from '../../decode/preempt';
import { RETURN_TO_USER } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { releaseOf } from '../facts';
import { baseName, blameReport, culpritOfBlame, printedBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { ev, linesOf, mainFrames, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /BUG: sleeping function called from invalid context(?: at (\S+?:\d+))?/;

export const sleepInAtomic: Rule = {
  meta: {
    id: 'KT-sleep-in-atomic',
    rootCauseClass: 'sleep-in-atomic',
    summary: t('A function that may sleep was called in atomic context (spinlock held, preemption/IRQs disabled, RCU read side)', '在原子上下文中（持有自旋锁、关抢占/关中断、RCU 读临界区）调用了可能睡眠的函数'),
    docs: t(
      `Looks for "BUG: sleeping function called from invalid context at FILE:LINE" with its
"in_atomic(): A, irqs_disabled(): I, non_block: N, pid: P, name: C" line, the "preempt_count:"
line, "RCU nest depth", the lockdep "locks held" list and "Preemption disabled at:".
might_sleep() at FILE:LINE found the caller atomic: in_atomic() 1 means a non-zero preempt
count (a spinlock or preempt_disable(), or softirq/hardirq context), irqs_disabled() 1 means
local interrupts off (spin_lock_irqsave), RCU nest depth > 0 means inside rcu_read_lock().
"Preemption disabled at:" names the function that made it atomic, and the locks-held list
names the spinlock. The fix is in the caller: do not call a sleeping function (mutex_lock,
kmalloc(GFP_KERNEL), copy_from_user, msleep...) under that lock; use GFP_ATOMIC, move the call
out of the locked region, or turn the spinlock into a mutex. If the count is still set when the
task returns to user space, the atomic section was leaked instead (lock-imbalance).
What to do: read "Preemption disabled at" / the held lock and the sleeping call site.`,
      `匹配 "BUG: sleeping function called from invalid context at 文件:行"，以及其后的
"in_atomic(): A, irqs_disabled(): I, non_block: N, pid: P, name: C"、"preempt_count:"、
"RCU nest depth"、lockdep 的 "locks held" 列表和 "Preemption disabled at:"。
文件:行 处的 might_sleep() 发现调用者处于原子上下文：in_atomic() 为 1 表示 preempt count 非零
（持有自旋锁或调用了 preempt_disable()，或者处于软/硬中断上下文），irqs_disabled() 为 1 表示本地
中断已关（spin_lock_irqsave），RCU nest depth 大于 0 表示处于 rcu_read_lock() 之内。
"Preemption disabled at:" 给出了进入原子状态的函数，locks held 列表给出了那把自旋锁。要改的是调用者：
不要在这把锁下调用会睡眠的函数（mutex_lock、kmalloc(GFP_KERNEL)、copy_from_user、msleep 等）；
改用 GFP_ATOMIC、把调用移到加锁区外，或者把自旋锁换成 mutex。如果任务返回用户态时计数仍未清除，
说明原子区间被泄漏了（锁不配对）。
处理办法：看 "Preemption disabled at" / 持有的锁，以及睡眠调用所在的位置。`,
    ),
    references: ['include/linux/kernel.h: might_sleep()', 'Documentation/kernel-hacking/locking.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const at = hit.match[1] ?? null;
      const near = (re: RegExp): ReturnType<typeof linesOf>[number] | null => linesOf(ctx, r, re, 1, hit.header.no, Math.min(r.endLine, hit.header.no + 40))[0] ?? null;
      const stateLine = near(/in_atomic\(\): (\d+), irqs_disabled\(\): (\d+)/);
      const sm = stateLine ? /in_atomic\(\): (\d+), irqs_disabled\(\): (\d+)(?:, non_block: (\d+))?(?:, pid: (\d+), name: (.+))?/.exec(stateLine.text) : null;
      const inAtomic = sm ? sm[1] === '1' : null;
      const irqsOff = sm ? sm[2] === '1' : null;
      const pcLine = near(/preempt_count: [0-9a-fx]+/);
      const pcRaw = pcLine ? /preempt_count: (?:0x)?([0-9a-f]+)/.exec(pcLine.text)?.[1] ?? null : null;
      let pc: PreemptDecode | null = null;
      if (pcRaw) {
        try {
          pc = decodePreempt(pcRaw, { release: releaseOf(ctx.analysis, r), source: 'might-sleep' });
        } catch {
          pc = null;
        }
      }
      const rcuLine = near(/RCU nest depth: (\d+), expected: (\d+)/);
      const rcuDepth = rcuLine ? Number(/RCU nest depth: (\d+)/.exec(rcuLine.text)?.[1] ?? '0') : 0;
      const disabledAt = near(/Preemption disabled at:/);
      const disabledFn = disabledAt ? linesOf(ctx, r, /\w+\+0x[0-9a-f]+/, 1, disabledAt.no, disabledAt.no + 1).map((l) => /(\w[\w.]*)\+0x/.exec(l.text)?.[1] ?? null).find((x) => x) ?? null : null;
      const heldLine = near(/^\s*#0: /);
      const heldLock = heldLine ? /#0: [0-9a-f]* ?\(([^)]+)\)/.exec(heldLine.text)?.[1] ?? null : null;
      const heldAt = heldLine ? /at: (?:\[<[0-9a-f]+>\] )?(\w[\w.]*)\+/.exec(heldLine.text)?.[1] ?? null : null;
      const c = printedBlame(ctx, r) ?? blameReport(r, 'context');
      const frames = mainFrames(r);
      const returning = frames.find((f) => f.reliable && f.function !== null && matchesAny(baseName(f.function), RETURN_TO_USER)) ?? null;
      const leak = returning !== null && (pc ? pc.callerPreemptDepth > 0 || pc.softirqDisableDepth > 0 : inAtomic === true);
      const reasons: Array<{ en: string; zh: string }> = [];
      if (pc && pc.preemptDepth > 0) reasons.push(t(`preemption disabled ${pc.preemptDepth} level(s) (a spinlock or preempt_disable())`, `抢占被关闭 ${pc.preemptDepth} 层（自旋锁或 preempt_disable()）`));
      if (pc && pc.softirqDisableDepth > 0) reasons.push(t(`bottom halves disabled ${pc.softirqDisableDepth} time(s) (spin_lock_bh/local_bh_disable)`, `BH 被关闭 ${pc.softirqDisableDepth} 次（spin_lock_bh/local_bh_disable）`));
      if (pc && pc.servingSoftirq) reasons.push(t('running in a softirq (timer, tasklet, network RX)', '运行在软中断中（定时器、tasklet、网络收包）'));
      if (pc && pc.hardirqDepth > 0) reasons.push(t('running in a hard interrupt handler', '运行在硬中断处理函数中'));
      if (irqsOff) reasons.push(t('local interrupts disabled (local_irq_disable/spin_lock_irqsave)', '本地中断已关闭（local_irq_disable/spin_lock_irqsave）'));
      if (rcuDepth > 0) reasons.push(t(`inside rcu_read_lock() (depth ${rcuDepth})`, `处于 rcu_read_lock() 之内（深度 ${rcuDepth}）`));
      if (reasons.length === 0 && inAtomic) reasons.push(t('a non-zero preempt count', 'preempt count 非零'));
      const evidence = [ev(hit.header.no, at ? `might_sleep() at ${at} found the context atomic` : 'might_sleep() found the context atomic', at ? `${at} 处的 might_sleep() 发现当前处于原子上下文` : 'might_sleep() 发现当前处于原子上下文')];
      if (stateLine) evidence.push(ev(stateLine.no, `in_atomic() ${sm?.[1]}, irqs_disabled() ${sm?.[2]}`, `in_atomic() 为 ${sm?.[1]}，irqs_disabled() 为 ${sm?.[2]}`));
      if (pcLine && pc) evidence.push(ev(pcLine.no, `preempt_count ${pc.value}: ${pc.summary.en}`, `preempt_count ${pc.value}：${pc.summary.zh}`));
      if (rcuLine && rcuDepth > 0) evidence.push(ev(rcuLine.no, 'inside an RCU read-side critical section', '处于 RCU 读临界区中'));
      if (heldLine) evidence.push(ev(heldLine.no, `lock held: ${heldLock ?? '?'}${heldAt ? `, taken in ${heldAt}` : ''}`, `持有的锁：${heldLock ?? '?'}${heldAt ? `，在 ${heldAt} 中获取` : ''}`));
      if (disabledAt) evidence.push(ev(disabledAt.no, `preemption was disabled${disabledFn ? ` in ${disabledFn}` : ''}`, `抢占是${disabledFn ? `在 ${disabledFn} 中` : ''}被关闭的`));
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: made the sleeping call`, `${whoZh(c)}：发起了睡眠调用`));
      if (returning && leak) evidence.push(ev(returning.line, `${returning.function}: on the way back to user space with the count still set`, `${returning.function}：带着未清除的计数返回用户态`));
      const atomicBy = disabledFn ?? heldAt;
      out.push({
        report: hit.index,
        rootCauseClass: leak ? 'lock-imbalance' : 'sleep-in-atomic',
        confidence: leak ? 0.8 : stateLine ? 0.8 : 0.7,
        summary: leak
          ? t(`Atomic context leaked to the return-to-user path: ${reasons.map((x) => x.en).join(', ') || 'atomic'} still set when ${who(c)} slept`, `原子上下文被泄漏到返回用户态的路径：${whoZh(c)} 睡眠时 ${reasons.map((x) => x.zh).join('、') || '原子状态'} 仍未解除`)
          : t(`${who(c)} slept in atomic context${atomicBy ? ` (made atomic in ${atomicBy}${heldLock ? `, holding ${heldLock}` : ''})` : ''}`, `${whoZh(c)} 在原子上下文中睡眠${atomicBy ? `（在 ${atomicBy} 中进入原子状态${heldLock ? `，持有 ${heldLock}` : ''}）` : ''}`),
        explanation: paragraphs([
          t(`might_sleep()${at ? ` at ${at}` : ''} was reached while the caller was atomic: ${reasons.length > 0 ? reasons.map((x) => x.en).join('; ') : 'the reason is not printed'}.${pc ? ` ${pc.basisText.en}` : ''}`, `${at ? `${at} 处的 ` : ''}might_sleep() 被调用时调用者处于原子上下文：${reasons.length > 0 ? reasons.map((x) => x.zh).join('；') : '日志没有打印原因'}。${pc ? pc.basisText.zh : ''}`),
          atomicBy
            ? t(`The atomic section was entered in ${atomicBy}${heldLock ? ` by taking ${heldLock}` : ''}; ${who(c)} then called something that can sleep before leaving it.`, `原子区间是在 ${atomicBy} 中${heldLock ? `获取 ${heldLock} 时` : ''}进入的；之后 ${whoZh(c)} 在退出该区间之前调用了可能睡眠的函数。`)
            : t(`${who(c)} is the first non-generic frame above the sleeping primitive: it either holds the lock itself or is called under one by its callers.`, `${whoZh(c)} 是睡眠原语之上第一个非通用的帧：要么它自己持有锁，要么它的调用者在持锁时调用了它。`),
          leak
            ? t(`The stack is on the return-to-user path (${returning?.function}): the atomic section opened by an earlier system call was never closed - a lock or preempt_disable() without its release on some path.`, `调用栈位于返回用户态的路径上（${returning?.function}）：之前某次系统调用打开的原子区间一直没有关闭——某条路径上的锁或 preempt_disable() 没有配对释放。`)
            : t('If it is legitimate to do this work here, use the non-sleeping variant (GFP_ATOMIC, spin_lock instead of mutex_lock); otherwise move the sleeping call outside the locked region, or make the lock a mutex.', '如果确实要在这里做这件事，就用不睡眠的版本（GFP_ATOMIC、用 spin_lock 代替 mutex_lock）；否则把睡眠调用移到加锁区之外，或者把这把锁改成 mutex。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          at ? t(`Read ${at}: which sleeping primitive asserted, and trace up to ${c.function ?? 'the caller'}.`, `阅读 ${at}：是哪个会睡眠的原语触发了断言，再向上追到 ${c.function ?? '调用者'}。`) : null,
          atomicBy ? t(`Read ${atomicBy}: the lock/preempt_disable() taken there, and whether every path from it to ${c.function ?? 'the sleeping call'} is allowed to sleep.`, `阅读 ${atomicBy}：那里获取的锁/preempt_disable()，以及从它到 ${c.function ?? '睡眠调用'} 的每条路径是否允许睡眠。`) : t('crash> bt -f     (find the caller holding a spinlock: look for _raw_spin_lock* return addresses)', 'crash> bt -f（找出持有自旋锁的调用者：看 _raw_spin_lock* 的返回地址）'),
          t('Keep CONFIG_DEBUG_ATOMIC_SLEEP=y and CONFIG_PROVE_LOCKING=y: they print "Preemption disabled at" and the held locks, which point at the atomic section.', '保持 CONFIG_DEBUG_ATOMIC_SLEEP=y 和 CONFIG_PROVE_LOCKING=y：它们会打印 "Preemption disabled at" 和持有的锁，直接指向原子区间。'),
        ),
        facts: { site: at, inAtomic, irqsDisabled: irqsOff, preemptCount: pc?.value ?? null, preempt: pc, rcuNestDepth: rcuDepth, heldLock, atomicSince: atomicBy, leakedToUser: leak },
      });
    }
    return out;
  },
};
