// RCU CPU/task stall warnings: what the stalled CPU kept running, and, when the grace-period kthread starved, what hogged its CPU.

import { paragraphs } from '../reports';
import type { CallTrace, CrashReport, LogLine } from '../../model/types';
import { baseName, blameFrames, culpritOfBlame, type Blame } from '../blame';
import { cpuBacktraces, ipiWaitIn, sampledStackOf, sampleFrames, sightings, withDetectionAt, type CpuBacktrace, type SampledStack, type Sighting } from '../facts';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';
import { spinningIn, type Spin } from './spinning';
import { machineOf, spinDeadlockClass } from '../../machine';
import { holderBlame, lockupView } from './machine-view';
import { readerOf } from './rcu-reader-preempted';

const HEADER = /\b(rcu_\w{1,16}) (self-detected stall on CPU|detected stalls? on CPUs?\/tasks|detected expedited stalls on CPUs\/tasks|detected stalls? on tasks)|\bINFO: (rcu_\w{1,16}) detected stall/;
const STOP = /rcu: INFO: |INFO: rcu_|BUG: soft lockup|Watchdog detected hard LOCKUP|Kernel panic - not syncing/;
/** "1-....: (1128 ticks this GP)" and the older "1-...!: (3 GPs behind)". */
const CPU_LINE = /^(?:rcu:)?\s{0,8}(\d{1,5})-[.\w!?]{0,8}: \(/;
/** The CPU list the header carries: "{ 2}", "{ 14-.... }", "{ 0 1 }". */
const CPU_SET = /\{\s{0,4}((?:\d{1,5}(?:-[.\w!?]{0,8})?[\s,]{0,4}){1,32})\}/;
const JIFFIES = /\bt=(\d{1,10}) jiffies/;
const STARVED = /(rcu_\w{1,16}) kthread starved for (\d{1,10}) jiffies!(?:.{0,160}?->cpu=(\d{1,5}))?/;
const ALL_QS = /All QSes seen(?:, last (rcu_\w{1,16}) kthread activity (\d{1,10}))?/;
const DETECTED_BY = /detected by (\d{1,5})/;
const TASK_DUMP = /Task dump for CPU (\d{1,5}):|NMI backtrace for cpu (\d{1,5})/;
const LAST_RAN = /Stack dump where RCU GP kthread last ran/;
const HOLDOUT = /^task:\S{1,64}\s+state:|holdout: \d/;

const messages = {
  summaryCpu: { en: 'RCU stall{{on}}{{self}}: {{who}} kept the CPU from passing a quiescent state{{still}}', zh: 'RCU 停滞{{on}}{{self}}：{{who}} 让 CPU 无法经过静止状态{{still}}' },
  summaryCpuSpinHeld: { en: 'RCU stall{{on}}{{self}}: {{who}} spins on a lock that {{holder}} holds and never releases{{still}}', zh: 'RCU 停滞{{on}}{{self}}：{{who}} 在一把锁上自旋，该锁被 {{holder}} 持有且始终不释放{{still}}' },
  summaryCpuSpin: { en: 'RCU stall{{on}}{{self}}: {{who}} spins on a lock that is never released{{still}}', zh: 'RCU 停滞{{on}}{{self}}：{{who}} 在一把始终不释放的锁上自旋{{still}}' },
  summaryCpuUnknown: { en: 'RCU stall{{on}}{{self}}: the log does not show what the stalled CPU was running{{still}}', zh: 'RCU 停滞{{on}}{{self}}：日志中没有显示停滞的 CPU 在运行什么{{still}}' },
  summaryIpiNamed: { en: 'RCU stall{{on}}{{self}}: {{ipi}}() waits for CPU {{blocker}} to answer a cross-CPU call, and CPU {{blocker}} {{doing}}{{still}}', zh: 'RCU 停滞{{on}}{{self}}：{{ipi}}() 在等 CPU {{blocker}} 响应跨 CPU 调用，而 CPU {{blocker}} {{doing}}{{still}}' },
  summaryIpi: { en: 'RCU stall{{on}}{{self}}: {{ipi}}() waits for another CPU to answer a cross-CPU call; the CPU that does not answer is the one to look at{{still}}', zh: 'RCU 停滞{{on}}{{self}}：{{ipi}}() 在等待另一个 CPU 响应跨 CPU 调用；该看的是没有响应的那个 CPU{{still}}' },
  onCpu: { en: ' on CPU {{cpus}}', zh: '（CPU {{cpus}}）' },
  summaryNoCpu: { en: 'RCU stall: the report names no stalled CPU, and the log shows no stack for one', zh: 'RCU 停滞：报告没有指出停滞的 CPU，日志中也没有相应的调用栈' },
  summaryTasks: { en: 'RCU-tasks stall: tasks held up the grace period by not scheduling voluntarily', zh: 'RCU-tasks 停滞：有任务一直不主动调度，拖住了宽限期' },
  summaryStarved: { en: 'The RCU grace-period kthread {{kthread}} starved for {{jiffies}} jiffies on CPU {{kcpu}}: {{who}} kept that CPU busy', zh: 'RCU 宽限期内核线程 {{kthread}} 在 CPU {{kcpu}} 上被饿了 {{jiffies}} 个 jiffies：{{who}} 一直占着这个 CPU' },
  summaryStarvedUnknown: { en: 'The RCU grace-period kthread {{kthread}} starved for {{jiffies}} jiffies on CPU {{kcpu}}: whatever ran there kept it from running, and the log does not show it', zh: 'RCU 宽限期内核线程 {{kthread}} 在 CPU {{kcpu}} 上被饿了 {{jiffies}} 个 jiffies：是那里运行的东西让它无法运行，日志中没有显示是什么' },
  summaryStarvedNoOwn: { en: 'The RCU grace-period kthread {{kthread}} starved for {{jiffies}} jiffies on CPU {{kcpu}}: whatever ran there kept it from running, and the stack printed for that CPU names no function of its own', zh: 'RCU 宽限期内核线程 {{kthread}} 在 CPU {{kcpu}} 上被饿了 {{jiffies}} 个 jiffies：是那里运行的东西让它无法运行，而为该 CPU 打印的调用栈中没有可归咎的函数' },
  summaryStarvedNoCpu: { en: 'The RCU grace-period kthread {{kthread}} starved for {{jiffies}} jiffies: it got no CPU time, so the grace period could not end', zh: 'RCU 宽限期内核线程 {{kthread}} 被饿了 {{jiffies}} 个 jiffies：它得不到 CPU 时间，宽限期无法结束' },
  summaryStarvedIpi: { en: 'The RCU grace-period kthread {{kthread}} starved for {{jiffies}} jiffies on CPU {{kcpu}}, which waits in {{ipi}}() for another CPU to answer a cross-CPU call: the CPU that does not answer is the one to look at', zh: 'RCU 宽限期内核线程 {{kthread}} 在 CPU {{kcpu}} 上被饿了 {{jiffies}} 个 jiffies，而该 CPU 正在 {{ipi}}() 中等待另一个 CPU 响应跨 CPU 调用：该看的是没有响应的那个 CPU' },
  explainStarvedIpi: { en: 'The grace-period kthread {{kthread}} did not run for {{jiffies}} jiffies{{allQs}}: a grace period cannot end while the kthread that drives it gets no CPU time. It last ran on CPU {{kcpu}}, and that CPU sits in {{ipi}}(), waiting with preemption disabled for another CPU to run a function it sent by IPI. The CPU that never answers runs with interrupts disabled; its stack, not this one, shows the cause.', zh: '宽限期内核线程 {{kthread}} 有 {{jiffies}} 个 jiffies 没有运行{{allQs}}：驱动宽限期的内核线程得不到 CPU 时间，宽限期就无法结束。它上次运行在 CPU {{kcpu}} 上，而该 CPU 停在 {{ipi}}() 中，关着抢占等待另一个 CPU 执行它通过 IPI 发去的函数。一直不响应的那个 CPU 正在关中断运行；要看的是它的调用栈，而不是这个。' },
  selfTag: { en: ' (self-detected)', zh: '（自检）' },
  still: { en: ' (still stalled at the later reports: {{n}} reports of the same stall)', zh: '（之后的报告中仍在停滞：同一次停滞共报告了 {{n}} 次）' },
  explainSelf: { en: 'The stalled CPU detected the stall itself, so the stack it printed after the timer interrupt is what it was running: {{who}}.', zh: '停滞的 CPU 自己检测到了停滞，所以它在时钟中断之后打印的调用栈就是它当时在运行的代码：{{who}}。' },
  explainSelfNoStack: { en: 'The stalled CPU detected the stall itself, but the stack it printed shows no function of its own.', zh: '停滞的 CPU 自己检测到了停滞，但它打印的调用栈中没有可归咎的函数。' },
  explainIpi: { en: 'The stalled CPU is in {{ipi}}(), which sends an IPI and waits until the target CPU has run the function. It is not looping by itself: the target CPU has interrupts disabled, or is stuck with them off, and never answers. That CPU\'s stack (its NMI backtrace, crash "bt -a") shows the cause.', zh: '停滞的 CPU 位于 {{ipi}}()：它发出 IPI 并等待目标 CPU 执行完函数。它本身并没有死循环：是目标 CPU 关着中断（或关着中断卡住了）、始终不响应。要看那个 CPU 的调用栈（它的 NMI 回溯、crash 的 bt -a）才能找到原因。' },
  stepCsd: { en: 'Boot with csdlock_debug=1 (CONFIG_CSD_LOCK_WAIT_DEBUG): the kernel then names the CPU that does not answer and prints its stack.', zh: '用 csdlock_debug=1 启动（CONFIG_CSD_LOCK_WAIT_DEBUG）：内核会指出不响应的 CPU 并打印它的调用栈。' },
  stepBtAIpi: { en: 'crash> bt -a     (the CPU that does not answer the IPI: it runs with interrupts off)', zh: 'crash> bt -a（不响应 IPI 的那个 CPU：它在关中断运行）' },
  explainOther: { en: 'Another CPU detected that CPU {{cpus}} did not report a quiescent state; the backtrace of the stalled CPU shows it running {{who}}.', zh: '另一个 CPU 检测到 CPU {{cpus}} 没有上报静止状态；停滞 CPU 的回溯显示它在运行 {{who}}。' },
  explainOtherNoStack: { en: 'Another CPU detected that CPU {{cpus}} did not report a quiescent state, but the log has no usable backtrace of the stalled CPU (NMI backtraces were not printed, were cut, or show no function of their own).', zh: '另一个 CPU 检测到 CPU {{cpus}} 没有上报静止状态，但日志中没有停滞 CPU 的可用回溯（NMI 回溯没有打印、被截断，或者其中没有可归咎的函数）。' },
  explainTasks: { en: 'An RCU-tasks grace period waits for every task to schedule voluntarily or go to user space; the listed tasks did not (they loop in the kernel, or are preempted inside a trampoline).', zh: 'RCU-tasks 宽限期要等每个任务主动调度或回到用户态；列出的任务没有这样做（它们在内核中循环，或者在 trampoline 中被抢占）。' },
  explainRepeats: { en: 'The same stall was reported {{n}} times: it never ended, and the frame every sample shares is what kept running.', zh: '同一次停滞被报告了 {{n}} 次：它一直没有结束，所有采样共有的帧就是一直在运行的代码。' },
  explainSpin: { en: 'The stalled context spins in {{spinner}}, called from {{who}}: a lock that is not released, either a deadlock with another CPU or a holder that is itself stuck.', zh: '停滞的上下文在 {{spinner}} 中自旋，由 {{who}} 调用：这把锁一直不释放——要么和另一个 CPU 死锁，要么持锁者自己卡住了。' },
  explainLoop: { en: 'A CPU stays out of a quiescent state when it loops in the kernel with preemption, interrupts or bottom halves disabled, or inside rcu_read_lock(): a long loop without cond_resched(), a retry loop waiting for a condition that never comes, a walk of a corrupted (cyclic) list, or a flood of interrupts or softirqs. {{who}} owns the loop; the sampled instruction ({{ip}}) is only where it was.', zh: 'CPU 在关抢占、关中断或关 BH 的情况下（或在 rcu_read_lock() 内）在内核中循环，就会一直无法进入静止状态：长循环缺少 cond_resched()、重试循环等待一个永远不会出现的条件、遍历被破坏（成环）的链表，或者中断/软中断风暴。{{who}} 是这个循环的拥有者；采样到的指令（{{ip}}）只是它恰好所在的位置。' },
  explainLoopHere: { en: 'A CPU stays out of a quiescent state when it loops in the kernel with preemption, interrupts or bottom halves disabled, or inside rcu_read_lock(): a long loop without cond_resched(), a retry loop waiting for a condition that never comes, a walk of a corrupted (cyclic) list, or a flood of interrupts or softirqs. The sampled instruction is in {{who}} itself: that function is the loop.', zh: 'CPU 在关抢占、关中断或关 BH 的情况下（或在 rcu_read_lock() 内）在内核中循环，就会一直无法进入静止状态：长循环缺少 cond_resched()、重试循环等待一个永远不会出现的条件、遍历被破坏（成环）的链表，或者中断/软中断风暴。采样到的指令就在 {{who}} 本身：这个函数就是那个循环。' },
  explainStarved: { en: 'The grace-period kthread {{kthread}} did not run for {{jiffies}} jiffies{{allQs}}: a grace period cannot end while the kthread that drives it gets no CPU time. It last ran on CPU {{kcpu}}, so whatever ran there kept it off: {{who}}. RCU itself is the victim, not the cause.', zh: '宽限期内核线程 {{kthread}} 有 {{jiffies}} 个 jiffies 没有运行{{allQs}}：驱动宽限期的内核线程得不到 CPU 时间，宽限期就无法结束。它上次运行在 CPU {{kcpu}} 上，所以是那里运行的东西让它无法运行：{{who}}。RCU 本身是受害者，而不是原因。' },
  explainStarvedUnknown: { en: 'The grace-period kthread {{kthread}} did not run for {{jiffies}} jiffies{{allQs}}: a grace period cannot end while the kthread that drives it gets no CPU time. It last ran on CPU {{kcpu}}, and the log does not show what that CPU was running: look for a CPU-bound loop there, a real-time task, or an overcommitted host. RCU itself is the victim, not the cause.', zh: '宽限期内核线程 {{kthread}} 有 {{jiffies}} 个 jiffies 没有运行{{allQs}}：驱动宽限期的内核线程得不到 CPU 时间，宽限期就无法结束。它上次运行在 CPU {{kcpu}} 上，而日志中没有显示那个 CPU 在运行什么：查那里有没有不让出 CPU 的循环、实时任务，或者宿主机超卖。RCU 本身是受害者，而不是原因。' },
  explainStarvedNoOwn: { en: 'The grace-period kthread {{kthread}} did not run for {{jiffies}} jiffies{{allQs}}: a grace period cannot end while the kthread that drives it gets no CPU time. It last ran on CPU {{kcpu}}, and the stack printed for that CPU shows only scheduler or entry code: look for a CPU-bound loop there, a real-time task, or an overcommitted host. RCU itself is the victim, not the cause.', zh: '宽限期内核线程 {{kthread}} 有 {{jiffies}} 个 jiffies 没有运行{{allQs}}：驱动宽限期的内核线程得不到 CPU 时间，宽限期就无法结束。它上次运行在 CPU {{kcpu}} 上，而为该 CPU 打印的调用栈只有调度器或入口代码：查那里有没有不让出 CPU 的循环、实时任务，或者宿主机超卖。RCU 本身是受害者，而不是原因。' },
  explainStarvedNoCpu: { en: 'The grace-period kthread {{kthread}} did not run for {{jiffies}} jiffies{{allQs}}: a grace period cannot end while the kthread that drives it gets no CPU time. The log does not say where it last ran; whatever hogged the CPUs (a CPU-bound loop, a real-time task, an overcommitted host) is the cause, not RCU.', zh: '宽限期内核线程 {{kthread}} 有 {{jiffies}} 个 jiffies 没有运行{{allQs}}：驱动宽限期的内核线程得不到 CPU 时间，宽限期就无法结束。日志没有说明它上次运行在哪里；原因是占满 CPU 的东西（不让出 CPU 的循环、实时任务、宿主机超卖），而不是 RCU。' },
  allQs: { en: ' although every CPU had already passed a quiescent state ("All QSes seen")', zh: '，尽管所有 CPU 都已经经过了静止状态（"All QSes seen"）' },
  explainStarvedSame: { en: 'The grace-period kthread {{kthread}} was starved for {{jiffies}} jiffies on CPU {{kcpu}}, the stalled CPU itself: the same code that stalled the CPU kept the kthread from running.', zh: '宽限期内核线程 {{kthread}} 在 CPU {{kcpu}}（也就是停滞的 CPU 本身）上被饿了 {{jiffies}} 个 jiffies：让 CPU 停滞的同一段代码也让该内核线程无法运行。' },
  explainStarvedAlso: { en: 'The grace-period kthread {{kthread}} was also starved for {{jiffies}} jiffies, on CPU {{kcpu}}: a separate finding says what kept it from running.', zh: '宽限期内核线程 {{kthread}} 也被饿了 {{jiffies}} 个 jiffies（在 CPU {{kcpu}} 上）：另一条结论说明了是什么让它无法运行。' },
  explainStarvedLikely: { en: 'The grace-period kthread {{kthread}} was starved for {{jiffies}} jiffies too, and the report does not say on which CPU: the code that kept this CPU busy is the likely reason.', zh: '宽限期内核线程 {{kthread}} 也被饿了 {{jiffies}} 个 jiffies，报告没有说明是在哪个 CPU 上：最可能的原因就是一直占着这个 CPU 的代码。' },
  explainStarvedMinor: { en: 'The grace-period kthread {{kthread}} was starved for {{jiffies}} jiffies too, less than the stall lasted: a consequence of the stall rather than its cause.', zh: '宽限期内核线程 {{kthread}} 也被饿了 {{jiffies}} 个 jiffies，比停滞持续的时间短：这是停滞的后果而不是原因。' },
  explainOtherNoCpu: { en: 'Another CPU detected the stall, but the report names no stalled CPU and the log shows no stack for one.', zh: '另一个 CPU 检测到了停滞，但报告没有指出停滞的 CPU，日志中也没有相应的调用栈。' },
  evSelf: { en: 'the CPU detected its own stall', zh: '该 CPU 自己检测到了停滞' },
  evOther: { en: 'another CPU detected the stall', zh: '由其他 CPU 检测到的停滞' },
  evTasks: { en: 'tasks holding up an RCU-tasks grace period', zh: '拖住 RCU-tasks 宽限期的任务' },
  evCpu: { en: 'CPU {{cpu}} did not pass a quiescent state', zh: 'CPU {{cpu}} 没有经过静止状态' },
  evBacktrace: { en: 'the backtrace of CPU {{cpu}}', zh: 'CPU {{cpu}} 的回溯' },
  evTask: { en: 'a task holding up the grace period', zh: '拖住宽限期的任务' },
  evStarved: { en: 'the grace-period kthread did not get CPU time', zh: '宽限期内核线程得不到 CPU 时间' },
  evAllQs: { en: 'every CPU had passed a quiescent state: only the kthread is missing', zh: '所有 CPU 都已经经过了静止状态：只差这个内核线程' },
  evHog: { en: 'CPU {{cpu}}, where the kthread last ran: what kept it busy', zh: 'CPU {{cpu}}，该内核线程上次运行的地方：是什么一直占着它' },
  evSpinner: { en: '{{spinner}}: spinning on a lock', zh: '{{spinner}}：在锁上自旋' },
  evLoop: { en: '{{who}}: what the stalled CPU kept running', zh: '{{who}}：停滞的 CPU 一直在运行的代码' },
  evHogWho: { en: '{{who}}: what kept the kthread\'s CPU busy', zh: '{{who}}：一直占着该内核线程所在 CPU 的代码' },
  evLater: { en: 'the same stall, still going', zh: '同一次停滞，仍在持续' },
  stepBtA: { en: 'crash> bt -a     (each stalled CPU, and who holds what it waits for)', zh: 'crash> bt -a（每个停滞的 CPU，以及它所等待资源的持有者）' },
  stepDis: { en: 'crash> dis -l {{location}}     (the loop or lock the CPU was stuck in)', zh: 'crash> dis -l {{location}}（CPU 卡住的循环或锁）' },
  stepLoop: { en: 'In {{who}}: bound the loop or call cond_resched() in it; if it walks a list, check the structure (CONFIG_DEBUG_LIST); CONFIG_PROVE_RCU reports rcu_read_lock() misuse.', zh: '在 {{who}} 中：限制循环次数或在其中调用 cond_resched()；如果它在遍历链表，检查数据结构（CONFIG_DEBUG_LIST）；CONFIG_PROVE_RCU 会报告 rcu_read_lock() 的误用。' },
  stepSpin: { en: 'Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports a lock-order problem before it deadlocks.', zh: '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在真正死锁之前报告锁顺序问题。' },
  stepStarved: { en: 'Check what runs on CPU {{kcpu}}: crash> bt -c {{kcpu}}, real-time tasks (ps -l, chrt -p), and on a VM the host\'s steal time (top/vmstat "st") and CPU overcommit.', zh: '检查 CPU {{kcpu}} 上运行着什么：crash> bt -c {{kcpu}}、实时任务（ps -l、chrt -p），如果是虚拟机，还要看宿主机的 steal time（top/vmstat 的 "st"）和 CPU 超卖。' },
  stepStarvedNoCpu: { en: 'Check what hogs the CPUs: real-time tasks (ps -l, chrt -p), and on a VM the host\'s steal time (top/vmstat "st") and CPU overcommit; rcutree.kthread_prio= raises the kthread\'s priority.', zh: '检查是什么占满了 CPU：实时任务（ps -l、chrt -p），如果是虚拟机，还要看宿主机的 steal time（top/vmstat 的 "st"）和 CPU 超卖；rcutree.kthread_prio= 可以提高该内核线程的优先级。' },
  stepTasks: { en: 'crash> foreach bt     (the holdout tasks: where each one runs without scheduling)', zh: 'crash> foreach bt（拖住宽限期的任务：每个任务在哪里一直不调度）' },
  stepNoStack: { en: 'Capture a vmcore at the next stall (panic_on_rcu_stall=1 with kdump) and run bt -a: the stalled CPU\'s stack is missing from this log.', zh: '下次停滞时抓取 vmcore（配置 kdump 并设置 panic_on_rcu_stall=1），然后运行 bt -a：这份日志里缺少停滞 CPU 的调用栈。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Stall {
  hits: Sighting[];
  self: boolean;
  tasks: boolean;
  cpus: number[];
  cpuLines: LogLine[];
  jiffies: number | null;
  starved: { kthread: string; jiffies: number; cpu: number | null; line: number } | null;
  allQs: LogLine | null;
  detectedBy: number | null;
  lastRan: LogLine | null;
  holdouts: LogLine[];
  from: number;
  to: number;
}

function linesBetween(ctx: RuleContext, from: number, to: number, re: RegExp, limit: number): LogLine[] {
  const out: LogLine[] = [];
  for (let no = from; no <= to && out.length < limit; no++) {
    const l = ctx.line(no);
    if (l && re.test(l.text)) out.push(l);
  }
  return out;
}

function readStall(ctx: RuleContext, s: Sighting, next: Sighting | undefined): Stall {
  const h = s.header;
  const to = Math.min(next ? next.header.no - 1 : Number.MAX_SAFE_INTEGER, Math.max(s.report.endLine, h.no + 40) + 150);
  const head = linesBetween(ctx, h.no, Math.min(to, h.no + 24), /./, 25);
  const cpuLines = head.filter((l) => l.no > h.no && CPU_LINE.test(l.text)).slice(0, 16);
  const cpus = new Set<number>(cpuLines.map((l) => Number(CPU_LINE.exec(l.text)?.[1])));
  const set = CPU_SET.exec(h.text);
  if (set) for (const x of ` ${set[1]}`.matchAll(/[\s,](\d{1,5})/g)) cpus.add(Number(x[1]));
  const self = /self-detected/.test(h.text);
  if (self && cpus.size === 0 && s.report.cpu !== null) cpus.add(s.report.cpu);
  // Old self-detected reports name the CPU only in the task dump that follows.
  const dump = self && cpus.size === 0 ? linesBetween(ctx, h.no + 1, Math.min(to, h.no + 40), TASK_DUMP, 1)[0] : undefined;
  if (dump) cpus.add(Number(TASK_DUMP.exec(dump.text)?.[1] ?? TASK_DUMP.exec(dump.text)?.[2]));
  const jl = head.find((l) => JIFFIES.test(l.text));
  const allQs = head.find((l) => ALL_QS.test(l.text)) ?? null;
  const qm = allQs ? ALL_QS.exec(allQs.text) : null;
  const byLine = head.find((l) => DETECTED_BY.test(l.text));
  const detectedBy = byLine ? Number(DETECTED_BY.exec(byLine.text)?.[1]) : null;
  const starvedLine = linesBetween(ctx, h.no, to, STARVED, 1)[0] ?? null;
  const sm = starvedLine ? STARVED.exec(starvedLine.text) : null;
  // "All QSes seen" with no starvation line: the kthread that should end the grace period is not running either.
  const starved = sm && starvedLine ? { kthread: sm[1], jiffies: Number(sm[2]), cpu: sm[3] !== undefined ? Number(sm[3]) : null, line: starvedLine.no }
    : qm && qm[1] && allQs ? { kthread: qm[1], jiffies: Number(qm[2]), cpu: detectedBy, line: allQs.no } : null;
  return {
    hits: [s],
    self,
    tasks: /on tasks/.test(h.text),
    cpus: [...cpus].filter((n) => Number.isFinite(n)).sort((a, b) => a - b),
    cpuLines,
    jiffies: jl ? Number(JIFFIES.exec(jl.text)?.[1]) : null,
    starved,
    allQs,
    detectedBy,
    lastRan: linesBetween(ctx, h.no, to, LAST_RAN, 1)[0] ?? null,
    holdouts: /on tasks/.test(h.text) ? linesBetween(ctx, h.no + 1, to, HOLDOUT, 3) : [],
    from: h.no,
    to,
  };
}

/** Repeated reports of the same stalled CPUs are one stall still going. */
function stalls(ctx: RuleContext, hits: readonly Sighting[]): Stall[] {
  const out: Stall[] = [];
  hits.forEach((s, i) => {
    const st = readStall(ctx, s, hits[i + 1]);
    const key = st.cpus.join(',');
    const prev = out[out.length - 1];
    if (prev && key !== '' && prev.cpus.join(',') === key && prev.tasks === st.tasks) {
      prev.hits.push(s);
      prev.to = st.to;
      prev.starved ??= st.starved;
      prev.allQs ??= st.allQs;
      prev.lastRan ??= st.lastRan;
      prev.self ||= st.self;
    } else out.push(st);
  });
  return out;
}

/** A trace of the grace-period kthread itself ("RCU grace-period kthread stack dump"), never the stalled CPU's. */
function isGpKthreadDump(t: CallTrace): boolean {
  return t.segments.some((s) => s.frames.some((f) => f.function !== null && /^rcu_gp_\w+$|^rcu_gp_kthread$/.test(baseName(f.function))));
}

/** The stalled CPU's stack in one report: its own stack after the timer interrupt (self-detected), without the kthread dump. */
function ownStack(r: CrashReport): SampledStack | null {
  for (const t of r.traces) {
    if (isGpKthreadDump(t)) continue;
    const s = sampledStackOf(t, r);
    if (s.frames.length > 0 || s.detectedIn) return s;
  }
  return null;
}

function who(b: Pick<Blame, 'function' | 'module'> | null): string | null {
  if (!b?.function) return null;
  return b.module ? `${b.function} [${b.module}]` : b.function;
}

interface Sample {
  stack: SampledStack;
  line: number;
  report: CrashReport;
}

/** Every sample of one CPU in a stall's window: its NMI backtraces and task dumps, else (self-detected) each report's own stack. */
function samplesOf(st: Stall, cpu: number, backtraces: readonly CpuBacktrace[]): Sample[] {
  const out: Sample[] = backtraces.filter((b) => b.cpu === cpu && !(st.lastRan && b.line > st.lastRan.no && st.starved?.cpu === cpu && !st.cpus.includes(cpu))).map((b) => ({ stack: withDetectionAt(b.stack, titleFrameAt(st, b.line)), line: b.line, report: b.report }));
  if (st.self) {
    for (const h of st.hits) {
      if (out.some((x) => x.line >= h.report.startLine && x.line <= h.report.endLine)) continue;
      const s = ownStack(h.report);
      if (s) out.push({ stack: s, line: h.header.no, report: h.report });
    }
  }
  return out.filter((x) => x.stack.frames.length > 0 || x.stack.detectedIn !== null).sort((a, b) => a.line - b.line);
}

/** The title frame of the report a backtrace line belongs to: where the title layer says the stall was detected. */
function titleFrameAt(st: Stall, line: number): string | null {
  return st.hits.find((h) => line >= h.report.startLine && line <= h.report.endLine)?.report.frame ?? null;
}

function blameSamples(samples: readonly Sample[]): { blame: Blame | null; spin: Spin | null; sample: Sample | null } {
  const sample = samples[0] ?? null;
  if (!sample) return { blame: null, spin: null, sample: null };
  const blame = blameFrames(sampleFrames(sample.stack), { mode: 'lockup', detectedIn: sample.stack.detectedIn, samples: samples.slice(1).map((s) => sampleFrames(s.stack)) });
  const spin = spinningIn(sample.stack, sample.report.registers?.values.RDI ?? null, sample.line);
  return { blame: blame.function ? blame : null, spin, sample };
}

export const rcuStall: Rule = {
  meta: {
    id: 'KT-rcu-stall',
    rootCauseClass: 'other',
    summary: { en: 'An RCU grace period stalled: a CPU or task stayed in an RCU read-side critical section (or never scheduled) for too long, or the grace-period kthread got no CPU time', zh: 'RCU 宽限期停滞：某个 CPU 或任务在 RCU 读临界区中停留过久（或一直不调度），或者宽限期内核线程得不到 CPU 时间' },
    docs: {
      en: `Looks for "rcu: INFO: rcu_preempt self-detected stall on CPU", "... detected stalls on CPUs/tasks:",
"... detected expedited stalls on CPUs/tasks" and "rcu_tasks detected stalls on tasks". A grace period
could not end because some CPU did not pass through a quiescent state (it did not schedule, or ran
with preemption/interrupts/BH disabled) or some task stayed inside rcu_read_lock() for ~21 s
(rcu_cpu_stall_timeout).
The stalled CPU's stack is what counts: "self-detected" prints it after the timer interrupt; when
another CPU detected the stall, the NMI backtrace (or task dump) of each listed CPU ("N-....:")
shows it. The RIP is only where the sample fell: the culprit is the owner of the loop, the frame
every sample of that CPU shares (repeated reports of the same stall, several backtraces), else the
first frame above library leaves. A second report of the same CPU is the same stall still going.
"rcu_preempt kthread starved for N jiffies" is a separate cause: the grace-period kthread got no
CPU time ("All QSes seen" says every CPU had reported), so whatever ran on the CPU it last ran on
("->cpu=K", "Stack dump where RCU GP kthread last ran") is the culprit, not RCU.
What to do: read the stalled CPU's backtrace, "bt -a" in a vmcore, and fix the loop or lock; for a
starved kthread, what hogs its CPU (a loop, a real-time task, an overcommitted host).`,
      zh: `匹配 "rcu: INFO: rcu_preempt self-detected stall on CPU"、"... detected stalls on CPUs/tasks:"、
"... detected expedited stalls on CPUs/tasks" 以及 "rcu_tasks detected stalls on tasks"。宽限期无法结束，
是因为某个 CPU 一直没有经过静止状态（不调度，或关着抢占/中断/BH 运行），或某个任务在 rcu_read_lock()
中停留了约 21 秒（rcu_cpu_stall_timeout）。
要看的是停滞 CPU 的调用栈："self-detected" 会在时钟中断之后打印它；由其他 CPU 检测到时，每个列出的 CPU
（"N-....:"）的 NMI 回溯（或 task dump）给出了它在做什么。RIP 只是采样恰好落在的位置：嫌疑函数是循环的
拥有者，也就是该 CPU 所有采样（同一次停滞的重复报告、多次回溯）共有的帧，否则是库函数叶子之上的第一个帧。
同一个 CPU 的第二次报告是同一次停滞仍在持续。
"rcu_preempt kthread starved for N jiffies" 是另一种原因：宽限期内核线程得不到 CPU 时间（"All QSes seen"
表示所有 CPU 都已上报），所以嫌疑是它上次运行的 CPU（"->cpu=K"、"Stack dump where RCU GP kthread last ran"）
上运行的东西，而不是 RCU。
处理办法：读停滞 CPU 的回溯，有 vmcore 时用 "bt -a"，然后修掉那个循环或锁；如果是内核线程被饿，查是什么占着
它的 CPU（循环、实时任务、宿主机超卖）。`,
    },
    references: ['Documentation/RCU/stallwarn.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const st of stalls(ctx, sightings(ctx, HEADER, { title: 'INFO: rcu detected stall', stop: STOP }))) {
      const first = st.hits[0];
      const n = st.hits.length;
      const backtraces = cpuBacktraces(ctx, st.from, st.to);
      const stalledCpu = st.cpus[0] ?? null;
      const stalled = stalledCpu !== null ? blameSamples(samplesOf(st, stalledCpu, backtraces)) : st.self ? blameSamples(st.hits.map((h) => ({ stack: ownStack(h.report), line: h.header.no, report: h.report })).filter((x): x is Sample => x.stack !== null)) : { blame: null, spin: null, sample: null };
      const starved = st.starved;
      const kcpu = starved?.cpu ?? null;
      // Starvation is the cause when every CPU had reported, when no CPU is listed, or when it lasted about as long as the stall.
      const starvationCause = starved !== null && (st.allQs !== null || st.cpus.length === 0 || st.jiffies === null || starved.jiffies * 2 >= st.jiffies);
      const starvedOnStalled = starvationCause && kcpu !== null && st.cpus.includes(kcpu);
      const hogSamples: Sample[] = kcpu !== null && !starvedOnStalled ? backtraces.filter((b) => b.cpu === kcpu && (st.lastRan === null || b.line > st.lastRan.no)).map((b) => ({ stack: b.stack, line: b.line, report: b.report })) : [];
      // With every CPU reported, the stack printed with the report is the current task of the CPU that detected it.
      if (hogSamples.length === 0 && st.allQs && kcpu !== null && kcpu === st.detectedBy) {
        const own = ownStack(first.report);
        if (own) hogSamples.push({ stack: own, line: st.allQs.no, report: first.report });
      }
      const hogRaw = hogSamples.length > 0 ? blameSamples(hogSamples.map((x) => ({ ...x, stack: withDetectionAt(x.stack, titleFrameAt(st, x.line)) }))) : { blame: null, spin: null, sample: null };
      // The kthread's CPU itself waits for another CPU to answer an IPI: that other CPU is the hog's cause.
      const hogIpi = hogRaw.sample && !hogRaw.spin ? ipiWaitIn(hogRaw.sample.stack) : null;
      const hog = hogIpi ? { ...hogRaw, blame: null } : hogRaw;
      const indices = st.hits.map((h) => h.index).filter((x): x is number => x !== null);
      const cpus = st.cpus.length > 0 ? st.cpus.join(', ') : null;
      const ip = stalled.sample?.stack.detectedIn?.function ?? null;
      // Waiting for an IPI answer: the stuck CPU is another one, this one only waits for it.
      const waitFn = stalled.sample && !stalled.spin ? ipiWaitIn(stalled.sample.stack) : null;
      const ipiWait = waitFn !== null;
      const model = machineOf(ctx.analysis);
      const viewCpu = stalledCpu ?? (st.self ? first.report.cpu : null);
      const view = lockupView(model, viewCpu, stalled.spin?.lock ?? null);
      // A spinner's culprit is the code that took the lock, when the model confirms its holder; an IPI waiter's is the CPU it waits for.
      const held = stalled.spin ? holderBlame(view) : null;
      const c = ipiWait ? view.blocker?.blame ?? null : held ?? stalled.blame;
      // What the stalled CPU itself runs (its explanation), apart from the culprit (a holder, or the CPU it waits for).
      const own = ipiWait ? null : stalled.blame;
      const data = {
        cpus, on: cpus ? msg('onCpu', { cpus }) : null, ipi: waitFn ? baseName(waitFn) : null, self: st.self ? msg('selfTag') : null, who: who(own), holder: held ? who(held) : null, n, still: n > 1 ? msg('still', { n }) : null,
        spinner: stalled.spin?.spinner.function ? baseName(stalled.spin.spinner.function) : null, ip: ip ? baseName(ip) : null, location: ipiWait ? null : c?.location ?? null,
        kthread: starved?.kthread ?? null, jiffies: starved?.jiffies ?? null, kcpu, allQs: st.allQs ? msg('allQs') : null,
        blocker: view.blocker?.cpu ?? null, doing: view.blocker?.doing ?? null,
      };
      const headerNote = msg(st.tasks ? 'evTasks' : st.self ? 'evSelf' : 'evOther');
      const baseEvidence = (): FindingDraft['evidence'] => {
        const ev: FindingDraft['evidence'] = [{ line: first.header.no, note: headerNote }];
        for (const h of st.hits.slice(1)) ev.push({ line: h.header.no, note: msg('evLater') });
        return ev;
      };
      const starvedFinding = (primary: boolean): FindingDraft | null => {
        if (!starved) return null;
        const hc = hog.blame;
        const evidence = baseEvidence();
        evidence.push({ line: starved.line, note: msg('evStarved') });
        if (st.allQs) evidence.push({ line: st.allQs.no, note: msg('evAllQs') });
        if (hog.sample) evidence.push({ line: hog.sample.line, note: msg('evHog', { cpu: kcpu }) });
        if (hc?.line !== null && hc?.line !== undefined) evidence.push({ line: hc.line, note: msg('evHogWho', { who: who(hc) }) });
        const hdata = { ...data, who: who(hc), location: hc?.location ?? null, ipi: hogIpi ? baseName(hogIpi) : null };
        const explanation = kcpu === null ? msg('explainStarvedNoCpu', hdata) : hogIpi ? msg('explainStarvedIpi', hdata) : hc ? msg('explainStarved', hdata) : hog.sample ? msg('explainStarvedNoOwn', hdata) : msg('explainStarvedUnknown', hdata);
        const nextSteps: L10n[] = [];
        if (hc?.location) nextSteps.push(msg('stepDis', hdata));
        if (hc) nextSteps.push(msg('stepLoop', hdata));
        if (hogIpi) nextSteps.push(msg('stepBtAIpi'), msg('stepCsd'));
        else nextSteps.push(kcpu !== null ? msg('stepStarved', hdata) : msg('stepStarvedNoCpu'));
        return {
          report: indices[0],
          alsoExplains: indices.slice(1),
          rootCauseClass: hog.spin ? spinDeadlockClass(machineOf(ctx.analysis), kcpu) : 'other',
          confidence: primary ? (hc ? 0.62 : 0.5) : hc ? 0.58 : 0.45,
          summary: kcpu === null ? msg('summaryStarvedNoCpu', hdata) : hogIpi ? msg('summaryStarvedIpi', hdata) : hc ? msg('summaryStarved', hdata) : hog.sample ? msg('summaryStarvedNoOwn', hdata) : msg('summaryStarvedUnknown', hdata),
          explanation,
          evidence,
          culprit: hc ? culpritOfBlame(hc) : null,
          nextSteps,
          facts: { kthreadStarved: true, starvedJiffies: starved.jiffies, kthreadCpu: kcpu, allQsSeen: st.allQs !== null, stalledCpus: st.cpus, blameBasis: hc?.basis ?? null },
        };
      };
      // Every CPU reported, or no CPU is listed: the kthread's starvation is the whole story.
      if (starvationCause && !starvedOnStalled && (st.allQs !== null || (st.cpus.length === 0 && !st.tasks && !st.self))) {
        const f = starvedFinding(true);
        if (f) out.push(f);
        continue;
      }
      // Held up by a preempted reader alone: KT-rcu-reader-preempted says which task, and what keeps it off its CPU.
      if (!st.tasks && st.cpus.length === 0 && !c && !starved && readerOf(model) !== null) continue;
      const evidence = baseEvidence();
      for (const l of st.cpuLines.slice(0, 3)) evidence.push({ line: l.no, note: msg('evCpu', { cpu: Number(CPU_LINE.exec(l.text)?.[1]) }) });
      for (const l of st.holdouts.slice(0, 2)) evidence.push({ line: l.no, note: msg('evTask') });
      if (stalled.sample && !st.self) evidence.push({ line: stalled.sample.line, note: msg('evBacktrace', { cpu: stalledCpu }) });
      if (stalled.spin) evidence.push({ line: stalled.spin.spinner.line, note: msg('evSpinner', data) });
      if (own?.line !== null && own?.line !== undefined) evidence.push({ line: own.line, note: msg('evLoop', data) });
      if (starved) evidence.push({ line: starved.line, note: msg('evStarved') });
      evidence.push(...view.evidence);
      const paras: L10n[] = [];
      if (st.tasks) paras.push(msg('explainTasks'));
      else if (st.self) paras.push(own ? msg('explainSelf', data) : msg('explainSelfNoStack'));
      else paras.push(own ? msg('explainOther', data) : cpus ? msg('explainOtherNoStack', data) : msg('explainOtherNoCpu'));
      if (n > 1) paras.push(msg('explainRepeats', data));
      if (ipiWait) paras.push(msg('explainIpi', data));
      else if (own) paras.push(stalled.spin ? msg('explainSpin', data) : msg(ip && baseName(ip) === own.function ? 'explainLoopHere' : 'explainLoop', data));
      paras.push(...view.paragraphs);
      if (starved) paras.push(msg(starvedOnStalled ? 'explainStarvedSame' : starvationCause && kcpu === null ? 'explainStarvedLikely' : starvationCause ? 'explainStarvedAlso' : 'explainStarvedMinor', data));
      const nextSteps: L10n[] = [st.tasks ? msg('stepTasks') : ipiWait ? msg('stepBtAIpi') : msg('stepBtA')];
      if (ipiWait) nextSteps.push(msg('stepCsd'));
      if (data.location) nextSteps.push(msg('stepDis', data));
      if (own && !stalled.spin) nextSteps.push(msg('stepLoop', data));
      if (stalled.spin) nextSteps.push(msg('stepSpin'));
      if (!c && !st.tasks && !ipiWait) nextSteps.push(msg('stepNoStack'));
      out.push({
        report: indices[0],
        alsoExplains: indices.slice(1),
        rootCauseClass: stalled.spin ? view.holderClass ?? spinDeadlockClass(model, viewCpu) : view.blocker?.ring ? 'deadlock-abba' : view.blocker?.spins ? spinDeadlockClass(model, view.blocker.cpu) : 'other',
        secondaryClasses: stalled.spin ? [spinDeadlockClass(model, viewCpu) === 'deadlock-aa' ? 'deadlock-abba' : 'deadlock-aa'] : [],
        confidence: held ? 0.7 : c ? 0.6 : 0.45,
        summary: st.tasks ? msg('summaryTasks') : ipiWait ? msg(view.blocker ? 'summaryIpiNamed' : 'summaryIpi', data) : cpus === null && !c ? msg('summaryNoCpu') : c ? msg(stalled.spin ? (held ? 'summaryCpuSpinHeld' : 'summaryCpuSpin') : 'summaryCpu', data) : msg('summaryCpuUnknown', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: c ? culpritOfBlame(c) : null,
        nextSteps,
        facts: { selfDetected: st.self, tasksFlavour: st.tasks, stalledCpus: st.cpus, waitingForIpi: ipiWait, reports: n, kthreadStarved: starved !== null, spinning: stalled.spin !== null, waitsForCpus: view.blockers, lockHolder: view.holder?.function ?? null, blameBasis: c?.basis ?? null },
      });
      // The kthread starved on another CPU as long as the stall lasted: a cause of its own, with its own culprit.
      if (starvationCause && !starvedOnStalled && kcpu !== null) {
        const f = starvedFinding(false);
        if (f) out.push(f);
      }
    }
    return out;
  },
};
