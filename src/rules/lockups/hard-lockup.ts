// "Watchdog detected hard LOCKUP on cpu N": a CPU ran with interrupts disabled past the NMI watchdog threshold; repeats are one lockup.

import { paragraphs } from '../reports';
import { decodeEflags } from '../../decode/eflags';
import { machineOf, spinDeadlockClass } from '../../machine';
import type { CrashReport } from '../../model/types';
import { baseName, blameFrames, culpritOfBlame, type Blame } from '../blame';
import { cpuBacktraces, sampledStackOf, sampleFrames, sightings, type SampledStack, type Sighting } from '../facts';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';
import { spinningIn } from './spinning';
import { holderBlame, lockupView } from './machine-view';

const HEADER = /Watchdog detected hard LOCKUP on cpu (\d{1,5})|Kernel panic - not syncing: Hard LOCKUP|NMI watchdog: BUG: hard lockup - CPU#?(\d{1,5})|hard LOCKUP on CPU (\d{1,5})/;
const STOP = /Watchdog detected hard LOCKUP|Kernel panic - not syncing|BUG: hard lockup|BUG: soft lockup|rcu: INFO:|INFO: rcu_/;

const messages = {
  summarySpin: { en: 'Hard lockup on CPU {{cpu}}: {{who}} spins with interrupts off on a lock that is never released{{still}}', zh: 'CPU {{cpu}} hard lockup：{{who}} 关中断在一把始终不释放的锁上自旋{{still}}' },
  summarySpinHeld: { en: 'Hard lockup on CPU {{cpu}}: {{who}} spins with interrupts off on a lock that {{holder}} holds and never releases{{still}}', zh: 'CPU {{cpu}} hard lockup：{{who}} 关中断在一把锁上自旋，该锁被 {{holder}} 持有且始终不释放{{still}}' },
  summaryLoop: { en: 'Hard lockup on CPU {{cpu}}: {{who}} kept running with interrupts disabled{{still}}', zh: 'CPU {{cpu}} hard lockup：{{who}} 一直在关中断状态下运行{{still}}' },
  summaryUnknown: { en: 'Hard lockup on CPU {{cpu}}: the CPU ran with interrupts disabled past the watchdog threshold, and the log does not show what it ran', zh: 'CPU {{cpu}} hard lockup：该 CPU 关中断运行超过了看门狗阈值，日志中没有显示它在运行什么' },
  still: { en: ' (still locked up at the later reports: {{n}} reports of the same CPU)', zh: '（之后的报告中仍然卡住：同一个 CPU 共报告了 {{n}} 次）' },
  cpuUnknown: { en: 'unknown', zh: '未知' },
  explainWatchdog: { en: 'The NMI watchdog saw no timer interrupt on CPU {{cpu}} for the whole threshold (10 s by default): the CPU ran with interrupts disabled, so even the scheduler tick could not run{{eflags}}.', zh: 'NMI watchdog 在整个阈值时间内（默认 10 秒）没有看到 CPU {{cpu}} 上的时钟中断：该 CPU 一直在关中断运行，连调度时钟中断都无法执行{{eflags}}。' },
  eflags: { en: ' (EFLAGS {{value}}: interrupts disabled at the sampled instruction)', zh: '（EFLAGS {{value}}：采样指令处中断是关着的）' },
  explainRepeats: { en: 'CPU {{cpu}} was reported {{n}} times: it is one lockup that never ended, and the frame every sample shares is what kept running.', zh: 'CPU {{cpu}} 被报告了 {{n}} 次：这是一个一直没有结束的 lockup，所有采样共有的帧就是一直在运行的代码。' },
  explainSpin: { en: 'It spins in {{spinner}}, called from {{who}}: a lock waited for with interrupts off. If the holder is this CPU (the lock is taken again from an interrupt, or on a nested path) it is an AA deadlock; if the holder is another CPU, that CPU is waiting for something this one holds. The other CPUs\' stacks decide which.', zh: '它在 {{spinner}} 中自旋，由 {{who}} 调用：关中断等锁。如果持锁者是本 CPU（中断里或嵌套路径上再次获取同一把锁），就是 AA 死锁；如果持锁者是另一个 CPU，那个 CPU 在等本 CPU 持有的东西。要看其他 CPU 的调用栈才能确定。' },
  explainLoop: { en: '{{who}} is not waiting for a lock: it loops with interrupts disabled (inside local_irq_save() or spin_lock_irqsave()). The instruction the watchdog sampled ({{ip}}) is only where the loop happened to be; {{who}} owns the loop. A loop whose length grows with the machine (pages, devices, entries) must run with interrupts enabled or touch the watchdog; a loop that waits for hardware or another CPU needs a timeout.', zh: '{{who}} 并不是在等锁：它在关中断状态下循环（处于 local_irq_save() 或 spin_lock_irqsave() 之内）。看门狗采样到的指令（{{ip}}）只是循环恰好所在的位置；{{who}} 才是拥有这个循环的函数。循环次数随机器规模增长（页、设备、表项）的，必须在开中断状态下运行，或者调用 touch_nmi_watchdog() 通知看门狗；等待硬件或其他 CPU 的循环必须有超时。' },
  explainLoopHere: { en: '{{who}} is not waiting for a lock: the watchdog sampled it looping with interrupts disabled (inside local_irq_save() or spin_lock_irqsave()). A loop whose length grows with the machine (pages, devices, entries) must run with interrupts enabled or touch the watchdog; a loop that waits for hardware or another CPU needs a timeout.', zh: '{{who}} 并不是在等锁：看门狗采样到它在关中断状态下循环（处于 local_irq_save() 或 spin_lock_irqsave() 之内）。循环次数随机器规模增长（页、设备、表项）的，必须在开中断状态下运行，或者调用 touch_nmi_watchdog() 通知看门狗；等待硬件或其他 CPU 的循环必须有超时。' },
  explainNoStack: { en: 'The report does not show what the CPU was running: only "bt -a" in a vmcore, or a log with the NMI backtrace, can locate the loop.', zh: '报告中没有显示该 CPU 在运行什么：只有 vmcore 中的 "bt -a"，或带有 NMI 回溯的日志，才能定位这个循环。' },
  explainOthers: { en: 'The log also has NMI backtraces of {{n}} other CPUs: the holder of the lock is among them.', zh: '日志中还有另外 {{n}} 个 CPU 的 NMI 回溯：持锁者就在其中。' },
  explainEarlier: { en: 'An earlier report ("{{title}}") precedes it; if that oops printed to a console whose lock this CPU now needs, or left a lock held, the lockup is its consequence: fix the first report.', zh: '在它之前还有一个报告（"{{title}}"）；如果那次 oops 的打印要用到本 CPU 现在等待的控制台锁，或者留下了一把没有释放的锁，这次 lockup 就是它的后果：先修第一个报告。' },
  evHeader: { en: 'CPU {{cpu}}: no timer interrupt for the watchdog threshold', zh: 'CPU {{cpu}}：在看门狗阈值时间内没有时钟中断' },
  evLater: { en: 'the same CPU, still locked up', zh: '同一个 CPU，仍然卡住' },
  evPanic: { en: 'the watchdog then panics the machine (hardlockup_panic)', zh: '随后看门狗让系统 panic（hardlockup_panic）' },
  evRip: { en: 'where the NMI found the CPU', zh: 'NMI 发现该 CPU 时所在的位置' },
  evEflags: { en: 'EFLAGS {{value}}: interrupts disabled', zh: 'EFLAGS {{value}}：中断是关着的' },
  evSpinner: { en: '{{spinner}}: spinning with interrupts off{{lock}}', zh: '{{spinner}}：关中断自旋{{lock}}' },
  lockAt: { en: ' on {{lock}}', zh: '，锁地址 {{lock}}' },
  evLoop: { en: '{{who}}: the code that kept running', zh: '{{who}}：一直在运行的代码' },
  evSample: { en: 'another backtrace of CPU {{cpu}}: a second sample of the same loop', zh: 'CPU {{cpu}} 的另一次回溯：同一个循环的第二个采样' },
  evEarlier: { en: 'an earlier report: the lockup may be its consequence', zh: '更早的一个报告：lockup 可能是它的后果' },
  stepBtASpin: { en: 'crash> bt -a     (the spinning CPU and the holder of the lock)', zh: 'crash> bt -a（自旋的 CPU 以及持锁者）' },
  stepBtALoop: { en: 'crash> bt -a     (every CPU: whether others wait for this one)', zh: 'crash> bt -a（所有 CPU：有没有其他 CPU 在等这个 CPU）' },
  stepRdLock: { en: 'crash> rd {{lock}} 2     (the lock word: which CPU owns it)', zh: 'crash> rd {{lock}} 2（锁的值：被哪个 CPU 持有）' },
  stepDis: { en: 'crash> dis -l {{location}}     (the loop or lock around the sampled instruction)', zh: 'crash> dis -l {{location}}（采样指令附近的循环或锁）' },
  stepLockdep: { en: 'Check that every lock taken in interrupt context is taken with _irqsave everywhere else; reproduce with CONFIG_PROVE_LOCKING=y.', zh: '检查每一把会在中断上下文中获取的锁，在其他地方是否都用 _irqsave 获取；打开 CONFIG_PROVE_LOCKING=y 复现。' },
  stepIrqOff: { en: 'In {{who}}: find the local_irq_save()/spin_lock_irqsave() region around the loop; shorten it, bound the wait, or call touch_nmi_watchdog() in a loop that legitimately runs long with interrupts off.', zh: '在 {{who}} 中：找到循环外面的 local_irq_save()/spin_lock_irqsave() 区间；缩短它、给等待加上限，或者在确实需要长时间关中断运行的循环里调用 touch_nmi_watchdog()。' },
  stepEarlier: { en: 'crash> log | grep -n -m3 -E "BUG:|Oops|WARNING:"     (the earlier report this lockup may follow from)', zh: 'crash> log | grep -n -m3 -E "BUG:|Oops|WARNING:"（这次 lockup 可能由之而来的更早的报告）' },
  stepNoStack: { en: 'Boot with hardlockup_all_cpu_backtrace=1 (and kdump): the next lockup then prints the NMI backtrace of every CPU.', zh: '用 hardlockup_all_cpu_backtrace=1 启动（并配置 kdump）：下次 lockup 会打印每个 CPU 的 NMI 回溯。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Lockup {
  cpu: string | null;
  hits: Sighting[];
}

function cpuOf(s: Sighting): string | null {
  return s.match[1] ?? s.match[2] ?? s.match[3] ?? (s.report.cpu !== null ? String(s.report.cpu) : null);
}

/** Reports of one CPU are one lockup; a panic line right after a watchdog line is the same one. */
function lockups(hits: readonly Sighting[]): Lockup[] {
  const out: Lockup[] = [];
  for (const hit of hits) {
    const cpu = cpuOf(hit);
    const last = out[out.length - 1];
    const same = out.find((l) => cpu !== null && l.cpu === cpu) ?? (last && (cpu === null || last.cpu === null) && hit.header.no - last.hits[last.hits.length - 1].header.no < 200 ? last : null);
    if (same) {
      same.hits.push(hit);
      same.cpu ??= cpu;
    } else out.push({ cpu, hits: [hit] });
  }
  return out;
}

/** What the locked-up CPU ran, from one report: its stack after the NMI, else nothing. */
function stackOf(r: CrashReport): SampledStack | null {
  for (const t of r.traces) {
    const s = sampledStackOf(t, r);
    if (s.frames.length > 0) return s;
  }
  return null;
}

function who(b: Pick<Blame, 'function' | 'module'>): string | null {
  if (!b.function) return null;
  return b.module ? `${b.function} [${b.module}]` : b.function;
}

function earlierReport(ctx: RuleContext, first: Sighting): CrashReport | null {
  const before = ctx.analysis.reports.filter((x) => x.endLine < first.header.no && first.header.no - x.endLine < 300 && !/LOCKUP|lockup|stall/.test(x.title));
  return before[before.length - 1] ?? null;
}

export const hardLockup: Rule = {
  meta: {
    id: 'KT-hard-lockup',
    rootCauseClass: 'other',
    summary: { en: 'A CPU ran with interrupts disabled past the NMI watchdog threshold', zh: '某个 CPU 关中断运行的时间超过了 NMI watchdog 阈值' },
    docs: {
      en: `Looks for "NMI watchdog: Watchdog detected hard LOCKUP on cpu N" (with or without the
"Kernel panic - not syncing: Hard LOCKUP" that hardlockup_panic adds). The perf-based (or buddy)
watchdog found that the CPU's timer interrupt had not run for watchdog_thresh seconds: the CPU
was stuck with interrupts disabled (or in an NMI/SMI). The stack printed from the NMI is what
the CPU was doing; the RIP is only where it was sampled. The culprit is the owner of the loop:
the frame every sample of that CPU shares (repeated reports, NMI backtraces), else the first
frame above library leaves (delay loops, bitmap and list helpers). Most often it spins on a
spinlock taken with _irq/_irqsave whose holder cannot release it - this same CPU (an interrupt or
a nested call retaking a lock the interrupted code holds: AA deadlock) or another CPU waiting on
us. Otherwise a loop with interrupts off, or a hardware/hypervisor stall.
A fault printed just before (an oops whose printk deadlocks on a console or timer lock) makes
the lockup a symptom: read the first report in the log.
What to do: "bt -a" for all CPUs, the lock address in RDI of the spinning CPU, and which context
on which CPU took that lock; for a loop, its interrupts-off region.`,
      zh: `匹配 "NMI watchdog: Watchdog detected hard LOCKUP on cpu N"（不论后面有没有 hardlockup_panic 加上的
"Kernel panic - not syncing: Hard LOCKUP"）。基于 perf（或 buddy）的看门狗发现该 CPU 的时钟中断已经
watchdog_thresh 秒没有运行：CPU 在关中断状态下卡住了（或卡在 NMI/SMI 中）。从 NMI 打印出来的调用栈就是
CPU 当时在做的事；RIP 只是采样的位置。嫌疑函数是循环的拥有者：该 CPU 所有采样（重复报告、NMI 回溯）共有的
帧，否则是库函数叶子（延时循环、位图和链表操作）之上的第一个帧。最常见的是在一把用 _irq/_irqsave 获取的
自旋锁上自旋，而持锁者无法释放——持锁者就是本 CPU（中断或嵌套调用再次获取被打断代码已持有的锁：AA 死锁），
或者是另一个在等我们的 CPU。否则就是关中断的循环，或者硬件/虚拟化层的停顿。
如果之前刚打印过一次异常（oops 的 printk 在控制台锁或定时器锁上死锁），那么 lockup 只是症状：
先看日志中的第一个报告。
处理办法：用 "bt -a" 看所有 CPU，看自旋 CPU 的 RDI 中的锁地址，以及是哪个 CPU 上的哪个上下文拿了这把锁；
如果是循环，看它的关中断区间。`,
    },
    references: ['Documentation/admin-guide/lockup-watchdogs.rst', 'kernel/watchdog_perf.c'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const lockup of lockups(sightings(ctx, HEADER, { title: 'BUG: hard lockup', stop: STOP }))) {
      const first = lockup.hits[0];
      const cpuNo = lockup.cpu !== null ? Number(lockup.cpu) : null;
      // Every sample of the CPU: the reports' own stacks, then NMI backtraces of it printed in the same window.
      const withStack = lockup.hits.map((h) => ({ hit: h, stack: stackOf(h.report) })).filter((x): x is { hit: Sighting; stack: SampledStack } => x.stack !== null);
      // A panic line prints the same NMI's state again: only detections are independent samples.
      const detections = withStack.filter((x) => cpuOf(x.hit) !== null && !/Kernel panic/.test(x.hit.header.text));
      const lastLine = Math.max(...lockup.hits.map((h) => h.report.endLine));
      const backtraces = cpuBacktraces(ctx, first.header.no, lastLine + 100);
      const ownBacktraces = backtraces.filter((b) => cpuNo !== null && b.cpu === cpuNo && b.stack.frames.length > 0);
      const others = new Set(backtraces.filter((b) => b.cpu !== cpuNo).map((b) => b.cpu));
      const primary = withStack[0] ?? null;
      const stack = primary?.stack ?? ownBacktraces[0]?.stack ?? null;
      const samples = [...detections.filter((x) => x.stack !== stack).map((x) => sampleFrames(x.stack)), ...ownBacktraces.filter((b) => b.stack !== stack).map((b) => sampleFrames(b.stack))];
      const sampleReport = primary?.hit.report ?? ownBacktraces[0]?.report ?? first.report;
      const blame = stack ? blameFrames(sampleFrames(stack), { mode: 'lockup', detectedIn: stack.detectedIn, samples }) : null;
      const spin = stack ? spinningIn(stack, sampleReport.registers?.values.RDI ?? null, first.header.no) : null;
      const model = machineOf(ctx.analysis);
      const view = lockupView(model, cpuNo, spin?.lock ?? null);
      // A spinner's culprit is the code that took the lock, when the model confirms who holds it.
      const held = spin ? holderBlame(view) : null;
      const culprit = held ?? (blame && blame.function ? blame : null);
      const eflagsRaw = sampleReport.registers?.values.EFLAGS ?? sampleReport.registers?.values.RFLAGS ?? null;
      let irqsOff = false;
      try {
        irqsOff = eflagsRaw !== null && !decodeEflags(eflagsRaw).interruptsEnabled;
      } catch {
        irqsOff = false;
      }
      const earlier = earlierReport(ctx, first);
      const n = Math.max(1, lockup.hits.filter((h) => !/Kernel panic/.test(h.header.text)).length);
      const ip = stack?.detectedIn?.function ?? null;
      const data = {
        cpu: lockup.cpu ?? msg('cpuUnknown'), n, who: blame?.function ? who(blame) : culprit ? who(culprit) : null, holder: held ? who(held) : null, spinner: spin?.spinner.function ? baseName(spin.spinner.function) : null,
        lock: spin?.lock ?? null, location: culprit?.location ?? null, ip: ip ? baseName(ip) : null, title: earlier?.title ?? null,
        still: n > 1 ? msg('still', { n }) : null, eflags: irqsOff && eflagsRaw ? msg('eflags', { value: eflagsRaw }) : null, value: eflagsRaw,
      };
      const evidence: FindingDraft['evidence'] = [{ line: first.header.no, note: msg('evHeader', data) }];
      for (const h of lockup.hits.slice(1)) evidence.push({ line: h.header.no, note: msg(/Kernel panic/.test(h.header.text) ? 'evPanic' : 'evLater') });
      const ipLine = stack?.detectedIn?.line ?? null;
      if (ipLine !== null) evidence.push({ line: ipLine, note: msg('evRip') });
      const eflagsLine = sampleReport.registers?.lines.find((no) => eflagsRaw !== null && (ctx.line(no)?.text.includes(eflagsRaw) ?? false)) ?? null;
      if (irqsOff && eflagsLine !== null) evidence.push({ line: eflagsLine, note: msg('evEflags', data) });
      if (spin) evidence.push({ line: spin.spinner.line, note: msg('evSpinner', { spinner: data.spinner, lock: spin.lock ? msg('lockAt', { lock: spin.lock }) : null }) });
      if (culprit?.line !== null && culprit?.line !== undefined && culprit.line !== ipLine) evidence.push({ line: culprit.line, note: msg('evLoop', data) });
      for (const b of ownBacktraces.slice(primary ? 0 : 1, 3)) evidence.push({ line: b.line, note: msg('evSample', data) });
      if (earlier) evidence.push({ line: earlier.headerLine, note: msg('evEarlier') });
      evidence.push(...view.evidence);
      const paras: L10n[] = [msg('explainWatchdog', data)];
      if (n > 1) paras.push(msg('explainRepeats', data));
      if (!culprit) paras.push(msg('explainNoStack'));
      else if (spin) paras.push(msg('explainSpin', data));
      else paras.push(msg(ip && baseName(ip) === culprit.function ? 'explainLoopHere' : 'explainLoop', data));
      paras.push(...view.paragraphs);
      if (spin && others.size > 0 && !view.holder) paras.push(msg('explainOthers', { n: others.size }));
      if (earlier) paras.push(msg('explainEarlier', data));
      const nextSteps: L10n[] = [msg(spin ? 'stepBtASpin' : 'stepBtALoop')];
      if (spin?.lock) nextSteps.push(msg('stepRdLock', data));
      if (data.location) nextSteps.push(msg('stepDis', data));
      if (spin) nextSteps.push(msg('stepLockdep'));
      else if (culprit) nextSteps.push(msg('stepIrqOff', data));
      else nextSteps.push(msg('stepNoStack'));
      if (earlier) nextSteps.push(msg('stepEarlier'));
      const indices = lockup.hits.map((h) => h.index).filter((x): x is number => x !== null);
      const cls = spin ? view.holderClass ?? spinDeadlockClass(model, cpuNo) : 'other';
      out.push({
        report: indices[0],
        alsoExplains: indices.slice(1),
        rootCauseClass: cls,
        secondaryClasses: spin ? (['deadlock-abba', 'deadlock-aa'] as const).filter((x) => x !== cls).slice(0, 1) : ['irq-state-corruption'],
        confidence: spin ? (held ? 0.7 : 0.6) : culprit ? 0.55 : 0.45,
        summary: msg(!culprit ? 'summaryUnknown' : spin && held ? 'summarySpinHeld' : spin ? 'summarySpin' : 'summaryLoop', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: culprit ? culpritOfBlame(culprit) : null,
        nextSteps,
        facts: { cpu: cpuNo, reports: n, spinning: spin !== null, lockAddress: spin?.lock ?? null, interruptsDisabled: irqsOff, earlierReport: earlier?.title ?? null, lockHolder: view.holder?.function ?? null, blameBasis: culprit?.basis ?? null, samples: samples.length + (stack ? 1 : 0) },
      });
    }
    return out;
  },
};
