// "BUG: soft lockup - CPU#N stuck for Ns!": a CPU ran kernel code without scheduling; repeats of one CPU are one lockup still going.

import { IPI_WAITERS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { machineOf, spinDeadlockClass } from '../../machine';
import type { CrashReport } from '../../model/types';
import { baseName, blameReport, culpritOfBlame, reportFrames, type Blame } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';
import { reportsWhere, type ReportHit, paragraphs } from '../reports';
import { spinningOn, type Spin } from './spinning';
import { holderBlame, lockupView } from './machine-view';

const HEADER = /soft lockup - CPU#(\d+) stuck for (\d+)s! \[(.+?):(\d+)\]/;

const messages = {
  summaryLoop: { en: 'Soft lockup on CPU {{cpu}}: {{who}} kept looping for {{secs}} s without scheduling{{still}}', zh: 'CPU {{cpu}} soft lockup：{{who}} 持续循环了 {{secs}} 秒而没有调度{{still}}' },
  summarySpin: { en: 'Soft lockup on CPU {{cpu}}: {{who}} spins on a lock that is never released{{lock}}{{still}}', zh: 'CPU {{cpu}} soft lockup：{{who}} 在一把始终不释放的锁上自旋{{lock}}{{still}}' },
  summaryIpi: { en: 'Soft lockup on CPU {{cpu}}: {{ipi}}() waits for other CPUs to answer a cross-CPU call; the CPU that does not answer is the one to look at', zh: 'CPU {{cpu}} soft lockup：{{ipi}}() 在等待其他 CPU 响应跨 CPU 调用；该看的是没有响应的那个 CPU' },
  summarySpinHeld: { en: 'Soft lockup on CPU {{cpu}}: {{who}} spins on a lock{{lock}} that {{holder}} holds and never releases{{still}}', zh: 'CPU {{cpu}} soft lockup：{{who}} 在一把锁{{lock}}上自旋，该锁被 {{holder}} 持有且始终不释放{{still}}' },
  summaryIpiNamed: { en: 'Soft lockup on CPU {{cpu}}: {{ipi}}() waits for CPU {{blocker}} to answer a cross-CPU call, and CPU {{blocker}} {{doing}}', zh: 'CPU {{cpu}} soft lockup：{{ipi}}() 在等 CPU {{blocker}} 响应跨 CPU 调用，而 CPU {{blocker}} {{doing}}' },
  summaryUnknown: { en: 'Soft lockup on CPU {{cpu}}: {{task}} ran in the kernel for {{secs}} s without scheduling{{still}}', zh: 'CPU {{cpu}} soft lockup：{{task}} 在内核中运行了 {{secs}} 秒而没有调度{{still}}' },
  stillGoing: { en: ' (still stuck after {{last}} s: {{n}} reports of the same lockup)', zh: '（{{last}} 秒后仍卡住：同一个 lockup 共报告了 {{n}} 次）' },
  lockAt: { en: ' (lock {{lock}})', zh: '（锁 {{lock}}）' },
  explainWatchdog: { en: 'The soft-lockup watchdog found CPU {{cpu}} running {{task}} in kernel mode for {{secs}} seconds without a single schedule(). Interrupts were still enabled: the watchdog\'s own timer ran{{eflags}}.', zh: 'soft lockup 看门狗发现 CPU {{cpu}} 上的 {{task}} 在内核态运行了 {{secs}} 秒，期间一次 schedule() 都没有。中断仍是开着的：看门狗自己的定时器还能运行{{eflags}}。' },
  eflags: { en: ' (EFLAGS {{value}})', zh: '（EFLAGS {{value}}）' },
  explainRepeats: { en: 'The same CPU reported the same task {{n}} times, the last after {{last}} s: it is one lockup that never ended, not several. The frame every sample shares is what kept running.', zh: '同一个 CPU 对同一个任务报告了 {{n}} 次，最后一次是在 {{last}} 秒之后：这是一个一直没有结束的 lockup，而不是多个。所有采样共有的帧就是一直在运行的代码。' },
  explainIpi: { en: 'The interrupted code is {{ipi}}(), which sends an IPI and waits until every target CPU has run the function. It is not looping by itself: one of the other CPUs has interrupts disabled, or is stuck with them off, and never answers. This CPU\'s lockup is a consequence; the stacks of the other CPUs (NMI backtraces, crash "bt -a") show the cause.', zh: '被中断的代码是 {{ipi}}()：它发出 IPI 并等待所有目标 CPU 执行完函数。它本身并没有死循环：是某个其他 CPU 关着中断卡住了、始终不响应。本 CPU 的 lockup 只是后果；其他 CPU 的调用栈（NMI backtrace、crash 的 bt -a）才能说明原因。' },
  explainSpin: { en: 'The interrupted code is {{spinner}}, a spin-lock slow path, called from {{who}}: the CPU waits for a lock that another context holds and does not release. Either that holder is itself stuck (waiting for something this CPU holds: a deadlock), or the lock was never released on some path (a leaked lock). The holder is in the other CPUs\' stacks.', zh: '被中断的代码是自旋锁慢路径 {{spinner}}，由 {{who}} 调用：CPU 在等一把被其他上下文持有且不释放的锁。要么持锁者自己也卡住了（在等本 CPU 持有的东西：死锁），要么某条路径上锁从未释放（锁泄漏）。持锁者就在其他 CPU 的调用栈里。' },
  explainLoopHere: { en: '{{who}} is not waiting for a lock: the watchdog sampled it looping. Typical causes are a walk that never ends because the structure is corrupted (a cycle), a retry loop whose exit condition depends on another CPU that makes no progress, or a long loop over a large data set that never calls cond_resched().', zh: '{{who}} 并不是在等锁：看门狗采样到它正在循环。典型原因是数据结构被破坏（出现环）导致遍历不结束、重试循环的退出条件依赖另一个没有进展的 CPU，或者处理大量数据的长循环里从不调用 cond_resched()。' },
  explainLoop: { en: '{{who}} is not waiting for a lock: it loops. The instruction the watchdog sampled ({{ip}}) is only where the loop happened to be; {{who}} is the caller that owns the loop. Typical causes are a walk that never ends because the structure is corrupted (a cycle), a retry loop whose exit condition depends on another CPU that makes no progress, or a long loop over a large data set that never calls cond_resched().', zh: '{{who}} 并不是在等锁：它在循环。看门狗采样到的指令（{{ip}}）只是循环恰好所在的位置；{{who}} 才是拥有这个循环的调用者。典型原因是数据结构被破坏（出现环）导致遍历不结束、重试循环的退出条件依赖另一个没有进展的 CPU，或者处理大量数据的长循环里从不调用 cond_resched()。' },
  explainNoStack: { en: 'The report does not show a stack: the loop cannot be located from this log.', zh: '报告中没有调用栈：无法从这份日志中定位循环。' },
  explainOthers: { en: 'Other CPUs reported soft lockups too ({{n}}): look for a lock or resource they share.', zh: '其他 CPU 也报告了 soft lockup（{{n}} 次）：找它们共用的锁或资源。' },
  evHeader: { en: 'CPU {{cpu}} ran {{task}} in the kernel for {{secs}} s without scheduling', zh: 'CPU {{cpu}} 上的 {{task}} 在内核中运行了 {{secs}} 秒没有调度' },
  evLater: { en: 'the same CPU and task, still stuck after {{secs}} s', zh: '同一个 CPU 和任务，{{secs}} 秒后仍然卡住' },
  evRip: { en: 'where the watchdog interrupted it', zh: '看门狗中断它时所在的位置' },
  evSpinner: { en: '{{spinner}}: spinning on a lock{{lock}}', zh: '{{spinner}}：在一把锁上自旋{{lock}}' },
  evRdi: { en: ' (RDI {{lock}})', zh: '（锁地址 RDI {{lock}}）' },
  evTaker: { en: '{{who}}: wants the lock', zh: '{{who}}：想要获取这把锁' },
  evLoop: { en: '{{who}}: the code that kept running', zh: '{{who}}：一直在运行的代码' },
  stepBtA: { en: 'crash> bt -a     (every CPU: who holds the lock, who else is stuck)', zh: 'crash> bt -a（所有 CPU：谁持有锁，还有谁卡住了）' },
  stepBtALoop: { en: 'crash> bt -a     (every CPU: whether others wait for this one)', zh: 'crash> bt -a（所有 CPU：有没有其他 CPU 在等这个 CPU）' },
  stepBtAIpi: { en: 'crash> bt -a     (the CPU that does not answer the IPI: it runs with interrupts off)', zh: 'crash> bt -a（不响应 IPI 的那个 CPU：它在关中断运行）' },
  stepDisLoop: { en: 'crash> dis -l {{location}}     (the loop around the sampled instruction and its exit condition)', zh: 'crash> dis -l {{location}}（采样指令附近的循环及其退出条件）' },
  stepDisSpin: { en: 'crash> dis -l {{location}}     (the lock call and the lock it passes)', zh: 'crash> dis -l {{location}}（加锁调用以及传入的锁）' },
  stepRdLock: { en: 'crash> rd {{lock}} 4     crash> struct raw_spinlock {{lock}}     (the lock word: owner and queued CPUs)', zh: 'crash> rd {{lock}} 4     crash> struct raw_spinlock {{lock}}（锁的值：持有者和排队的 CPU）' },
  stepForeachSpin: { en: 'crash> foreach bt | grep -B20 {{who}}     (which task took this lock, and where it is now)', zh: 'crash> foreach bt | grep -B20 {{who}}（哪个任务拿了这把锁，它现在在哪里）' },
  stepResched: { en: 'In {{who}}: bound the loop, or call cond_resched() in it when it legitimately runs long; if it walks a list or tree, check the structure (CONFIG_DEBUG_LIST).', zh: '在 {{who}} 中：限制循环次数；如果它确实会运行很久，就在循环里调用 cond_resched()；如果它在遍历链表或树，检查数据结构（CONFIG_DEBUG_LIST）。' },
  stepLockdep: { en: 'Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports a lock-order problem before it deadlocks.', zh: '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在真正死锁之前报告锁顺序问题。' },
  stepCsd: { en: 'Boot with csdlock_debug=1 (CONFIG_CSD_LOCK_WAIT_DEBUG): the kernel then names the CPU that does not answer and prints its stack.', zh: '用 csdlock_debug=1 启动（CONFIG_CSD_LOCK_WAIT_DEBUG）：内核会指出不响应的 CPU 并打印它的调用栈。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Lockup {
  hits: ReportHit[];
  cpu: string;
  task: string;
}

/** Reports of one CPU running one task are one lockup: the later ones say it is still stuck. */
function lockups(hits: readonly ReportHit[]): Lockup[] {
  const out: Lockup[] = [];
  for (const hit of hits) {
    const [, cpu, , comm, pid] = hit.match;
    const task = `${comm}/${pid}`;
    const same = out.find((l) => l.cpu === cpu && l.task === task);
    if (same) same.hits.push(hit);
    else out.push({ hits: [hit], cpu, task });
  }
  return out;
}

function who(b: Pick<Blame, 'function' | 'module'>): string {
  return b.module ? `${b.function} [${b.module}]` : (b.function as string);
}

export const softLockup: Rule = {
  meta: {
    id: 'KT-soft-lockup',
    rootCauseClass: 'other',
    summary: { en: 'A CPU ran kernel code without scheduling past the soft-lockup threshold: a lock spin or an unbounded loop', zh: '某个 CPU 长时间在内核中运行而不调度，超过了 soft lockup 阈值：自旋等锁或无界循环' },
    docs: {
      en: `Looks for "BUG: soft lockup - CPU#N stuck for Ns! [comm:pid]". The soft-lockup watchdog
(a per-CPU hrtimer) found that its watchdog thread had not run for 2 x watchdog_thresh
seconds: the CPU stayed in kernel mode without calling schedule(), while interrupts still
worked (otherwise it is a hard lockup). Several reports of one CPU and one task are one
lockup still going: the frame all samples share is the loop's owner.
Three shapes: the interrupted code is a spin-lock slow path (native_queued_spin_lock_slowpath,
_raw_spin_lock...): the CPU waits for a lock another context holds; it is an IPI wait
(smp_call_function_many): another CPU does not answer; or it is ordinary code looping: the
sampled instruction is only where the loop was, and the culprit is the caller that owns the
loop (library leaves and small wrappers are skipped, a recursive walk is passed to its entry).
What to do: "bt -a" to see every CPU, "dis -l" the loop owner; for a spin, the lock address
(RDI) with "rd"/"struct"; for a loop, its exit condition.`,
      zh: `匹配 "BUG: soft lockup - CPU#N stuck for Ns! [comm:pid]"。soft lockup 看门狗（每个 CPU 一个
hrtimer）发现自己的 watchdog 线程已经 2 x watchdog_thresh 秒没有运行：该 CPU 一直在内核态运行而没有
调用 schedule()，但中断仍然正常（否则就是 hard lockup）。同一个 CPU、同一个任务的多次报告是同一个仍在
持续的 lockup：所有采样共有的帧就是循环的拥有者。
三种情形：被中断的代码是自旋锁慢路径（native_queued_spin_lock_slowpath、_raw_spin_lock 等）：CPU
在等其他上下文持有的锁；是 IPI 等待（smp_call_function_many）：另一个 CPU 不响应；或者是普通代码在循环：
采样到的指令只是循环恰好所在的位置，嫌疑函数是拥有这个循环的调用者（库函数叶子和小包装函数会被跳过，
递归遍历会追到它的入口）。
处理办法：用 "bt -a" 查看所有 CPU，对循环的拥有者做 "dis -l"；如果在自旋，用 "rd"/"struct" 查看锁地址
（RDI）；如果是循环，找它的退出条件。`,
    },
    references: ['Documentation/admin-guide/lockup-watchdogs.rst', 'kernel/watchdog.c'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const all = lockups(reportsWhere(ctx, HEADER));
    for (const lockup of all) {
      const first = lockup.hits[0];
      const last = lockup.hits[lockup.hits.length - 1];
      const r: CrashReport = first.report;
      const cpu = lockup.cpu;
      const secs = first.match[2];
      const n = lockup.hits.length;
      const still = n > 1 ? msg('stillGoing', { last: last.match[2], n }) : null;
      const samples = lockup.hits.slice(1).map((h) => reportFrames(h.report));
      const spin: Spin | null = spinningOn(r);
      const ipFn = r.registers?.ip?.function ?? null;
      // Waiting for an IPI answer: the stuck CPU is another one, this one only waits for it.
      const ipiWait = !spin && ipFn !== null && matchesAny(baseName(ipFn), IPI_WAITERS);
      const loop = blameReport(r, 'lockup', { samples });
      const taker: Blame | null = spin?.taker?.function ? { ...loop, function: baseName(spin.taker.function), module: spin.taker.module, line: spin.taker.line, location: spin.taker.offset !== null ? `${spin.taker.function}+0x${spin.taker.offset.toString(16)}` : spin.taker.function, basis: 'own' } : null;
      const model = machineOf(ctx.analysis);
      const view = lockupView(model, Number(cpu), spin?.lock ?? null);
      // The deadlock's culprit is the code that took the lock, when the model confirms who holds it; an IPI waiter's is the CPU it waits for.
      const held = spin ? holderBlame(view) : null;
      const own = ipiWait ? null : taker ?? loop;
      const culprit = ipiWait ? view.blocker?.blame ?? null : held ?? own;
      const eflags = r.registers?.values.EFLAGS ?? null;
      const data = { cpu, secs, task: lockup.task, still, ipi: ipFn ? baseName(ipFn) : null, who: own?.function ? who(own) : culprit?.function ? who(culprit) : null, holder: held ? who(held) : null, lock: spin?.lock ? msg('lockAt', { lock: spin.lock }) : null, spinner: spin?.spinner.function ?? null, eflags: eflags ? msg('eflags', { value: eflags }) : null, ip: ipFn ?? r.registers?.ip?.text ?? null, location: (own ?? culprit)?.location ?? null, n, last: last.match[2], blocker: view.blocker?.cpu ?? null, doing: view.blocker?.doing ?? null };
      const evidence: FindingDraft['evidence'] = [{ line: first.header.no, note: msg('evHeader', data) }];
      if (n > 1) evidence.push({ line: last.header.no, note: msg('evLater', { secs: last.match[2] }) });
      if (r.registers?.ip?.line !== undefined && r.registers?.ip?.line !== null) evidence.push({ line: r.registers.ip.line, note: msg('evRip') });
      if (spin) evidence.push({ line: spin.spinner.line, note: msg('evSpinner', { spinner: spin.spinner.function, lock: spin.lock ? msg('evRdi', { lock: spin.lock }) : null }) });
      if (taker?.line !== null && taker !== null && taker.line !== undefined) evidence.push({ line: taker.line, note: msg('evTaker', data) });
      else if (!ipiWait && culprit?.line !== null && culprit?.line !== undefined && culprit.function) evidence.push({ line: culprit.line, note: msg('evLoop', data) });
      evidence.push(...view.evidence);
      const others = all.filter((l) => l !== lockup).reduce((k, l) => k + l.hits.length, 0);
      const summary = ipiWait ? msg(view.blocker ? 'summaryIpiNamed' : 'summaryIpi', data) : spin && held ? msg('summarySpinHeld', data) : spin && culprit?.function ? msg('summarySpin', data) : culprit?.function ? msg('summaryLoop', data) : msg('summaryUnknown', data);
      const paras: L10n[] = [msg('explainWatchdog', data)];
      if (n > 1) paras.push(msg('explainRepeats', data));
      const sampledItself = culprit?.function !== null && culprit?.function !== undefined && ipFn !== null && baseName(ipFn) === culprit.function;
      paras.push(ipiWait ? msg('explainIpi', data) : spin && culprit?.function ? msg('explainSpin', data) : culprit?.function ? msg(sampledItself ? 'explainLoopHere' : 'explainLoop', data) : msg('explainNoStack'));
      paras.push(...view.paragraphs);
      if (others > 0) paras.push(msg('explainOthers', { n: others }));
      const nextSteps: L10n[] = [ipiWait ? msg('stepBtAIpi') : spin ? msg('stepBtA') : msg('stepBtALoop')];
      if (!ipiWait && data.location) nextSteps.push(msg(spin ? 'stepDisSpin' : 'stepDisLoop', data));
      if (spin?.lock) nextSteps.push(msg('stepRdLock', { lock: spin.lock }));
      if (spin && data.who) nextSteps.push(msg('stepForeachSpin', data));
      if (!spin && !ipiWait && data.who) nextSteps.push(msg('stepResched', data));
      if (ipiWait) nextSteps.push(msg('stepCsd'));
      if (spin) nextSteps.push(msg('stepLockdep'));
      const cls = spin ? view.holderClass ?? spinDeadlockClass(model, Number(cpu)) : view.blocker?.ring ? 'deadlock-abba' : view.blocker?.spins ? spinDeadlockClass(model, view.blocker.cpu) : 'other';
      out.push({
        report: first.index,
        rootCauseClass: cls,
        secondaryClasses: spin ? (['deadlock-abba', 'deadlock-aa'] as const).filter((x) => x !== cls).slice(0, 1) : [],
        confidence: spin ? (held ? 0.7 : 0.6) : ipiWait ? (view.blocker?.ring ? 0.65 : view.blocker ? 0.55 : 0.5) : culprit?.function ? 0.6 : 0.45,
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: culprit ? culpritOfBlame(culprit) : null,
        nextSteps,
        facts: { cpu: Number(cpu), seconds: Number(secs), lastSeconds: Number(last.match[2]), reports: n, task: lockup.task, spinning: spin !== null, lockAddress: spin?.lock ?? null, waitingForIpi: ipiWait, waitsForCpus: view.blockers, lockHolder: view.holder?.function ?? null, blameBasis: culprit?.basis ?? null },
      });
    }
    return out;
  },
};
