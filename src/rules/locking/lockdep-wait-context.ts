// Lockdep "Invalid wait context": a lock that may sleep taken where the context or a held lock allows no sleeping.

import { paragraphs } from '../reports';
import { baseName, blameFrames, culpritOfBlame } from '../blame';
import { blameOfLockSite, currentFrames, isPseudoLock, isSleepingLock, readLockdep, type LockRef, siteName } from '../lockdep';
import { WAIT_TYPES } from '../../knowledge/lockdep';
import { messenger, type MessageData } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summaryHeld: {
    en: '{{taker}} takes {{lock}}, which {{sleeps}}, while holding {{held}} (taken in {{heldFn}}), which may not: an invalid wait context',
    zh: '{{taker}} 在持有 {{held}}（在 {{heldFn}} 中获取，不允许睡眠）时获取了{{sleeps}}的 {{lock}}：无效的等待上下文',
  },
  summaryContext: {
    en: '{{taker}} takes {{lock}}, which {{sleeps}}, in {{ctx}}, which may not: an invalid wait context',
    zh: '{{taker}} 在不允许睡眠的{{ctx}}中获取了{{sleeps}}的 {{lock}}：无效的等待上下文',
  },
  summaryBare: { en: 'A lock that may sleep was taken where no sleeping is allowed: an invalid wait context', zh: '在不允许睡眠的地方获取了可能睡眠的锁：无效的等待上下文' },
  sleepsMay: { en: 'may sleep', zh: '可能睡眠' },
  sleepsRt: { en: 'sleeps on PREEMPT_RT', zh: '在 PREEMPT_RT 上会睡眠' },
  ctxIrq: { en: 'interrupt or softirq context', zh: '中断或软中断上下文' },
  ctxRcu: { en: 'an RCU read-side section', zh: 'RCU 读端临界区' },
  ctxAtomic: { en: 'atomic context', zh: '原子上下文' },
  explainTypes: {
    en: 'Lockdep gives every lock a wait type: {{lock}} has {{wantRaw}}, {{want}}; {{held}}, held since {{heldFn}}, has {{allowRaw}}, {{allow}}, and under it no lock of a higher wait type may be taken.',
    zh: 'lockdep 给每把锁一个等待类型：{{lock}} 的类型是 {{wantRaw}}，即{{want}}；自 {{heldFn}} 起持有的 {{held}} 的类型是 {{allowRaw}}，即{{allow}}，在它之下不能获取等待类型更高的锁。',
  },
  explainTypesContext: {
    en: 'Lockdep gives every lock a wait type: {{lock}} has {{wantRaw}}, {{want}}; the context, {{ctx}}, is context-{{allowRaw}}, {{allow}}, and in it no lock of a higher wait type may be taken.',
    zh: 'lockdep 给每把锁一个等待类型：{{lock}} 的类型是 {{wantRaw}}，即{{want}}；当前上下文（{{ctx}}）是 context-{{allowRaw}}，即{{allow}}，在其中不能获取等待类型更高的锁。',
  },
  explainWhy: {
    en: 'Taking a lock that can block inside a section that must not block is a sleep in atomic context: whenever the lock is contended (and always on PREEMPT_RT) the task schedules with a spinning lock held, preemption or interrupts off.',
    zh: '在不允许阻塞的区间里获取可能阻塞的锁，就是在原子上下文中睡眠：只要这把锁有竞争（在 PREEMPT_RT 上则总是如此），任务就会在持有自旋锁、关抢占或关中断的状态下调度。',
  },
  explainRcu: {
    en: '{{held}} is an RCU read-side section: nothing inside it may sleep. If the section was meant to end earlier (an rcu_read_lock() never released), reports that it is "still held" or RCU stalls are the same bug.',
    zh: '{{held}} 是 RCU 读端临界区：其中的任何代码都不能睡眠。如果这个临界区本应更早结束（某个 rcu_read_lock() 从未释放），"still has locks held" 或 RCU stall 报告就是同一个 bug。',
  },
  evHeader: { en: 'Lockdep found a lock taken in a context that does not allow its wait type.', zh: 'lockdep 发现在不允许其等待类型的上下文中获取了一把锁。' },
  evLock: { en: '{{lock}} ({{wantRaw}}) is taken here, at {{at}}.', zh: '这里在 {{at}} 获取了 {{lock}}（{{wantRaw}}）。' },
  evContext: { en: 'The context allows wait type {{allowRaw}} at most.', zh: '当前上下文最多允许等待类型 {{allowRaw}}。' },
  evHeld: { en: '{{held}} ({{allowRaw}}), taken in {{heldFn}}: no sleeping lock may be taken under it.', zh: '{{held}}（{{allowRaw}}），在 {{heldFn}} 中获取：在它之下不能获取可睡眠的锁。' },
  evTaker: { en: '{{taker}} takes the lock.', zh: '{{taker}} 获取了这把锁。' },
  stepHeld: {
    en: 'In {{heldFn}}: do not take {{lock}} while {{held}} is held (take it before, drop {{held}} first, or use a primitive that does not sleep).',
    zh: '在 {{heldFn}} 中：不要在持有 {{held}} 时获取 {{lock}}（提前获取它、先释放 {{held}}，或者改用不会睡眠的原语）。',
  },
  stepContext: {
    en: 'Move the acquisition of {{lock}} in {{taker}} out of {{ctx}} (to a workqueue or a threaded handler), or use a primitive that does not sleep.',
    zh: '把 {{taker}} 中对 {{lock}} 的获取移出{{ctx}}（放到工作队列或线程化的处理函数中），或者改用不会睡眠的原语。',
  },
  stepBare: { en: 'Read the stack from the lock acquisition outward: find what made the context atomic and move the sleeping lock out of it.', zh: '从获取锁的地方向外阅读调用栈：找出让上下文变成原子的东西，把可睡眠的锁移出去。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** `{a:b}` as lockdep prints it. */
function raw(outer: number, inner: number): string {
  return `{${outer}:${inner}}`;
}

function waitText(w: number): L10n | null {
  return WAIT_TYPES[w] ?? null;
}

export const lockdepWaitContext: Rule = {
  meta: {
    id: 'KT-lockdep-wait-context',
    rootCauseClass: 'sleep-in-atomic',
    summary: { en: 'A lock that may sleep was taken inside a held spinning lock, an RCU read side or interrupt context', zh: '在持有的自旋锁、RCU 读端或中断上下文中获取了可能睡眠的锁' },
    docs: {
      en: `Looks for lockdep's "[ BUG: Invalid wait context ]". Lockdep gives every lock a wait type,
printed as -{outer:inner}: 1 wait-free (RCU), 2 spinning (raw_spinlock_t, interrupt context),
3 spinlock_t (which sleeps on PREEMPT_RT; a sleeping lock on kernels without
PROVE_RAW_LOCK_NESTING), 4 sleeping (mutex, semaphore, task context). A lock may only be taken
where the context ("context-{a:b}") and every held lock allow its type. The report names the
lock being taken ("is trying to lock: ... at:") and the held locks; the constraint is the
innermost held lock whose inner type is below the new lock's, or else the context itself.
The culprit is the code that holds that constraining lock (it called into code that sleeps),
else the function that takes the lock in that context.
What to do: take the sleeping lock before the spinning one (or drop the spinning lock first),
move the work out of interrupt context, or use a primitive that does not sleep.`,
      zh: `匹配 lockdep 的 "[ BUG: Invalid wait context ]"。lockdep 给每把锁一个等待类型，打印为
-{outer:inner}：1 无等待（RCU），2 自旋（raw_spinlock_t、中断上下文），3 spinlock_t（在 PREEMPT_RT 上
会睡眠；在未开启 PROVE_RAW_LOCK_NESTING 的内核上表示睡眠锁），4 可睡眠（mutex、信号量、任务上下文）。
一把锁只能在上下文（"context-{a:b}"）和所有已持有的锁都允许其类型的地方获取。报告给出了正在获取的锁
（"is trying to lock: ... at:"）和持有的锁；约束来自内层类型低于新锁类型的最内层持有锁，否则来自上下文本身。
嫌疑对象是持有那把约束锁的代码（它调用了会睡眠的代码），否则是在该上下文中获取锁的函数。
处理办法：先获取可睡眠的锁再获取自旋锁（或先释放自旋锁），把工作移出中断上下文，或者改用不会睡眠的原语。`,
    },
    references: ['Documentation/locking/locktypes.rst', 'kernel/locking/lockdep.c: check_wait_context()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if (lockdep.kind !== 'wait-context' || lockdep.headerLine === null) return;
      const lock = lockdep.acquiring;
      const want = lock?.waitType ?? null;
      const held = lockdep.heldLists[0]?.locks ?? [];
      // The constraint: the innermost held lock whose inner type is below the new lock's, else the context.
      const constraining: LockRef | null = want === null ? null : [...held].reverse().find((l) => (l.waitTypeInner ?? l.waitType ?? 99) < want) ?? null;
      const wc = lockdep.waitContext;
      const takerBlame = blameOfLockSite(lock?.at) ?? blameFrames(currentFrames(r), { mode: 'context' });
      const holderBlame = constraining ? blameOfLockSite(constraining.at) : null;
      const c = holderBlame ?? takerBlame;
      const taker = takerBlame.function;
      const heldFn = constraining?.at ? baseName(constraining.at.function) : null;
      const allow = constraining ? (constraining.waitTypeInner ?? constraining.waitType) : (wc?.inner ?? null);
      const ctxPhrase = msg(wc && wc.inner <= 1 ? 'ctxRcu' : wc && wc.inner === 2 ? 'ctxIrq' : 'ctxAtomic');
      const d: MessageData = {
        taker,
        lock: lock?.name,
        held: constraining?.name,
        heldFn,
        ctx: ctxPhrase,
        // 3 is a spinlock_t with PROVE_RAW_LOCK_NESTING, a sleeping lock without it: the lock's kind decides.
        want: want !== null ? waitText(want === 3 && lock && isSleepingLock(lock) ? 4 : want) : null,
        wantRaw: lock && want !== null ? raw(want, lock.waitTypeInner ?? want) : null,
        allow: allow !== null ? waitText(allow) : null,
        allowRaw: constraining ? raw(constraining.waitType ?? allow ?? 0, constraining.waitTypeInner ?? allow ?? 0) : wc ? raw(wc.outer, wc.inner) : null,
        at: lock?.at ? siteName(lock.at) : null,
        sleeps: msg(want === 3 && lock && !isSleepingLock(lock) ? 'sleepsRt' : 'sleepsMay'),
      };
      const named = lock !== null && want !== null && taker !== null;
      const evidence: FindingDraft['evidence'] = [{ line: lockdep.headerLine, note: msg('evHeader') }];
      if (lock?.at && want !== null) evidence.push({ line: lock.at.line ?? lock.line, note: msg('evLock', d) });
      if (!constraining && wc) evidence.push({ line: wc.line, note: msg('evContext', d) });
      if (constraining && heldFn) evidence.push({ line: constraining.line, note: msg('evHeld', d) });
      if (takerBlame.line !== null && taker && (!lock?.at || taker !== siteName(lock.at))) evidence.push({ line: takerBlame.line, note: msg('evTaker', d) });

      let summary: L10n;
      if (named && constraining && heldFn) summary = msg('summaryHeld', d);
      else if (named && wc) summary = msg('summaryContext', d);
      else summary = msg('summaryBare');
      const paras: L10n[] = [];
      if (named && constraining && heldFn && d.want && d.allow) paras.push(msg('explainTypes', d));
      else if (named && wc && d.want && d.allow) paras.push(msg('explainTypesContext', d));
      paras.push(msg('explainWhy'));
      if (constraining && isPseudoLock(constraining) && /^rcu_read_lock/.test(constraining.name)) paras.push(msg('explainRcu', d));
      out.push({
        report: index,
        confidence: named ? 0.82 : 0.7,
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [named && constraining && heldFn ? msg('stepHeld', d) : named ? msg('stepContext', d) : msg('stepBare')],
        facts: { lock: lock?.name ?? null, waitType: d.wantRaw ?? null, constrainedBy: constraining?.name ?? (wc ? `context-${raw(wc.outer, wc.inner)}` : null), heldIn: heldFn, takenIn: taker },
      });
    });
    return out;
  },
};
