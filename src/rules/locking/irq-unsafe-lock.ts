// An interrupt (or softirq) spins on a lock that the code it interrupted holds with interrupts enabled: the lock is taken without disabling them.

import { paragraphs } from '../reports';
import { interruptedHolders, machineOf } from '../../machine';
import { baseName } from '../stacks';
import { blameOfFrame, culpritOfBlame } from '../blame';
import { messenger } from '../messages';
import { holdEvidenceText } from './hold-evidence';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: {
    en: 'Self-deadlock on CPU{{cpu}}: the {{ctx}} path {{taker}}() spins on {{lock}}, which {{holder}}() holds with {{enabled}} enabled{{how}}',
    zh: 'CPU{{cpu}} 上的自死锁：{{ctx}}路径 {{taker}}() 在 {{lock}} 上自旋，而 {{holder}}() 持有这把锁时{{enabled}}是打开的{{how}}',
  },
  interrupts: { en: 'interrupts', zh: '中断' },
  bottomHalves: { en: 'bottom halves', zh: '软中断（BH）' },
  howPlain: { en: ' (taken with plain {{call}})', zh: '（用普通的 {{call}} 获取）' },
  softirq: { en: 'softirq', zh: '软中断' },
  hardirq: { en: 'hardirq', zh: '硬中断' },
  evSpin: { en: 'The {{ctx}} path spins on {{lock}}: {{taker}}() wants it.', zh: '{{ctx}}路径在 {{lock}} 上自旋：{{taker}}() 要获取它。' },
  evRflags: { en: 'RFLAGS {{rflags}} of the interrupted code: IF is set, interrupts were enabled.', zh: '被打断代码的 RFLAGS {{rflags}}：IF 置位，中断是打开的。' },
  evHolder: { en: '{{holder}}() holds {{lock}} on this CPU ({{evidence}}).', zh: '{{holder}}() 在本 CPU 上持有 {{lock}}（{{evidence}}）。' },
  evCall: { en: '{{holder}}() takes it with {{call}}: {{enabled}} stay enabled.', zh: '{{holder}}() 用 {{call}} 获取它：{{enabled}}仍然是打开的。' },
  explain: {
    en: 'On CPU{{cpu}} the {{ctx}} path ({{taker}}()) spins on {{lock}}, and the code it interrupted, {{holder}}(), holds that lock: it can never release it while its own CPU spins above it. An AA self-deadlock; every other CPU that needs the lock, or waits for this CPU in an IPI, hangs behind it.',
    zh: 'CPU{{cpu}} 上的{{ctx}}路径（{{taker}}()）在 {{lock}} 上自旋，而被它打断的代码 {{holder}}() 正持有这把锁：自己的 CPU 在上面自旋，它永远无法释放。这是 AA 自死锁；其他需要这把锁、或通过 IPI 等待这个 CPU 的 CPU 都会跟着卡住。',
  },
  explainPlain: {
    en: '{{holder}}() takes the lock with {{call}}, which leaves {{enabled}} enabled, while the same lock is also taken in {{ctx}} context. A lock shared with an interrupt handler must be taken with spin_lock_irqsave() (with a softirq: spin_lock_bh()) everywhere outside that handler.',
    zh: '{{holder}}() 用 {{call}} 获取这把锁，{{enabled}}保持打开，而同一把锁在{{ctx}}上下文中也会被获取。与中断处理程序共享的锁，在处理程序之外的所有地方都必须用 spin_lock_irqsave()（与软中断共享时用 spin_lock_bh()）获取。',
  },
  explainUnknown: {
    en: 'Interrupts were enabled inside {{holder}}()\'s critical section. Either it takes the lock without disabling them (spin_lock() where the {{ctx}} path also takes it: it needs spin_lock_irqsave()), or it takes it with spin_lock_irq() and a function it calls re-enabled them (a nested spin_unlock_irq() or local_irq_enable()). Which one, the holder\'s code tells.',
    zh: '{{holder}}() 的临界区内中断是打开的。要么它获取锁时没有关中断（在{{ctx}}路径也会获取这把锁的情况下用了 spin_lock()：需要改用 spin_lock_irqsave()），要么它用 spin_lock_irq() 获取了锁，而它调用的某个函数重新打开了中断（嵌套的 spin_unlock_irq() 或 local_irq_enable()）。是哪一种，要看持锁者的代码。',
  },
  stepFix: { en: 'In {{holder}}(): take the lock with spin_lock_irqsave()/spin_unlock_irqrestore() (spin_lock_bh() if only a softirq shares it).', zh: '在 {{holder}}() 中：改用 spin_lock_irqsave()/spin_unlock_irqrestore() 获取这把锁（若只与软中断共享，用 spin_lock_bh()）。' },
  stepDis: { en: 'crash> dis -l {{holder}} | grep spin_lock     (_raw_spin_lock: taken with interrupts on; _raw_spin_lock_irq: look for what re-enabled them)', zh: 'crash> dis -l {{holder}} | grep spin_lock（_raw_spin_lock：取锁时中断是开的；_raw_spin_lock_irq：找出重新打开中断的代码）' },
  stepProve: { en: 'CONFIG_PROVE_LOCKING reports this at the first occurrence as "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage".', zh: 'CONFIG_PROVE_LOCKING 会在第一次发生时报告 "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage"。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);



export const irqUnsafeLock: Rule = {
  meta: {
    id: 'KT-irq-unsafe-lock',
    rootCauseClass: 'deadlock-aa',
    summary: {
      en: 'An interrupt or softirq spins on a lock that the code it interrupted holds with interrupts (or BHs) enabled: the lock is taken without disabling them',
      zh: '中断或软中断在一把锁上自旋，而被它打断的代码持有这把锁时中断（或 BH）是打开的：取锁时没有关中断',
    },
    docs: {
      en: `Needs the per-CPU view (crash "bt -a", NMI backtraces, a soft lockup's stacks). On one CPU an
interrupt or softirq path spins on a lock (the first-argument register of the slow path), and
the context it interrupted holds that lock (its registers still point at it, or it runs code of
the lock taker's module) with IF set in its saved RFLAGS. When crash's "dis" of the holder shows
it takes the lock with plain _raw_spin_lock (or _bh under a hardirq), the lock is irq-unsafe:
the handler interrupted the critical section on the same CPU and can never get the lock, an AA
self-deadlock. When the holder is known to take it with spin_lock_irq, the interrupt could only
arrive because nested code re-enabled interrupts: that is KT-irq-reenabled-in-irq-lock. When
how it was taken is not shown, both are said and the class is deadlock-aa, with
irq-state-corruption as the other possibility.
What to do: take the lock with spin_lock_irqsave() wherever it is shared with an interrupt
handler (spin_lock_bh() with a softirq); "dis -l HOLDER | grep spin_lock" tells which case.`,
      zh: `需要每个 CPU 的调用栈（crash 的 bt -a、NMI backtrace、soft lockup 打印的栈）。某个 CPU 上，中断或
软中断路径在一把锁上自旋（锁地址是慢路径第一个参数寄存器的值），而被它打断的上下文正持有这把锁
（其寄存器中仍有锁地址，或者它运行的是取锁者所在模块的代码），并且其保存的 RFLAGS 中 IF 置位。
如果 crash 对持锁函数的 dis 显示它用普通的 _raw_spin_lock（在硬中断面前用 _bh 也一样）获取这把锁，
说明这把锁不是中断安全的：中断处理程序在同一 CPU 上打断了临界区，永远拿不到锁，形成 AA 自死锁。
如果已知持锁者用 spin_lock_irq 获取锁，那么中断之所以能进来只能是嵌套代码重新打开了中断：那是
KT-irq-reenabled-in-irq-lock 的情形。如果无法判断它是怎么获取锁的，两种可能都会说明，分类为
deadlock-aa，irq-state-corruption 作为另一种可能。
处理办法：凡是与中断处理程序共享的锁，都用 spin_lock_irqsave() 获取（与软中断共享用 spin_lock_bh()）；
"dis -l 持锁函数 | grep spin_lock" 可以区分是哪一种情况。`,
    },
    references: ['Documentation/kernel-hacking/locking.rst (Hard IRQ Context)', 'Documentation/locking/lockdep-design.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const m = machineOf(ctx.analysis);
    const seen = new Set<string>();
    for (const { lock, waiter, holder, held } of interruptedHolders(m)) {
      if (held.takenWith === 'irq' || !held.function) continue;
      // A softirq is kept off by spin_lock_bh(): only a hardirq path breaks a _bh holder.
      if (held.takenWith === 'bh' && waiter.kind === 'softirq') continue;
      const w = lock.waiters.find((x) => x.context === waiter.id);
      if (!w) continue;
      const key = `${waiter.cpu}:${lock.address ?? lock.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const frame = holder.frames.find((f) => f.reliable && f.function !== null && baseName(f.function) === held.function) ?? null;
      const blame = frame ? blameOfFrame(frame, 'outer-holder') : null;
      const hardirq = waiter.kind === 'irq';
      const call = held.takenWith === 'bh' ? 'spin_lock_bh()' : 'spin_lock()';
      const d = {
        cpu: waiter.cpu ?? '?',
        ctx: msg(hardirq ? 'hardirq' : 'softirq'),
        taker: w.taker ?? w.primitive,
        lock: [lock.name, lock.address].filter((x) => x !== null).join(' ') || '?',
        holder: held.function,
        enabled: msg(hardirq || held.takenWith !== 'bh' ? 'interrupts' : 'bottomHalves'),
        how: held.takenWith ? msg('howPlain', { call }) : null,
        call,
        rflags: holder.registers?.RFLAGS ?? holder.registers?.EFLAGS ?? '?',
        evidence: holdEvidenceText(held.evidence),
      };
      const evidence: FindingDraft['evidence'] = [{ line: w.lines[0], note: msg('evSpin', d) }];
      const rflagsLine = holder.lines.find((no) => /RFLAGS|EFLAGS/.test(ctx.line(no)?.text ?? ''));
      if (rflagsLine !== undefined) evidence.push({ line: rflagsLine, note: msg('evRflags', d) });
      evidence.push({ line: held.lines[0], note: msg('evHolder', d) });
      if (held.takenWithLines[0] !== undefined) evidence.push({ line: held.takenWithLines[0], note: msg('evCall', d) });
      out.push({
        report: waiter.report ?? undefined,
        confidence: held.takenWith ? 0.86 : 0.74,
        secondaryClasses: held.takenWith ? [] : ['irq-state-corruption'],
        summary: msg('summary', d),
        explanation: paragraphs([msg('explain', d), held.takenWith ? msg('explainPlain', d) : msg('explainUnknown', d)]),
        evidence,
        culprit: blame ? culpritOfBlame(blame) : { function: held.function, module: null },
        nextSteps: [msg('stepFix', d), ...(held.takenWith ? [] : [msg('stepDis', d)]), msg('stepProve')],
        facts: { lockAddress: lock.address, lock: lock.name, cpu: waiter.cpu, holder: held.function, takenWith: held.takenWith, interruptsEnabled: true, holderEvidence: held.evidence },
      });
    }
    return out;
  },
};
