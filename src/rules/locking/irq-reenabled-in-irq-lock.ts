// Interrupted with IF set inside a spin_lock_irq region whose lock the interrupt path then wants: IRQs were re-enabled by nested code.

import { paragraphs } from '../reports';
import { interruptedHolders, machineOf } from '../../machine';
import { baseName } from '../stacks';
import { blameOfFrame, culpritOfBlame } from '../blame';
import { listOf, messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: {
    en: 'Interrupts were re-enabled inside the spin_lock_irq region of {{holder}}: the {{ctx}} path on CPU{{cpu}} now spins on the lock {{lock}} that {{holder}} holds',
    zh: '{{holder}} 的 spin_lock_irq 保护区内中断被重新打开：CPU{{cpu}} 上的{{ctx}}路径正在自旋等待 {{holder}} 持有的锁 {{lock}}',
  },
  softirq: { en: 'softirq', zh: '软中断' },
  hardirq: { en: 'hardirq', zh: '硬中断' },
  evLock: { en: 'CPU{{cpu}} waits for lock {{lock}} (RDI of {{rip}}).', zh: 'CPU{{cpu}} 等待锁 {{lock}}（{{rip}} 的 RDI）。' },
  evSpin: { en: 'The {{ctx}} path is spinning: {{taker}} wants the lock.', zh: '{{ctx}}路径在自旋：{{taker}} 要获取这把锁。' },
  evInterrupted: { en: 'The interrupted instruction: {{rip}}.', zh: '被打断的指令：{{rip}}。' },
  evRflags: { en: 'RFLAGS {{rflags}}: IF is set, interrupts were enabled.', zh: 'RFLAGS {{rflags}}：IF 置位，中断是打开的。' },
  evHolder: { en: '{{holder}} holds the lock (taken with spin_lock_irq) further out.', zh: '更外层的 {{holder}} 持有这把锁（通过 spin_lock_irq 获取）。' },
  evOther: { en: 'CPU{{cpu}} spins on the same lock.', zh: 'CPU{{cpu}} 在同一把锁上自旋。' },
  evWaiter: { en: 'CPU{{cpu}} waits in smp_call_function_many for the stuck CPUs: the soft lockup is a consequence.', zh: 'CPU{{cpu}} 在 smp_call_function_many 中等待卡住的 CPU：soft lockup 是后果。' },
  evPanic: { en: 'The watchdog panic that stopped the machine was raised on the waiting CPU.', zh: '让机器停下的 watchdog panic 由等待中的 CPU 触发。' },
  explainSpin: {
    en: 'CPU{{cpu}} ({{task}}) is in {{ctx}} context spinning on lock {{lock}} for {{taker}}. The code it interrupted stopped at {{rip}} with RFLAGS {{rflags}}: IF is set, so interrupts were enabled there.',
    zh: 'CPU{{cpu}}（{{task}}）处于{{ctx}}上下文，为 {{taker}} 在锁 {{lock}} 上自旋。它打断的代码停在 {{rip}}，RFLAGS 为 {{rflags}}：IF 置位，说明当时中断是打开的。',
  },
  task: { en: '{{comm}}, pid {{pid}}', zh: '任务 {{comm}}，pid {{pid}}' },
  taskUnknown: { en: 'task unknown', zh: '任务未知' },
  explainHolder: {
    en: 'That interrupted code runs under {{holderMod}}, which takes the same lock with interrupts disabled (spin_lock_irq). Interrupts cannot arrive inside such a region unless something re-enabled them: a nested spin_unlock_irq() or local_irq_enable() in a function called from {{holder}}. The interrupt then came in on the same CPU and its {{ctx}} work wants the lock the interrupted code holds: an AA self-deadlock through interrupt nesting.',
    zh: '被打断的代码在 {{holderMod}} 之下运行，而 {{holder}} 以关中断方式（spin_lock_irq）获取了同一把锁。这样的保护区内不可能来中断，除非有代码重新打开了中断：{{holder}} 调用的某个函数中嵌套的 spin_unlock_irq() 或 local_irq_enable()。于是中断在同一 CPU 上进来，它的{{ctx}}处理又要获取被打断代码持有的锁：这是通过中断嵌套形成的 AA 自死锁。',
  },
  explainOthers: { en: '{{cpus}} spin on the same lock address {{lock}}: they wait behind CPU{{cpu}}.', zh: '{{cpus}} 在同一锁地址 {{lock}} 上自旋：它们排在 CPU{{cpu}} 后面等待。' },
  explainWaiter: {
    en: 'CPU{{cpu}} is stuck in smp_call_function_many() waiting for the spinning CPUs to answer an IPI; its soft lockup report is a consequence, not the cause.',
    zh: 'CPU{{cpu}} 卡在 smp_call_function_many() 中等待这些自旋的 CPU 响应 IPI；它的 soft lockup 报告是后果，不是原因。',
  },
  stepRead: {
    en: 'Read {{holder}}() and every function it calls down to {{rip}}: look for spin_unlock_irq()/local_irq_enable() (or spin_lock_irq()/spin_unlock_irq() pairs) reached while {{holder}} holds the lock; nested code must use spin_lock_irqsave()/spin_unlock_irqrestore().',
    zh: '阅读 {{holder}}() 以及它一路调用到 {{rip}} 的每个函数：找出在 {{holder}} 持锁期间会执行到的 spin_unlock_irq()/local_irq_enable()（或成对的 spin_lock_irq()/spin_unlock_irq()）；嵌套代码必须改用 spin_lock_irqsave()/spin_unlock_irqrestore()。',
  },
  stepDis: { en: 'crash> dis -l {{rip}}     crash> bt -f -c {{cpu}}     (confirm the lock {{lock}} is the one {{holder}} took)', zh: 'crash> dis -l {{rip}}     crash> bt -f -c {{cpu}}（确认锁 {{lock}} 就是 {{holder}} 获取的那把）' },
  stepStruct: { en: 'crash> struct raw_spinlock {{lock}}     (the lock value and, with CONFIG_DEBUG_SPINLOCK, its owner CPU)', zh: 'crash> struct raw_spinlock {{lock}}（锁的值；开启 CONFIG_DEBUG_SPINLOCK 时可看到持有者 CPU）' },
  stepProve: {
    en: 'Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports "inconsistent lock state" or interrupts enabled inside an irq-safe lock at the first occurrence.',
    zh: '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在第一次发生时报告 "inconsistent lock state" 或在 irq-safe 锁内打开中断。',
  },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

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
is known to take the lock with spin_lock_irq() (the lock-domain table, or a call to
_raw_spin_lock_irq* in crash's dis of the holder), which disables interrupts: an interrupt could only arrive
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
取锁函数同属一方（同一模块或子系统）的代码中，且 IF 置位（RFLAGS 0x246：中断是打开的）。已知那段代码
用 spin_lock_irq() 获取了锁（锁域知识表，或 crash 反汇编中对 _raw_spin_lock_irq* 的调用），本应关闭中断：中断之所以能进来，只能是它调用的某个函数重新打开了中断，
典型的是被调函数里嵌套的 spin_unlock_irq() 或 local_irq_enable()。随后中断路径又要获取同一把锁：
这是通过中断嵌套形成的 AA 自死锁。其他 CPU 在同一地址上自旋，以及某个 CPU 卡在
smp_call_function_many() 中等待 IPI 响应（即 soft lockup），都是后果。
处理办法：在外层持锁函数与被中断指令之间调用的函数中，找出在调用者已关中断时使用的
spin_unlock_irq()/local_irq_enable()（或成对的 spin_lock_irq()/spin_unlock_irq()）；嵌套代码必须
使用 spin_lock_irqsave()/spin_unlock_irqrestore()。`,
    },
    references: ['Documentation/kernel-hacking/locking.rst (spin_lock_irqsave)'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const m = machineOf(ctx.analysis);
    const seen = new Set<string>();
    // An interrupt came in on a context that holds the lock with interrupts enabled, and wants the lock.
    for (const nw of interruptedHolders(m)) {
      const { lock, waiter, holder, held } = nw;
      if (!holder.registers || !holder.stoppedAt) continue;
      if (!(held.evidence.includes('same-owner') || held.evidence.includes('holder-function'))) continue;
      // Only a lock known to be taken with interrupts disabled was re-enabled inside; else KT-irq-unsafe-lock explains it.
      if (held.takenWith !== 'irq') continue;
      const w = lock.waiters.find((x) => x.context === waiter.id);
      const holderFrame = holder.frames.find((f) => f.reliable && f.function !== null && baseName(f.function) === nw.holderFunction);
      if (!w || !holderFrame) continue;
      const key = `${waiter.cpu}:${lock.address ?? lock.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const blame = blameOfFrame(holderFrame, 'outer-holder');
      const holderName = blame.function as string;
      const lockText = lock.address ?? lock.name ?? '?';
      const others = lock.waiters.filter((o) => o.context !== waiter.id && m.contexts[o.context].cpu !== waiter.cpu);
      const ipi = m.ipiWaits.find((p) => p.blockedBy.includes(waiter.cpu ?? -1)) ?? null;
      const cpu = waiter.cpu;
      const rflags = holder.registers.RFLAGS ?? holder.registers.EFLAGS;
      const rflagsLine = holder.lines.find((no) => /RFLAGS|EFLAGS/.test(ctx.line(no)?.text ?? '')) ?? holder.lines[0];
      const d = {
        cpu,
        lock: lockText,
        holder: holderName,
        holderMod: blame.module ? `${holderName} [${blame.module}]` : holderName,
        ctx: msg(waiter.kind === 'softirq' ? 'softirq' : 'hardirq'),
        taker: w.taker,
        rip: holder.stoppedAt,
        rflags,
        task: waiter.comm ? msg('task', { comm: waiter.comm, pid: waiter.pid ?? '?' }) : msg('taskUnknown'),
      };
      const lockLine = lock.address ? waiter.lines.find((no) => ctx.line(no)?.text.includes(lock.address as string)) ?? null : null;
      const evidence: FindingDraft['evidence'] = [];
      if (lockLine !== null && lockLine !== undefined) evidence.push({ line: lockLine, note: msg('evLock', { ...d, rip: waiter.stoppedAt }) });
      evidence.push({ line: w.lines[0], note: msg('evSpin', d) });
      evidence.push({ line: holder.lines[0], note: msg('evInterrupted', d) });
      if (rflagsLine !== undefined) evidence.push({ line: rflagsLine, note: msg('evRflags', d) });
      if (blame.line !== null) evidence.push({ line: blame.line, note: msg('evHolder', d) });
      for (const o of others) {
        const oc = m.contexts[o.context];
        const l = lock.address ? oc.lines.find((no) => ctx.line(no)?.text.includes(lock.address as string)) : undefined;
        evidence.push({ line: l ?? o.lines[0], note: msg('evOther', { cpu: oc.cpu }) });
      }
      if (ipi) evidence.push({ line: ipi.lines[0], note: msg('evWaiter', { cpu: ipi.cpu }) });
      const panicLine = ctx.findLines(/Kernel panic - not syncing: /, 1)[0] ?? null;
      const panic = panicLine ? panicLine.text.slice(panicLine.text.indexOf('Kernel panic')).trim() : null;
      if (panicLine && ipi) evidence.push({ line: panicLine.no, note: msg('evPanic') });
      const paras: L10n[] = [msg('explainSpin', d), msg('explainHolder', d)];
      const otherCpus = [...new Set(others.map((o) => m.contexts[o.context].cpu))];
      if (others.length > 0) paras.push(msg('explainOthers', { ...d, cpus: listOf(otherCpus.map((c) => `CPU${c}`)) }));
      if (ipi) paras.push(msg('explainWaiter', { cpu: ipi.cpu }));
      out.push({
        report: waiter.report ?? undefined,
        confidence: others.length > 0 ? 0.88 : 0.78,
        secondaryClasses: ['deadlock-aa'],
        summary: msg('summary', d),
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(blame),
        nextSteps: [msg('stepRead', d), msg('stepDis', d), msg('stepStruct', d), msg('stepProve')],
        facts: { panic, lockAddress: lock.address, cpu, spinningCpus: [cpu, ...otherCpus], interruptedRip: holder.stoppedAt, rflags, interruptsEnabled: true, holder: holderName, ipiWaiterCpu: ipi?.cpu ?? null, holderEvidence: held.evidence },
      });
    }
    return out;
  },
};
