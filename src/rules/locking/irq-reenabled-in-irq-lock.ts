// Interrupted with IF set inside a spin_lock_irq region whose lock the interrupt path then wants: IRQs were re-enabled by nested code.

import { LOCK_SPINNERS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import type { Frame, StackSegment } from '../../model/types';
import { allStacks, baseName, type StackView } from '../stacks';
import { firstOwnFrame } from '../blame';
import type { FindingDraft, Rule } from '../types';

const IF_BIT = 0x200;

interface Spin {
  stack: StackView;
  seg: StackSegment;
  lock: string;
  lockLine: number | null;
  taker: Frame | null;
}

function spinsOf(stacks: StackView[], line: (no: number) => { text: string } | null): Spin[] {
  const out: Spin[] = [];
  for (const s of stacks) {
    for (const seg of s.trace.segments) {
      if (!seg.exceptionRip || !seg.registers?.RDI) continue;
      if (!matchesAny(baseName(seg.exceptionRip.replace(/\+.*$/, '')), LOCK_SPINNERS)) continue;
      const lock = seg.registers.RDI;
      const lockLine = seg.registerLines.find((no) => line(no)?.text.includes(`RDI: ${lock}`)) ?? null;
      out.push({ stack: s, seg, lock, lockLine, taker: firstOwnFrame(seg.frames) });
      break;
    }
  }
  return out;
}

/** Same owner: the same module, or for built-in code the same subsystem prefix (`bfq_`, `blk_mq_`). */
function sameOwner(a: Frame, b: Frame): boolean {
  if (a.module || b.module) return a.module === b.module;
  const p = (f: Frame) => /^([a-z0-9]{2,}_)/.exec(f.function ?? '')?.[1] ?? null;
  return p(a) !== null && p(a) === p(b);
}

export const irqReenabledInIrqLock: Rule = {
  meta: {
    id: 'KT-irq-reenabled-in-irq-lock',
    rootCauseClass: 'irq-state-corruption',
    summary: {
      en: 'Interrupted with interrupts enabled inside a spin_lock_irq region; the interrupt path spins on that lock: nested code re-enabled IRQs',
      zh: '在 spin_lock_irq 保护区内被中断打断且中断处于打开状态，中断路径在同一把锁上自旋：嵌套代码重新打开了中断',
    },
    docs: {
      en: `Needs the per-CPU view (crash "bt -a" or NMI backtraces). On one CPU, an interrupt or softirq
path spins on a lock (its address is RDI of queued_spin_lock_slowpath / _raw_spin_lock*),
and the context it interrupted was stopped with IF set (RFLAGS 0x246: interrupts enabled)
inside code of the same owner as the lock's taker (the same module or subsystem). That code
took the lock with spin_lock_irq(), which disables interrupts: an interrupt could only arrive
because something it called re-enabled them, typically a nested spin_unlock_irq() or
local_irq_enable() in a callee. The interrupt path then wants the same lock: an AA
self-deadlock through interrupt nesting. Other CPUs spinning on the same address, and a CPU
stuck in smp_call_function_many() waiting for an IPI answer (the soft lockup), are
consequences.
What to do: in the functions called between the outer lock holder and the interrupted
instruction, find spin_unlock_irq()/local_irq_enable() (or a spin_lock_irq()/spin_unlock_irq()
pair) used while a caller already has interrupts disabled; nested code must use
spin_lock_irqsave()/spin_unlock_irqrestore().`,
      zh: `需要每个 CPU 的调用栈（crash 的 bt -a 或 NMI backtrace）。某个 CPU 上，中断或软中断路径在一把锁
上自旋（锁地址是 queued_spin_lock_slowpath / _raw_spin_lock* 的 RDI），而被它打断的上下文停在与
取锁函数同属一方（同一模块或子系统）的代码中，且 IF 置位（RFLAGS 0x246：中断是打开的）。那段代码
用 spin_lock_irq() 获取了锁，本应关闭中断：中断之所以能进来，只能是它调用的某个函数重新打开了中断，
典型的是被调函数里嵌套的 spin_unlock_irq() 或 local_irq_enable()。随后中断路径又要获取同一把锁：
这是通过中断嵌套形成的 AA 自死锁。其他 CPU 在同一地址上自旋，以及某个 CPU 卡在
smp_call_function_many() 中等待 IPI 响应（即 soft lockup），都是后果。
处理办法：在外层持锁函数与被中断指令之间调用的函数中，找出在调用者已关中断时使用的
spin_unlock_irq()/local_irq_enable()（或成对的 spin_lock_irq()/spin_unlock_irq()）；嵌套代码必须
使用 spin_lock_irqsave()/spin_unlock_irqrestore()。`,
    },
    references: ['Documentation/kernel-hacking/locking.rst (spin_lock_irqsave)'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const stacks = allStacks(ctx.analysis);
    const spins = spinsOf(stacks, ctx.line);
    for (const spin of spins) {
      if (spin.seg.context !== 'irq' && spin.seg.context !== 'softirq') continue;
      if (!spin.taker) continue;
      const segs = spin.stack.trace.segments;
      const interrupted = segs.slice(segs.indexOf(spin.seg) + 1).find((s) => s.exceptionRip && s.registers?.RFLAGS);
      if (!interrupted || !interrupted.registers) continue;
      const rflags = Number.parseInt(interrupted.registers.RFLAGS, 16);
      if (!(rflags & IF_BIT)) continue;
      const after = segs.slice(segs.indexOf(interrupted));
      const owned = after.flatMap((s) => s.frames).filter((f) => f.reliable && f.function && spin.taker && sameOwner(f, spin.taker));
      if (owned.length === 0) continue;
      const holder = owned[owned.length - 1];
      const others = spins.filter((o) => o !== spin && o.lock === spin.lock);
      const waiter = stacks.find((s) => s.trace.segments.some((seg) => seg.exceptionRip?.startsWith('smp_call_function_many')));
      const cpu = spin.stack.cpu;
      const rflagsLine = interrupted.registerLines.find((no) => /RFLAGS|EFLAGS/.test(ctx.line(no)?.text ?? '')) ?? interrupted.registerLines[0];
      const evidence: FindingDraft['evidence'] = [];
      if (spin.lockLine !== null) evidence.push({ line: spin.lockLine, note: { en: `CPU${cpu} waits for lock ${spin.lock} (RDI of ${spin.seg.exceptionRip})`, zh: `CPU${cpu} 等待锁 ${spin.lock}（${spin.seg.exceptionRip} 的 RDI）` } });
      const spinFrame = spin.seg.frames[0];
      if (spinFrame) evidence.push({ line: spinFrame.line, note: { en: `${spin.seg.context} path spinning: ${spin.taker.function} wants the lock`, zh: `${spin.seg.context === 'softirq' ? '软中断' : '硬中断'}路径在自旋：${spin.taker.function} 要获取这把锁` } });
      if (interrupted.registerLines[0] !== undefined) evidence.push({ line: interrupted.registerLines[0], note: { en: `the interrupted instruction: ${interrupted.exceptionRip}`, zh: `被打断的指令：${interrupted.exceptionRip}` } });
      if (rflagsLine !== undefined) evidence.push({ line: rflagsLine, note: { en: `RFLAGS ${interrupted.registers.RFLAGS}: IF set, interrupts were enabled`, zh: `RFLAGS ${interrupted.registers.RFLAGS}：IF 置位，中断是打开的` } });
      evidence.push({ line: holder.line, note: { en: `${holder.function} holds the lock (taken with spin_lock_irq) further out`, zh: `更外层的 ${holder.function} 持有这把锁（通过 spin_lock_irq 获取）` } });
      for (const o of others) if (o.lockLine !== null) evidence.push({ line: o.lockLine, note: { en: `CPU${o.stack.cpu} spins on the same lock`, zh: `CPU${o.stack.cpu} 在同一把锁上自旋` } });
      if (waiter) {
        const seg = waiter.trace.segments.find((sg) => sg.exceptionRip?.startsWith('smp_call_function_many'));
        if (seg && seg.registerLines[0] !== undefined) evidence.push({ line: seg.registerLines[0], note: { en: `CPU${waiter.cpu} waits in smp_call_function_many for the stuck CPUs: the soft lockup is a consequence`, zh: `CPU${waiter.cpu} 在 smp_call_function_many 中等待卡住的 CPU：soft lockup 是后果` } });
      }
      const panicLine = ctx.findLines(/Kernel panic - not syncing: /, 1)[0] ?? null;
      const panic = panicLine ? panicLine.text.slice(panicLine.text.indexOf('Kernel panic')).trim() : null;
      if (panicLine && waiter) evidence.push({ line: panicLine.no, note: { en: 'the watchdog panic that stopped the machine: raised on the waiting CPU', zh: '让机器停下的 watchdog panic：由等待中的 CPU 触发' } });
      const mod = holder.module;
      out.push({
        report: spin.stack.report ?? undefined,
        confidence: others.length > 0 ? 0.88 : 0.78,
        secondaryClasses: ['deadlock-aa'],
        summary: {
          en: `Interrupts were re-enabled inside ${holder.function}'s spin_lock_irq region: the ${spin.seg.context} path on CPU${cpu} now spins on the lock ${spin.lock} that ${holder.function} holds`,
          zh: `${holder.function} 的 spin_lock_irq 保护区内中断被重新打开：CPU${cpu} 上的${spin.seg.context === 'softirq' ? '软中断' : '硬中断'}路径正在自旋等待 ${holder.function} 持有的锁 ${spin.lock}`,
        },
        explanation: {
          en: [
            `CPU${cpu} (${spin.stack.comm ?? '?'}, pid ${spin.stack.pid ?? '?'}) is in ${spin.seg.context} context spinning on lock ${spin.lock} for ${spin.taker.function}. The code it interrupted stopped at ${interrupted.exceptionRip} with RFLAGS ${interrupted.registers.RFLAGS}: IF is set, so interrupts were enabled there.`,
            `That interrupted code runs under ${holder.function}${mod ? ` [${mod}]` : ''}, which takes the same lock with interrupts disabled (spin_lock_irq). Interrupts cannot arrive inside such a region unless something re-enabled them: a nested spin_unlock_irq() or local_irq_enable() in a function called from ${holder.function}. The interrupt then came in on the same CPU and its ${spin.seg.context} work wants the lock the interrupted code holds: an AA self-deadlock through interrupt nesting.`,
            others.length > 0 ? `CPU${others.map((o) => o.stack.cpu).join(', CPU')} spin on the same lock address ${spin.lock}: they wait behind CPU${cpu}.` : '',
            waiter ? `CPU${waiter.cpu} is stuck in smp_call_function_many() waiting for the spinning CPUs to answer an IPI; its soft lockup report is a consequence, not the cause.` : '',
          ].filter(Boolean).join('\n\n'),
          zh: [
            `CPU${cpu}（${spin.stack.comm ?? '?'}，pid ${spin.stack.pid ?? '?'}）处于${spin.seg.context === 'softirq' ? '软中断' : '硬中断'}上下文，为 ${spin.taker.function} 在锁 ${spin.lock} 上自旋。它打断的代码停在 ${interrupted.exceptionRip}，RFLAGS 为 ${interrupted.registers.RFLAGS}：IF 置位，说明当时中断是打开的。`,
            `被打断的代码在 ${holder.function}${mod ? ` [${mod}]` : ''} 之下运行，而 ${holder.function} 以关中断方式（spin_lock_irq）获取了同一把锁。这样的保护区内不可能来中断，除非有代码重新打开了中断：${holder.function} 调用的某个函数中嵌套的 spin_unlock_irq() 或 local_irq_enable()。于是中断在同一 CPU 上进来，它的${spin.seg.context === 'softirq' ? '软中断' : '中断'}处理又要获取被打断代码持有的锁：这是通过中断嵌套形成的 AA 自死锁。`,
            others.length > 0 ? `CPU${others.map((o) => o.stack.cpu).join('、CPU')} 在同一锁地址 ${spin.lock} 上自旋：它们排在 CPU${cpu} 后面等待。` : '',
            waiter ? `CPU${waiter.cpu} 卡在 smp_call_function_many() 中等待这些自旋的 CPU 响应 IPI；它的 soft lockup 报告是后果，不是原因。` : '',
          ].filter(Boolean).join('\n\n'),
        },
        evidence,
        culprit: { function: holder.function, module: mod },
        nextSteps: [
          { en: `Read ${holder.function}() and every function it calls down to ${interrupted.exceptionRip}: look for spin_unlock_irq()/local_irq_enable() (or spin_lock_irq()/spin_unlock_irq() pairs) reached while ${holder.function} holds the lock; nested code must use spin_lock_irqsave()/spin_unlock_irqrestore().`, zh: `阅读 ${holder.function}() 以及它一路调用到 ${interrupted.exceptionRip} 的每个函数：找出在 ${holder.function} 持锁期间会执行到的 spin_unlock_irq()/local_irq_enable()（或成对的 spin_lock_irq()/spin_unlock_irq()）；嵌套代码必须改用 spin_lock_irqsave()/spin_unlock_irqrestore()。` },
          { en: `crash> dis -l ${interrupted.exceptionRip}     crash> bt -f -c ${cpu}     (confirm the lock ${spin.lock} is the one ${holder.function} took)`, zh: `crash> dis -l ${interrupted.exceptionRip}     crash> bt -f -c ${cpu}（确认锁 ${spin.lock} 就是 ${holder.function} 获取的那把）` },
          { en: `crash> struct raw_spinlock ${spin.lock}     (the lock value and, with CONFIG_DEBUG_SPINLOCK, its owner CPU)`, zh: `crash> struct raw_spinlock ${spin.lock}（锁的值；开启 CONFIG_DEBUG_SPINLOCK 时可看到持有者 CPU）` },
          { en: 'Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports "inconsistent lock state" / irqs-on inside an irq-safe lock at the first occurrence.', zh: '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在第一次发生时报告 "inconsistent lock state" 或在 irq-safe 锁内打开中断。' },
        ],
        facts: { panic, lockAddress: spin.lock, cpu, spinningCpus: [cpu, ...others.map((o) => o.stack.cpu)], interruptedRip: interrupted.exceptionRip, rflags: interrupted.registers.RFLAGS, interruptsEnabled: true, holder: holder.function, ipiWaiterCpu: waiter?.cpu ?? null },
      });
    }
    return out;
  },
};
