// Lockdep "inconsistent lock state": a lock taken in an interrupt context and elsewhere with that interrupt enabled, a single-CPU AA deadlock.

import { paragraphs } from '../reports';
import { baseName, blameReport, culpritOfBlame, dispatcherOf } from '../blame';
import { blameOfLockSite, edgeSite, irqStateRow, isPseudoLock, readLockdep, type UsageState, siteName } from '../lockdep';
import { messenger, type MessageData } from '../messages';
import { USAGE_STATES, type IrqState } from '../../knowledge/lockdep';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: {
    en: '{{fn}} takes {{lock}} {{now}}, while {{regFn}} takes it {{before}}: a potential single-CPU AA deadlock',
    zh: '{{fn}} {{now}}获取 {{lock}}，而 {{regFn}} {{before}}获取它：可能在单个 CPU 上形成 AA 死锁',
  },
  summaryNoReg: {
    en: '{{fn}} takes {{lock}} {{now}}, and lockdep saw it taken {{before}}: a potential single-CPU AA deadlock',
    zh: '{{fn}} {{now}}获取 {{lock}}，而 lockdep 见过它{{before}}被获取：可能在单个 CPU 上形成 AA 死锁',
  },
  summaryNoFn: {
    en: '{{lock}} is taken {{now}} and was taken {{before}}: a potential single-CPU AA deadlock',
    zh: '{{lock}} 现在{{now}}被获取，之前{{before}}被获取：可能在单个 CPU 上形成 AA 死锁',
  },
  summaryBare: { en: 'Lockdep saw a lock used in inconsistent interrupt states: a potential single-CPU AA deadlock', zh: 'lockdep 看到一把锁在不一致的中断状态下被使用：可能在单个 CPU 上形成 AA 死锁' },
  phraseIn: { en: 'in {{context}}', zh: '在{{context}}中' },
  phraseInRead: { en: 'for reading in {{context}}', zh: '在{{context}}中以读方式' },
  phraseOn: { en: 'with {{enabled}} enabled', zh: '在{{enabled}}打开时' },
  phraseOnRead: { en: 'for reading with {{enabled}} enabled', zh: '在{{enabled}}打开时以读方式' },
  explainStates: {
    en: 'Lockdep first saw {{lock}} taken {{before}} ({{from}}){{regAt}}, and now sees it taken {{now}} ({{to}}){{nowAt}}.',
    zh: 'lockdep 先看到 {{lock}} {{before}}被获取（{{from}}）{{regAt}}，现在又看到它{{now}}被获取（{{to}}）{{nowAt}}。',
  },
  explainStatesBare: { en: 'Lockdep saw {{lock}} used in inconsistent interrupt states.', zh: 'lockdep 看到 {{lock}} 在不一致的中断状态下被使用。' },
  explainStatesNone: { en: 'Lockdep saw a lock used in inconsistent interrupt states.', zh: 'lockdep 看到一把锁在不一致的中断状态下被使用。' },
  at: { en: ' in {{fn}}', zh: '，位置在 {{fn}}' },
  explainAA: {
    en: 'If code in {{context}} runs on a CPU that is inside a critical section of {{lock}} taken with {{enabled}} enabled, and takes {{lock}} too, it spins on a lock its own CPU holds and never gets it: a single-CPU AA deadlock, seen later as a soft or hard lockup. The interrupt state is not corrupted; the lock is shared between {{context}} and code that does not disable {{enabled}} while holding it.',
    zh: '如果某个 CPU 正处在以{{enabled}}打开方式获取的 {{lock}} 临界区内，而{{context}}中的代码在该 CPU 上运行并同样获取 {{lock}}，它就会在本 CPU 已持有的锁上自旋、永远拿不到：单 CPU 的 AA 死锁，之后表现为 soft lockup 或 hard lockup。中断状态本身并没有被破坏；问题是这把锁被{{context}}和持锁时不关闭{{enabled}}的代码共用。',
  },
  explainAABare: {
    en: 'An interrupt that takes the lock on a CPU already inside its critical section spins on a lock its own CPU holds: a single-CPU AA deadlock, seen later as a soft or hard lockup.',
    zh: '如果中断在某个 CPU 已处于该锁临界区时又获取这把锁，就会在本 CPU 已持有的锁上自旋：单 CPU 的 AA 死锁，之后表现为 soft lockup 或 hard lockup。',
  },
  explainCallback: {
    en: 'The task holds {{pseudo}}, taken in {{fn}}: the path that takes {{lock}} here is a callback {{fn}} runs.',
    zh: '任务持有 {{pseudo}}，它是在 {{fn}} 中获取的：这里获取 {{lock}} 的路径是由 {{fn}} 运行的回调。',
  },
  explainFix: {
    en: 'Every user that takes {{lock}} with {{enabled}} enabled must disable them while it holds the lock ({{fix}}), or {{fn}} must stop taking it from {{context}}.',
    zh: '所有在{{enabled}}打开时获取 {{lock}} 的使用者在持锁期间都必须关闭它（{{fix}}），或者 {{fn}} 不能再在{{context}}中获取它。',
  },
  explainFixBare: { en: 'Every user of the lock must disable the interrupt kind that also takes it, while it holds the lock.', zh: '这把锁的每个使用者在持锁期间都必须关闭同样会获取它的那类中断。' },
  evHeader: { en: 'Lockdep found a lock used in inconsistent interrupt states.', zh: 'lockdep 发现一把锁在不一致的中断状态下被使用。' },
  evUsage: { en: 'First {{before}} ({{from}}), now {{now}} ({{to}}).', zh: '先是{{before}}（{{from}}），现在是{{now}}（{{to}}）。' },
  evTakes: { en: '{{fn}} takes {{lock}} {{now}}: the acquisition reached from both contexts.', zh: '{{fn}} {{now}}获取 {{lock}}：从两种上下文都会走到的这次获取。' },
  evTakesNoSite: { en: '{{lock}} is taken {{now}}.', zh: '{{lock}} {{now}}被获取。' },
  evRegistered: { en: 'The stack of the {{from}} use follows.', zh: '下面是 {{from}} 用法的调用栈。' },
  evRegisteredSite: { en: '{{regFn}} took {{lock}} {{before}}: the other context.', zh: '{{regFn}} {{before}}获取了 {{lock}}：另一种上下文。' },
  evContext: { en: 'The task flags {{flags}}: it runs {{where}}.', zh: '任务标志 {{flags}}：它运行在{{where}}。' },
  whereSoftirq: { en: 'in softirq context', zh: '软中断上下文中' },
  whereHardirq: { en: 'in hard-interrupt context', zh: '硬中断上下文中' },
  whereTask: { en: 'in task context', zh: '任务上下文中' },
  evCallback: { en: '{{fn}} holds {{pseudo}}: the lock is taken from a callback {{fn}} runs.', zh: '{{fn}} 持有 {{pseudo}}：这把锁是在 {{fn}} 运行的回调中获取的。' },
  explainBits: {
    en: 'The usage bits {{bits}} show it: "?" in the {{state}} position means {{lock}} is taken both in {{context}} and with {{enabled}} enabled.',
    zh: '用法位 {{bits}} 说明了这一点：{{state}} 位置上的 "?" 表示 {{lock}} 既在{{context}}中获取，又在{{enabled}}打开时获取。',
  },
  stepFixUsers: {
    en: 'Take {{lock}} with {{fix}} (and the matching unlock) wherever it is taken with {{enabled}} enabled{{regHint}}.',
    zh: '在所有{{enabled}}打开时获取 {{lock}} 的地方改用 {{fix}}（以及配对的解锁）{{regHint}}。',
  },
  regHint: { en: ', starting with {{fn}}', zh: '，先从 {{fn}} 开始' },
  stepDefer: {
    en: 'Or stop taking {{lock}} in {{context}}: move what {{fn}} does under it to process context (a workqueue, or a deferred release).',
    zh: '或者不要在{{context}}中获取 {{lock}}：把 {{fn}} 在锁下做的事情移到进程上下文（工作队列，或延迟释放）。',
  },
  stepGrep: {
    en: 'List every user of {{lock}} (grep for the lock field) and check each one: lockdep reports only the first inconsistent pair it sees.',
    zh: '列出 {{lock}} 的所有使用者（grep 锁字段）并逐个检查：lockdep 只报告它看到的第一对不一致用法。',
  },
  stepGrepBare: { en: 'List every user of the lock and check that each disables the interrupt kind that also takes it.', zh: '列出这把锁的所有使用者，检查每个使用者是否关闭了同样会获取它的那类中断。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

function phrase(s: UsageState | null): L10n | null {
  const row = irqStateRow(s?.state ?? null);
  if (!s || !row) return null;
  if (s.inContext) return msg(s.write ? 'phraseIn' : 'phraseInRead', { context: row.context });
  return msg(s.write ? 'phraseOn' : 'phraseOnRead', { enabled: row.enabled });
}

export const lockdepInconsistent: Rule = {
  meta: {
    id: 'KT-lockdep-inconsistent',
    rootCauseClass: 'deadlock-aa',
    summary: { en: 'A lock is taken in interrupt (or softirq) context and elsewhere with that interrupt enabled: a single-CPU AA deadlock', zh: '一把锁既在（软）中断上下文中获取，又在别处以该中断打开的状态获取：单 CPU 的 AA 死锁' },
    docs: {
      en: `Looks for "WARNING: inconsistent lock state" and "inconsistent {A} -> {B} usage". For
example {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}: the lock was once taken with softirqs enabled ("state
was registered at" shows where) and is now taken inside a softirq ("takes: ... at:"). If the
softirq arrives on a CPU while the first path holds the lock, the handler spins on a lock its
own CPU holds, forever (the "<Interrupt>" scenario lockdep prints): a potential single-CPU AA
deadlock, not a corruption of the interrupt state. HARDIRQ is the same with hard interrupts.
The culprit is the current acquisition, the function reached from both contexts; the usage
bits {+.?.} and the held locks (a timer or work pseudo-lock names the callback) are shown.
What to do: every user that takes the lock with the interrupt enabled must disable it while
holding the lock (spin_lock_irqsave() for hardirq users, spin_lock_bh() for softirq users),
or the interrupt path must stop taking the lock (defer the work to process context).`,
      zh: `匹配 "WARNING: inconsistent lock state" 和 "inconsistent {A} -> {B} usage"。例如
{SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}：这把锁曾在软中断打开的状态下被获取（"state was registered at"
给出了位置），现在又在软中断中被获取（"takes: ... at:"）。如果第一条路径持锁时同一 CPU 上来了软中断，
处理函数就会在本 CPU 已持有的锁上永远自旋（lockdep 打印的 "<Interrupt>" 场景）：这是潜在的单 CPU
AA 死锁，而不是中断状态被破坏。HARDIRQ 是硬中断的同类问题。
嫌疑对象是当前这次获取，即从两种上下文都会走到的函数；同时给出 {+.?.} 用法位和持有的锁（定时器或
工作项的伪锁说明了是哪个回调）。
处理办法：所有在中断打开时获取这把锁的使用者在持锁期间都必须关闭该中断（硬中断用
spin_lock_irqsave()，软中断用 spin_lock_bh()），或者中断路径不再获取这把锁（把工作推迟到进程上下文）。`,
    },
    references: ['Documentation/locking/lockdep-design.rst (state rules)', 'Documentation/kernel-hacking/locking.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if (lockdep.kind !== 'inconsistent' || lockdep.headerLine === null) return;
      const lock = lockdep.acquiring;
      const from = lockdep.usage?.fromState ?? null;
      const to = lockdep.usage?.toState ?? null;
      const row = irqStateRow(to?.state ?? from?.state ?? null);
      const before = phrase(from);
      const now = phrase(to);
      const regSite = edgeSite({ frames: lockdep.registered });
      const regFn = regSite?.frame.function ? baseName(regSite.frame.function) : null;
      const takes = blameOfLockSite(lock?.at);
      const c = takes ?? blameReport(r, 'context');
      const fn = takes?.function ?? null;
      const name = lock?.name ?? null;
      const d: MessageData = {
        lock: name,
        fn,
        regFn,
        now,
        before,
        from: lockdep.usage?.from,
        to: lockdep.usage?.to,
        context: row?.context,
        enabled: row?.enabled,
        fix: row?.fix,
        regAt: regFn ? msg('at', { fn: regFn }) : null,
        nowAt: fn ? msg('at', { fn }) : null,
      };
      // A dispatcher's pseudo-lock among the held locks names the callback the interrupt path runs.
      const callback = (lockdep.heldLists[0]?.locks ?? []).find((l) => isPseudoLock(l) && l.at && dispatcherOf(l.at.function) !== null) ?? null;

      const evidence: FindingDraft['evidence'] = [{ line: lockdep.headerLine, note: msg('evHeader') }];
      if (lockdep.usage && now && before) evidence.push({ line: lockdep.usage.line, note: msg('evUsage', d) });
      if (lockdep.context && (lockdep.context.softirq || lockdep.context.hardirq || now)) {
        const flags = ctx.line(lockdep.context.line)?.text.match(/\[HC\d\[\d\]:SC\d\[\d\]:HE\d:SE\d\]/)?.[0] ?? null;
        if (flags) evidence.push({ line: lockdep.context.line, note: msg('evContext', { flags, where: msg(lockdep.context.hardirq ? 'whereHardirq' : lockdep.context.softirq ? 'whereSoftirq' : 'whereTask') }) });
      }
      if (lock && now) evidence.push({ line: lock.at?.line ?? lock.line, note: fn ? msg('evTakes', d) : msg('evTakesNoSite', d) });
      if (lockdep.registeredLine !== null && lockdep.usage) evidence.push({ line: lockdep.registeredLine, note: msg('evRegistered', d) });
      if (regSite && name && before) evidence.push({ line: regSite.frame.line, note: msg('evRegisteredSite', d) });
      if (callback?.at) evidence.push({ line: callback.line, note: msg('evCallback', { pseudo: callback.name, fn: siteName(callback.at) }) });

      let summary: L10n;
      if (!name || !now || !before) summary = msg('summaryBare');
      else if (fn && regFn) summary = msg('summary', d);
      else if (fn) summary = msg('summaryNoReg', d);
      else summary = msg('summaryNoFn', d);

      const full = name && now && before && row;
      const paras: L10n[] = [full ? msg('explainStates', d) : name ? msg('explainStatesBare', { lock: name }) : msg('explainStatesNone')];
      if (full && lock?.usage && usageChar(lock.usage, row.state) === '?') paras.push(msg('explainBits', { ...d, bits: `{${lock.usage}}`, state: row.state }));
      paras.push(full ? msg('explainAA', d) : msg('explainAABare'));
      if (callback?.at && name) paras.push(msg('explainCallback', { pseudo: callback.name, fn: siteName(callback.at), lock: name }));
      paras.push(full && fn ? msg('explainFix', d) : msg('explainFixBare'));

      const nextSteps: L10n[] = full
        ? [msg('stepFixUsers', { ...d, regHint: regFn ? msg('regHint', { fn: regFn }) : null }), ...(fn ? [msg('stepDefer', d)] : []), msg('stepGrep', d)]
        : [msg('stepGrepBare')];

      out.push({
        report: index,
        confidence: lockdep.usage ? 0.82 : 0.7,
        summary,
        explanation: paragraphs(paras),
        evidence: dedupe(evidence),
        culprit: culpritOfBlame(c),
        nextSteps,
        facts: {
          lock: name,
          usageBits: lock?.usage ?? null,
          from: lockdep.usage?.from ?? null,
          to: lockdep.usage?.to ?? null,
          interrupt: row?.state ?? null,
          takenIn: fn,
          registeredIn: regFn,
          callback: (callback?.at ? siteName(callback.at) : null),
        },
      });
    });
    return out;
  },
};

/** The write-usage character of a state in `{....}`: two characters (write, read) per state, in USAGE_STATES order. */
function usageChar(bits: string, state: IrqState): string | null {
  const i = USAGE_STATES.indexOf(state);
  return i < 0 ? null : (bits[2 * i] ?? null);
}

/** One note per line: the first (most specific) wins. */
function dedupe(evidence: FindingDraft['evidence']): FindingDraft['evidence'] {
  const seen = new Set<number>();
  return evidence.filter((e) => (seen.has(e.line) ? false : (seen.add(e.line), true)));
}
