// Lockdep "inconsistent lock state": a lock used both in IRQ/softirq context and with IRQs/BH enabled elsewhere.

import type { FindingDraft, Rule, RuleContext } from '../types';
import { lockAfter, lockEvidence } from '../lockdep-lines';
import { ev, linesOf, paragraphs, reportsWhere, steps, t, type ReportHit } from '../reports';
import { blameFrames, blameOfSite, blameReport, culpritOfBlame, type Blame } from '../blame';
import { readLockdep } from '../lockdep';

const HEADER = /inconsistent lock state|(HARDIRQ|SOFTIRQ)-safe -> (?:HARDIRQ|SOFTIRQ)-unsafe lock order detected|possible irq lock inversion dependency detected/;

export const lockdepInconsistent: Rule = {
  meta: {
    id: 'KT-lockdep-inconsistent',
    rootCauseClass: 'deadlock-aa',
    summary: t('A lock is taken in interrupt (or softirq) context and elsewhere with that interrupt enabled', '一把锁既在（软）中断上下文中获取，又在别处以该中断打开的状态获取'),
    docs: t(
      `Looks for "WARNING: inconsistent lock state" and "inconsistent {A} -> {B} usage". For
example {HARDIRQ-ON-W} -> {IN-HARDIRQ-W}: the lock was once taken with hard interrupts enabled
("state was registered at" shows where) and is now taken inside a hard interrupt. If the
interrupt arrives on a CPU while the first path holds the lock, the handler spins on it forever
(the "<Interrupt>" scenario lockdep prints). SOFTIRQ-ON/IN-SOFTIRQ is the same with bottom halves.
What to do: the path that registered the *-ON state must disable the interrupt kind while holding
the lock: spin_lock_irqsave() for hardirq users, spin_lock_bh() for softirq users; or stop taking
the lock in the interrupt.`,
      `匹配 "WARNING: inconsistent lock state" 和 "inconsistent {A} -> {B} usage"。例如 {HARDIRQ-ON-W} ->
{IN-HARDIRQ-W}：这把锁曾在硬中断打开的状态下被获取（"state was registered at" 给出了位置），现在又在
硬中断中被获取。如果第一条路径持锁时同一 CPU 上来了中断，中断处理函数就会在这把锁上永远自旋
（lockdep 打印的 "<Interrupt>" 场景）。SOFTIRQ-ON/IN-SOFTIRQ 是软中断的同类问题。
处理办法：登记了 *-ON 状态的那条路径在持锁期间必须关闭对应的中断：硬中断中会用到的锁用
spin_lock_irqsave()，软中断中会用到的锁用 spin_lock_bh()；或者不要在中断里获取这把锁。`,
    ),
    references: ['Documentation/locking/lockdep-design.rst (state rules)', 'Documentation/kernel-hacking/locking.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      if (!/inconsistent lock state/.test(hit.header.text)) {
        out.push(irqOrderFinding(ctx, hit));
        continue;
      }
      const usage = linesOf(ctx, r, /inconsistent \{([A-Z-]+)\} -> \{([A-Z-]+)\} usage/, 1)[0] ?? null;
      const um = usage ? /inconsistent \{([A-Z-]+)\} -> \{([A-Z-]+)\} usage/.exec(usage.text) : null;
      const lock = lockAfter(ctx, r, /\] takes:|takes:$/);
      const registered = linesOf(ctx, r, /state was registered at:/, 1)[0] ?? null;
      const lockdep = readLockdep(ctx, r);
      const regBlame = lockdep.registered.length > 0 ? blameFrames(lockdep.registered, { mode: 'context' }) : null;
      const regFn: string | null = regBlame?.function ?? null;
      // The current acquisition ("takes: ... at:") is the site that runs in both contexts: the printed attribution.
      const takes = lockdep.acquiring?.at ? blameOfSite(lockdep.acquiring.at, 'printed') : null;
      const c: Blame = takes ?? (regBlame?.function ? regBlame : blameReport(r, 'context'));
      const kind = um && /SOFTIRQ/.test(um[1] + um[2]) ? 'softirq' : 'hardirq';
      const fix = kind === 'softirq' ? 'spin_lock_bh()' : 'spin_lock_irqsave()';
      const evidence = [ev(hit.header.no, 'lockdep: inconsistent lock state', 'lockdep：锁状态不一致')];
      if (usage && um) evidence.push(ev(usage.no, `${um[1]} then ${um[2]}: taken with ${kind === 'softirq' ? 'BH' : 'IRQs'} enabled, and in ${kind} context`, `先是 ${um[1]}，后是 ${um[2]}：既在${kind === 'softirq' ? ' BH ' : '中断'}打开时获取，又在${kind === 'softirq' ? '软中断' : '硬中断'}上下文中获取`));
      evidence.push(...lockEvidence(lock, 'the lock', '这把锁'));
      if (registered) evidence.push(ev(registered.no, `where the ${kind}-enabled use was recorded${regFn ? `: ${regFn}` : ''}`, `记录${kind === 'softirq' ? ' BH ' : '中断'}打开时使用的位置${regFn ? `：${regFn}` : ''}`));
      const name = lock?.name ?? 'the lock';
      out.push({
        report: hit.index,
        confidence: um ? 0.82 : 0.7,
        summary: t(`${name} is taken in ${kind} context and with ${kind === 'softirq' ? 'BH' : 'IRQs'} enabled${regFn ? ` in ${regFn}` : ''}: use ${fix} there`, `${name} 既在${kind === 'softirq' ? '软中断' : '硬中断'}上下文中获取，又${regFn ? `在 ${regFn} 中` : ''}在${kind === 'softirq' ? ' BH ' : '中断'}打开时获取：那里应该用 ${fix}`),
        explanation: paragraphs([
          t(`Lockdep saw ${name} ${um ? `first in state ${um[1]} and now in ${um[2]}` : 'used in inconsistent interrupt states'}. ${regFn ? `${regFn} takes it with ${kind === 'softirq' ? 'bottom halves' : 'interrupts'} enabled; ` : ''}${lock?.at ?? c.function ?? 'the code in this stack'} takes it in ${kind} context.`, `lockdep 看到 ${name} ${um ? `先处于 ${um[1]} 状态，现在处于 ${um[2]} 状态` : '在不一致的中断状态下被使用'}。${regFn ? `${regFn} 在${kind === 'softirq' ? ' BH ' : '中断'}打开时获取它；` : ''}${lock?.at ?? c.function ?? '本调用栈中的代码'}在${kind === 'softirq' ? '软中断' : '硬中断'}上下文中获取它。`),
          t(`If the ${kind} fires on the CPU that is inside the first critical section, the handler spins on a lock its own CPU holds: an AA deadlock that shows up as a hard lockup or soft lockup. The first path must disable ${kind === 'softirq' ? 'bottom halves' : 'interrupts'} while it holds the lock.`, `如果${kind === 'softirq' ? '软中断' : '硬中断'}恰好在第一个临界区内的 CPU 上触发，处理函数就会在本 CPU 已持有的锁上自旋：表现为 hard lockup 或 soft lockup 的 AA 死锁。第一条路径持锁期间必须关闭${kind === 'softirq' ? ' BH' : '中断'}。`),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t(`In ${regFn ?? 'the path that registered the enabled state'}: take ${name} with ${fix} (and the matching unlock).`, `在 ${regFn ?? '登记了"打开"状态的路径'} 中：用 ${fix}（以及配对的解锁）获取 ${name}。`),
          t('Check every other user of the lock for the same (grep the lock field).', '检查这把锁的其他所有使用者是否有同样问题（grep 锁字段）。'),
        ),
        facts: { lock: lock?.name ?? null, from: um?.[1] ?? null, to: um?.[2] ?? null, registeredIn: regFn, interrupt: kind },
      });
    }
    return out;
  },
};

/** "X-safe -> X-unsafe lock order": an IRQ-safe lock held while taking a lock that is used with that IRQ enabled. */
function irqOrderFinding(ctx: RuleContext, hit: ReportHit): FindingDraft {
  const r = hit.report;
  const kind = /SOFTIRQ/.test(hit.header.text) ? 'softirq' : 'hardirq';
  const want = lockAfter(ctx, r, /is trying to acquire:?$|is trying to acquire/);
  const held = lockAfter(ctx, r, /(?:HARDIRQ|SOFTIRQ)-safe lock/);
  const fix = kind === 'softirq' ? 'spin_lock_bh()' : 'spin_lock_irqsave()';
  const lockdep = readLockdep(ctx, r);
  const c = (lockdep.acquiring?.at ? blameOfSite(lockdep.acquiring.at, 'printed') : null) ?? blameReport(r, 'context');
  return {
    report: hit.index,
    rootCauseClass: 'deadlock-aa',
    confidence: want ? 0.75 : 0.65,
    summary: t(`A ${kind}-safe lock${held ? ` (${held.name})` : ''} is held while taking ${want?.name ?? 'a lock'} that is used with ${kind === 'softirq' ? 'BH' : 'IRQs'} enabled: ${kind} deadlock`, `持有${kind === 'softirq' ? '软中断' : '硬中断'}安全的锁${held ? `（${held.name}）` : ''}时获取了在${kind === 'softirq' ? ' BH ' : '中断'}打开时使用的 ${want?.name ?? '锁'}：${kind === 'softirq' ? '软中断' : '硬中断'}死锁`),
    explanation: paragraphs([
      t(`Lockdep saw ${want?.name ?? 'a lock'} taken${want?.at ? ` in ${want.at}` : ''} while a lock that is also taken in ${kind} context was held. Elsewhere ${want?.name ?? 'that lock'} is taken with ${kind === 'softirq' ? 'bottom halves' : 'interrupts'} enabled, so CPU0 holding it can be interrupted by a ${kind} that wants the first lock while CPU1 holds the first lock and waits for it: a deadlock across the interrupt.`, `lockdep 看到在持有一把也会在${kind === 'softirq' ? '软中断' : '硬中断'}上下文中获取的锁时，${want?.at ? `在 ${want.at} 中` : ''}获取了 ${want?.name ?? '另一把锁'}。而在别处 ${want?.name ?? '这把锁'} 是在${kind === 'softirq' ? ' BH ' : '中断'}打开时获取的，于是 CPU0 持有它时可能被想要第一把锁的${kind === 'softirq' ? '软中断' : '硬中断'}打断，而 CPU1 持有第一把锁并在等它：跨中断的死锁。`),
    ]),
    evidence: [ev(hit.header.no, `lockdep: ${kind}-safe -> ${kind}-unsafe lock order`, `lockdep：${kind === 'softirq' ? '软中断' : '硬中断'}安全锁 -> 非安全锁的加锁顺序`), ...lockEvidence(want, 'the irq-unsafe lock', '中断不安全的锁'), ...lockEvidence(held, 'the irq-safe lock held', '持有的中断安全锁')],
    culprit: culpritOfBlame(c),
    nextSteps: steps(
      t(`Take ${want?.name ?? 'the irq-unsafe lock'} with ${fix} everywhere, or stop taking it under the ${kind}-safe lock.`, `在所有地方都用 ${fix} 获取 ${want?.name ?? '这把中断不安全的锁'}，或者不要在${kind === 'softirq' ? '软中断' : '硬中断'}安全锁之下获取它。`),
      t('The two stacks lockdep prints ("which became ... -irq-safe at" / "-unsafe at") show the two usages to reconcile.', 'lockdep 打印的两个调用栈（"which became ... -irq-safe at" / "-unsafe at"）给出了需要统一的两种用法。'),
    ),
    facts: { variant: 'irq-lock-order', interrupt: kind, acquiring: want?.name ?? null, holding: held?.name ?? null },
  };
}
