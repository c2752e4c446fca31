// Contexts that wait for each other in a ring (A waits for what B holds, B for what A holds): a deadlock read off the machine's wait-for graph.

import { machineOf, type MachineContext, type MachineLock, type MachineModel, type WaitCycle } from '../../machine';
import { messenger } from '../messages';
import { holdEvidenceText } from './hold-evidence';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: { en: 'Deadlock: {{chain}}', zh: '死锁：{{chain}}' },
  edge: { en: '{{waiter}} waits for {{lock}} held by {{holder}}', zh: '{{waiter}} 在等 {{holder}} 持有的 {{lock}}' },
  edgeSignal: { en: '{{waiter}} waits in {{primitive}}() for {{holder}} to finish', zh: '{{waiter}} 在 {{primitive}}() 中等待 {{holder}} 完成' },
  evWaitsSignal: { en: '{{waiter}} waits in {{primitive}}() called from {{taker}}(), for another context to finish', zh: '{{waiter}} 在 {{taker}}() 调用的 {{primitive}}() 中等待另一个上下文完成' },
  evSignals: { en: '{{holder}} must finish for it, and is stuck: it runs {{fn}}() of the same module', zh: '{{holder}} 必须先完成，而它卡住了：它正在运行同一模块的 {{fn}}()' },
  joinEdges: { en: '; ', zh: '；' },
  lockAt: { en: '{{kind}} {{what}}', zh: '{{kind}} {{what}}' },
  completionOf: { en: 'the completion {{taker}}() waits for', zh: '{{taker}}() 等待的 completion' },
  who: { en: '{{task}}{{on}}', zh: '{{task}}{{on}}' },
  onCpu: { en: ' on CPU{{cpu}}', zh: '（CPU{{cpu}}）' },
  explain: {
    en: '{{n}} contexts wait for each other in a ring, so none of them can go on: {{chain}}. {{how}}',
    zh: '{{n}} 个上下文互相等待形成一个环，谁也无法继续：{{chain}}。{{how}}',
  },
  howLocks: {
    en: 'Each took one lock and wants the lock the other holds: the paths take them in opposite orders (AB-BA). The fix is one lock order for every path, or not holding the first lock while taking the second.',
    zh: '每一方都持有一把锁并想要另一方持有的锁：两条路径以相反的顺序加锁（AB-BA）。修复方法是所有路径使用同一个加锁顺序，或者在获取第二把锁时不持有第一把锁。',
  },
  howCompletion: {
    en: '{{culprit}}() waits for another context to finish while it holds a lock that context needs: waiting for a completion, a work item or a thread with a lock held is the bug (lockdep does not model such waits, so it says nothing).',
    zh: '{{culprit}}() 持有另一个上下文需要的锁，却在等待那个上下文完成：持锁等待 completion、工作项或线程就是这个 bug（lockdep 不建模这类等待，所以它不会报告）。',
  },
  evWaits: { en: '{{waiter}} waits in {{primitive}}() for {{lock}}{{by}}', zh: '{{waiter}} 在 {{primitive}}() 中等待 {{lock}}{{by}}' },
  byTaker: { en: ', taken by {{taker}}()', zh: '，由 {{taker}}() 获取' },
  evHolds: { en: '{{holder}} holds {{lock}}{{in}} ({{evidence}})', zh: '{{holder}} 持有 {{lock}}{{in}}（{{evidence}}）' },
  inFn: { en: ' in {{fn}}()', zh: '，位于 {{fn}}()' },
  stepOrder: { en: 'Read {{a}}() and {{b}}(): list the order in which each takes the locks of this chain, and make one of them take them in the other\'s order.', zh: '阅读 {{a}}() 与 {{b}}()：列出各自获取这条链上各把锁的顺序，让其中一个改成与另一个相同的顺序。' },
  stepCompletion: { en: 'In {{culprit}}(): release the lock before waiting (or have the waited-for work not take it).', zh: '在 {{culprit}}() 中：先释放锁再等待（或者让被等待的工作不去获取这把锁）。' },
  stepOwner: { en: 'crash> struct mutex <address>     (owner: the task holding it); crash> bt -f <pid>     (the lock\'s address in each holder\'s frames)', zh: 'crash> struct mutex <地址>（owner 字段就是持有者）；crash> bt -f <pid>（在每个持有者的栈帧中找到锁的地址）' },
  stepLockdep: { en: 'Boot a CONFIG_PROVE_LOCKING kernel and run the same load: lockdep reports the order inversion before it deadlocks.', zh: '用 CONFIG_PROVE_LOCKING 内核跑同样的负载：lockdep 会在死锁发生之前报告加锁顺序颠倒。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);


/** A context by its task, and the CPU it runs on when it is on one now (a sleeping task's CPU is only where it last ran). */
function who(c: MachineContext, m: MachineModel): L10n {
  const task = c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : c.cpu !== null ? `CPU${c.cpu}` : '?';
  const running = m.cpus.some((x) => x.contexts.includes(c.id));
  return msg('who', { task, on: running && c.cpu !== null && c.comm !== null ? msg('onCpu', { cpu: c.cpu }) : null });
}

function lockText(l: MachineLock): L10n {
  if (l.kind === 'completion') {
    const taker = l.waiters[0]?.taker ?? null;
    return taker ? msg('completionOf', { taker }) : { en: 'a completion', zh: '一个 completion' };
  }
  const what = [l.name, l.address].filter((x) => x !== null).join(' ');
  return msg('lockAt', { kind: l.kind === 'unknown' ? '' : l.kind, what: what || '?' });
}

function join(parts: L10n[], sep: L10n): L10n {
  return { en: parts.map((p) => p.en).join(sep.en), zh: parts.map((p) => p.zh).join(sep.zh) };
}

/** The first edge is the one whose waiter was reported first (the report a reader starts from). */
function rotated(c: WaitCycle, m: MachineModel): WaitCycle {
  const rank = (id: number): number => (m.contexts[id].report ?? 1e9) * 1e6 + (m.contexts[id].lines[0] ?? 0);
  let best = 0;
  c.edges.forEach((e, i) => {
    if (rank(e.waiter) < rank(c.edges[best].waiter)) best = i;
  });
  return { edges: [...c.edges.slice(best), ...c.edges.slice(0, best)] };
}

export const waitForCycle: Rule = {
  meta: {
    id: 'KT-wait-for-cycle',
    rootCauseClass: 'deadlock-abba',
    summary: { en: 'Contexts wait for each other in a ring (AB-BA and longer): a deadlock across CPUs or tasks, read off the wait-for graph', zh: '多个上下文互相等待成环（AB-BA 及更长的链）：跨 CPU 或跨任务的死锁，根据等待图判断' },
    docs: {
      en: `Builds the machine's wait-for graph from every stack the input shows (each CPU of an NMI
backtrace or a soft lockup, every task of a hung-task report, sysrq t/w, crash bt -a / foreach bt)
and looks for a ring: context A waits for a lock held by B, B for one held by A (or longer chains).
A waiter is a context in a lock slow path (the lock is the first-argument register of the
sampled instruction, lockdep's last held lock of the task, or an address crash printed among its
bt -f words) or asleep in wait_for_completion/flush_work/kthread_stop. A holder is known by the
lock's address in its registers or stack words, lockdep's held-lock list, the owner field of a
mutex/rwsem crash printed, a function known to run holding the lock, or, for a completion, the
context of the same module that must signal it. Two CPUs each spinning on the lock the other holds,
or two tasks each sleeping on the mutex the other holds, are an AB-BA deadlock; a task that waits
for a work item or a completion while holding the lock that work needs is the same ring with a
wait in it, and the culprit is that waiting function.`,
      zh: `根据输入中的每一个调用栈（NMI backtrace 或 soft lockup 中的每个 CPU、hung task 报告中的每个任务、
sysrq t/w、crash 的 bt -a / foreach bt）构造整机的等待图，并在其中寻找环：上下文 A 等待 B 持有的锁，
B 又等待 A 持有的锁（或更长的链）。等待者是处于锁慢路径中的上下文（锁的地址来自采样指令的第一个参数
寄存器、lockdep 列出的该任务最后一把锁，或 crash 打印的、出现在其 bt -f 栈字中的地址），或者睡在
wait_for_completion/flush_work/kthread_stop 中的上下文。持有者的依据是：寄存器或栈字中有该锁的地址、
lockdep 的持锁列表、crash 打印的 mutex/rwsem 的 owner 字段、已知持有该锁运行的函数；对 completion
而言，则是同一模块中必须发出通知的上下文。两个 CPU 各自在对方持有的锁上自旋，或两个任务各自睡在对方
持有的 mutex 上，就是 AB-BA 死锁；一个任务持有某个工作项需要的锁，却在等待该工作项或 completion，
也是同样的环（其中一条边是等待），嫌疑函数就是那个持锁等待的函数。`,
    },
    references: ['Documentation/locking/lockdep-design.rst', 'kernel/locking/mutex.c', 'kernel/workqueue.c: __flush_work()'],
    messages,
  },
  check(ctx) {
    const m = machineOf(ctx.analysis);
    const out: FindingDraft[] = [];
    for (const raw of m.cycles) {
      const c = rotated(raw, m);
      const sentences = c.edges.map((e) => {
        const lock = m.locks[e.lock];
        const data = { waiter: who(m.contexts[e.waiter], m), lock: lockText(lock), holder: who(m.contexts[e.holder], m), primitive: lock.waiters.find((w) => w.context === e.waiter)?.primitive ?? null };
        return lock.kind === 'completion' ? msg('edgeSignal', data) : msg('edge', data);
      });
      const chain = join(sentences, msg('joinEdges'));
      // Waiting for a completion with a lock held breaks the contract: that waiter is the culprit. Else the holder of the first lock.
      const completion = c.edges.find((e) => m.locks[e.lock].kind === 'completion');
      let culprit: { function: string | null; module: string | null } | null;
      if (completion) {
        const w = m.locks[completion.lock].waiters.find((x) => x.context === completion.waiter);
        culprit = w ? { function: w.taker, module: w.takerModule } : null;
      } else {
        const first = c.edges[0];
        const h = m.locks[first.lock].holders.find((x) => x.context === first.holder);
        culprit = h ? { function: h.function, module: h.module } : null;
      }
      const culpritFn = culprit?.function ?? null;
      const evidence: FindingDraft['evidence'] = [];
      const seen = new Set<string>();
      for (const e of c.edges) {
        const lock = m.locks[e.lock];
        const w = lock.waiters.find((x) => x.context === e.waiter);
        const h = lock.holders.find((x) => x.context === e.holder);
        const lt = lockText(lock);
        if (w && !seen.has(`w${e.waiter}:${e.lock}`)) {
          seen.add(`w${e.waiter}:${e.lock}`);
          if (lock.kind === 'completion') evidence.push({ line: w.lines[0], note: msg('evWaitsSignal', { waiter: who(m.contexts[e.waiter], m), primitive: w.primitive, taker: w.taker ?? '?' }) });
          else evidence.push({ line: w.lines[0], note: msg('evWaits', { waiter: who(m.contexts[e.waiter], m), primitive: w.primitive, lock: lt, by: w.taker ? msg('byTaker', { taker: w.taker }) : null }) });
        }
        if (h && !seen.has(`h${e.holder}:${e.lock}`)) {
          seen.add(`h${e.holder}:${e.lock}`);
          const why = holdEvidenceText(h.evidence);
          const holder = who(m.contexts[e.holder], m);
          evidence.push({ line: h.lines[0], note: lock.kind === 'completion' ? msg('evSignals', { holder, fn: h.function ?? '?' }) : msg('evHolds', { holder, lock: lt, in: h.function ? msg('inFn', { fn: h.function }) : null, evidence: why }) });
        }
      }
      const takers = c.edges.map((e) => m.locks[e.lock].holders.find((h) => h.context === e.holder)?.function).filter((x): x is string => !!x);
      const data = { n: c.edges.length, chain, culprit: culpritFn, a: takers[0] ?? '?', b: takers[1] ?? takers[0] ?? '?' };
      const how = completion && culpritFn ? msg('howCompletion', data) : msg('howLocks');
      const sleeping = c.edges.some((e) => ['mutex', 'rwsem', 'semaphore'].includes(m.locks[e.lock].kind));
      const reports = [...new Set(c.edges.map((e) => m.contexts[e.waiter].report).filter((r): r is number => r !== null))].sort((x, y) => x - y);
      out.push({
        report: reports[0],
        alsoExplains: reports.slice(1),
        confidence: 0.9,
        summary: msg('summary', data),
        explanation: msg('explain', { ...data, how }),
        evidence,
        culprit: culpritFn ? culprit : null,
        nextSteps: [completion && culpritFn ? msg('stepCompletion', data) : msg('stepOrder', data), ...(sleeping ? [msg('stepOwner')] : []), msg('stepLockdep')],
        facts: {
          cycle: c.edges.map((e) => ({ waiter: e.waiter, holder: e.holder, lock: m.locks[e.lock].address ?? m.locks[e.lock].name, kind: m.locks[e.lock].kind })),
          lockAddress: m.locks[c.edges[0].lock].address,
          locks: c.edges.map((e) => m.locks[e.lock].address).filter((x) => x !== null),
        },
      });
    }
    return out;
  },
};
