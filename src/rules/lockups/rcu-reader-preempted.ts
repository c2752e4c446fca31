// An RCU stall held up by a task preempted inside rcu_read_lock() that does not run again: whatever keeps its CPU is the cause.

import { innermostWorking, machineOf, type MachineModel, type MachineTask, type RcuBlocker } from '../../machine';
import { culpritOfBlame, type Blame } from '../blame';
import { blameContext } from './machine-view';
import { messenger } from '../messages';
import { paragraphs } from '../reports';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summaryHog: { en: 'RCU stall: {{task}} was preempted inside an RCU read-side critical section in {{fn}} and cannot run again: {{hog}} keeps CPU {{cpu}}', zh: 'RCU 停滞：{{task}} 在 {{fn}} 的 RCU 读侧临界区内被抢占，之后再也得不到运行：{{hog}} 一直占着 CPU {{cpu}}' },
  summaryRunnable: { en: 'RCU stall: {{task}} was preempted inside an RCU read-side critical section in {{fn}} and has not run since', zh: 'RCU 停滞：{{task}} 在 {{fn}} 的 RCU 读侧临界区内被抢占，此后一直没有运行' },
  summarySleeps: { en: 'RCU stall: {{task}} sleeps inside an RCU read-side critical section in {{fn}}', zh: 'RCU 停滞：{{task}} 在 {{fn}} 的 RCU 读侧临界区内睡眠' },
  explain: { en: 'The grace period cannot end while a task that entered rcu_read_lock() has not left it. The stall report lists {{task}} as blocking it ("{{detail}}": blocked inside a read-side section), and its stack shows where: {{fn}}.', zh: '只要有任务进入了 rcu_read_lock() 还没有退出，宽限期就无法结束。停滞报告列出 {{task}} 拖住了宽限期（"{{detail}}"：在读侧临界区内被阻塞），它的调用栈显示了位置：{{fn}}。' },
  explainRunnable: { en: 'The task is runnable (state {{state}}): preemptible RCU lets a reader be preempted, but it must run again to reach rcu_read_unlock(). A runnable reader that does not run for the whole stall timeout is starved by what runs on its CPU: a real-time (SCHED_FIFO/RR) task that never sleeps, or a flood of interrupts or softirqs.', zh: '该任务是可运行的（状态 {{state}}）：可抢占 RCU 允许读者被抢占，但它必须再次运行才能走到 rcu_read_unlock()。一个可运行的读者在整个停滞超时期间都得不到运行，说明它所在 CPU 上运行的东西把它饿死了：一个从不睡眠的实时（SCHED_FIFO/RR）任务，或者中断/软中断风暴。' },
  explainSleeps: { en: 'The task sleeps (state {{state}}) inside the read-side section: sleeping there is a bug even where preemption is allowed, and the grace period waits for as long as it sleeps.', zh: '该任务在读侧临界区内睡眠（状态 {{state}}）：即使允许抢占，在那里睡眠也是 bug，宽限期要一直等到它醒来。' },
  explainHog: { en: 'CPU {{cpu}}, the reader\'s CPU, runs {{hog}}, which {{doing}}: that is what keeps the reader off the CPU, and the code to fix. The reader\'s own code is only where it happened to be preempted.', zh: '读者所在的 CPU {{cpu}} 正在运行 {{hog}}，它{{doing}}：正是它让读者得不到 CPU，要修的是它。读者自己的代码只是恰好被抢占的位置。' },
  explainNoHog: { en: 'The input does not show what runs on the reader\'s CPU: crash\'s bt -a and runq of a vmcore show the task that keeps it off.', zh: '输入中没有显示读者所在 CPU 上运行的是什么：vmcore 中 crash 的 bt -a 和 runq 能显示是哪个任务占着 CPU。' },
  evBlocked: { en: '{{task}} blocks the grace period from inside a read-side section', zh: '{{task}} 在读侧临界区内拖住了宽限期' },
  evReader: { en: '{{fn}}: where the reader was preempted', zh: '{{fn}}：读者被抢占的位置' },
  evHog: { en: '{{hog}} on CPU {{cpu}}: what keeps the reader off its CPU', zh: 'CPU {{cpu}} 上的 {{hog}}：让读者得不到 CPU 的任务' },
  evSched: { en: 'its scheduling class: real-time tasks run before every normal one', zh: '它的调度类：实时任务总是先于所有普通任务运行' },
  stepRunq: { en: 'crash> runq -c {{cpu}}     crash> task -R policy,rt_priority {{pid}}     (who keeps CPU {{cpu}}: a SCHED_FIFO/RR task that never sleeps)', zh: 'crash> runq -c {{cpu}}     crash> task -R policy,rt_priority {{pid}}（谁占着 CPU {{cpu}}：一个从不睡眠的 SCHED_FIFO/RR 任务）' },
  stepBtA: { en: 'crash> bt -a     crash> runq     (what runs on the reader\'s CPU instead of it)', zh: 'crash> bt -a     crash> runq（读者所在 CPU 上代替它在运行的是什么）' },
  stepHog: { en: 'In {{hog}}: sleep or yield in the loop, or run it at normal priority; keep RT throttling on (kernel.sched_rt_runtime_us) so that a runaway real-time task cannot take a CPU for good.', zh: '在 {{hog}} 中：在循环里睡眠或让出 CPU，或者以普通优先级运行；保持 RT throttling 开启（kernel.sched_rt_runtime_us），免得一个失控的实时任务永久占住 CPU。' },
  stepSleeps: { en: 'In {{fn}}: do not sleep between rcu_read_lock() and rcu_read_unlock(); take a reference (or use SRCU) to sleep.', zh: '在 {{fn}} 中：不要在 rcu_read_lock() 和 rcu_read_unlock() 之间睡眠；要睡眠就先拿引用（或改用 SRCU）。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Reader {
  blocker: RcuBlocker;
  task: MachineTask | null;
  code: NonNullable<RcuBlocker['code']>;
  hog: { cpu: number; pid: number | null; who: string; doing: L10n; blame: Blame | null; line: number | null; schedLine: number | null } | null;
}

function label(comm: string | null, pid: number | null): string {
  return comm !== null ? `${comm}/${pid}` : `pid ${pid}`;
}

/** The first task the stall names whose stack shows where it was preempted, and what runs on its CPU instead. */
export function readerOf(m: MachineModel): Reader | null {
  // A stalled CPU, or the grace-period kthread starved, is a cause of its own (KT-rcu-stall): here only stalls held up by tasks alone.
  if (m.rcuBlockers.some((b) => b.kind === 'cpu' || b.kind === 'starved-kthread')) return null;
  for (const b of m.rcuBlockers) {
    if (b.kind !== 'task' || b.pid === null || !b.code) continue;
    const task = m.tasks.find((t) => t.pid === b.pid) ?? null;
    const cpu = task?.cpu ?? null;
    // An idle CPU keeps no one off: the hog is a task that runs there.
    const on = cpu !== null ? m.cpus.find((c) => c.cpu === cpu && c.pid !== null && c.pid !== 0 && c.pid !== b.pid && c.doing.en !== 'idle') ?? null : null;
    const inner = on ? innermostWorking(on, m.contexts) : null;
    const blame = inner ? blameContext(inner) : null;
    const sched = on?.pid !== null && on?.pid !== undefined ? m.tasks.find((t) => t.pid === on.pid)?.scheduling ?? null : null;
    const who = label(on?.comm ?? null, on?.pid ?? null) + (sched && sched.policy !== 'SCHED_NORMAL' ? `, ${sched.policy}${sched.rtPriority ? ` ${sched.rtPriority}` : ''}` : '');
    const hog = on && cpu !== null ? { cpu, pid: on.pid, who, doing: on.doing, blame, line: inner?.lines[0] ?? null, schedLine: sched?.lines[0] ?? null } : null;
    return { blocker: b, task, code: b.code, hog };
  }
  return null;
}

const SLEEPING_STATES = new Set(['UN', 'IN', 'D', 'S']);

export const rcuReaderPreempted: Rule = {
  meta: {
    id: 'KT-rcu-reader-preempted',
    rootCauseClass: 'other',
    summary: { en: 'An RCU stall held up by a task preempted (or asleep) inside rcu_read_lock() that does not run again', zh: 'RCU 停滞：一个在 rcu_read_lock() 内被抢占（或睡眠）的任务一直不再运行，拖住了宽限期' },
    docs: {
      en: `Fires on an RCU stall report whose "Tasks blocked on level-N rcu_node" line names a task, with
no CPU listed as stalled, when the task's stack is printed (the stall report prints it, or a crash
session has it). Preemptible RCU lets a reader be preempted inside its read-side section; the
grace period then waits until it runs again and leaves it. A runnable reader that does not run
for the whole stall timeout is starved by what runs on its CPU - typically a SCHED_FIFO/RR task
that never sleeps (with RT throttling off), or an interrupt flood: when the machine model knows
the reader's CPU (crash ps) and the task running there, that task's code is the culprit;
otherwise the reader's code is named as where it was preempted. A reader asleep inside the
section is a bug of its own (sleeping under rcu_read_lock()).`,
      zh: `匹配 RCU 停滞报告中 "Tasks blocked on level-N rcu_node" 一行列出了任务、而没有列出停滞 CPU 的情况，
并且该任务的调用栈有打印（停滞报告会打印，或者 crash 会话中有）。可抢占 RCU 允许读者在读侧临界区内被抢占；
宽限期随后要等它重新运行并退出临界区。一个可运行的读者在整个停滞超时期间都得不到运行，说明它所在 CPU 上
运行的东西把它饿死了——通常是一个从不睡眠的 SCHED_FIFO/RR 任务（且关闭了 RT throttling），或者中断风暴：
如果整机模型知道读者所在的 CPU（crash 的 ps）以及在那里运行的任务，嫌疑就是那个任务的代码；否则指出读者
被抢占的位置。读者在临界区内睡眠本身就是 bug（在 rcu_read_lock() 下睡眠）。`,
    },
    references: ['Documentation/RCU/stallwarn.rst', 'Documentation/RCU/whatisRCU.rst'],
    messages,
  },
  check(ctx) {
    const m = machineOf(ctx.analysis);
    const r = readerOf(m);
    if (!r) return [];
    const b = r.blocker;
    const state = r.task?.state ?? null;
    const sleeps = state !== null && SLEEPING_STATES.has(state);
    const task = label(r.task?.comm ?? null, b.pid);
    const hogName = r.hog ? (r.hog.blame?.function ? `${r.hog.who} (${r.hog.blame.function}${r.hog.blame.module ? ` [${r.hog.blame.module}]` : ''})` : r.hog.who) : null;
    const data = { task, fn: r.code.module ? `${r.code.function}() [${r.code.module}]` : `${r.code.function}()`, detail: b.detail, state: state ?? '?', cpu: r.hog?.cpu ?? r.task?.cpu ?? '?', hog: hogName, doing: r.hog?.doing ?? null, pid: r.hog?.pid ?? b.pid };
    const evidence: FindingDraft['evidence'] = b.lines.slice(0, 2).map((line) => ({ line, note: msg('evBlocked', data) }));
    evidence.push({ line: r.code.line, note: msg('evReader', { fn: `${r.code.function}()` }) });
    if (r.hog?.line !== null && r.hog?.line !== undefined && !sleeps) evidence.push({ line: r.hog.line, note: msg('evHog', data) });
    if (r.hog?.schedLine !== null && r.hog?.schedLine !== undefined && !sleeps) evidence.push({ line: r.hog.schedLine, note: msg('evSched', data) });
    const paras: L10n[] = [msg('explain', data), msg(sleeps ? 'explainSleeps' : 'explainRunnable', data)];
    if (!sleeps) paras.push(r.hog ? msg('explainHog', data) : msg('explainNoHog'));
    const report = ctx.analysis.reports.findIndex((x) => b.lines.some((l) => l >= x.headerLine && l <= x.endLine));
    const hogBlame = !sleeps ? r.hog?.blame ?? null : null;
    return [
      {
        ...(report >= 0 ? { report } : {}),
        rootCauseClass: sleeps ? 'sleep-in-atomic' : 'other',
        confidence: hogBlame ? 0.7 : 0.55,
        summary: msg(sleeps ? 'summarySleeps' : r.hog ? 'summaryHog' : 'summaryRunnable', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: hogBlame ? culpritOfBlame(hogBlame) : { function: r.code.function, module: r.code.module },
        nextSteps: sleeps ? [msg('stepSleeps', data)] : r.hog ? [msg('stepRunq', data), msg('stepHog', { hog: hogName })] : [msg('stepBtA')],
        facts: { blockedTask: b.pid, readerFunction: r.code.function, taskState: state, hogCpu: r.hog?.cpu ?? null, hogTask: r.hog?.who ?? null },
      },
    ];
  },
};
