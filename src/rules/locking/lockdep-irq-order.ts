// Lockdep "X-safe -> X-unsafe lock order" and "irq lock inversion": an irq-safe lock held while taking a lock used with that irq enabled.

import { paragraphs } from '../reports';
import { baseName, blameReport, culpritOfBlame } from '../blame';
import { blameOfLockSite, edgeSite, irqStateRow, readLockdep, type PrintedStack, siteName } from '../lockdep';
import { messenger, type MessageData } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: {
    en: '{{fn}} takes {{unsafe}}, a lock also taken with {{enabled}} enabled, while holding {{safe}}, a lock taken in {{context}}: a potential deadlock through the interrupt',
    zh: '{{fn}} 在持有 {{safe}}（会在{{context}}中获取）时获取了 {{unsafe}}（别处在{{enabled}}打开时获取）：可能经由中断形成死锁',
  },
  summaryNoSafe: {
    en: '{{fn}} takes {{unsafe}}, a lock also taken with {{enabled}} enabled, while holding a lock taken in {{context}}: a potential deadlock through the interrupt',
    zh: '{{fn}} 在持有一把会在{{context}}中获取的锁时获取了 {{unsafe}}（别处在{{enabled}}打开时获取）：可能经由中断形成死锁',
  },
  summaryInversion: {
    en: '{{fn}} changed the state of {{lock}}, which is now ordered against {{other}} in a way an interrupt can invert: a potential deadlock through the interrupt',
    zh: '{{fn}} 改变了 {{lock}} 的状态，它与 {{other}} 的加锁顺序现在可能被中断反转：可能经由中断形成死锁',
  },
  summaryBare: { en: 'Lockdep found an interrupt-safe lock ordered before an interrupt-unsafe one: a potential deadlock through the interrupt', zh: 'lockdep 发现中断安全的锁排在中断不安全的锁之前：可能经由中断形成死锁' },
  explainOrder: {
    en: 'Lockdep saw a new dependency, {{safe}} -> {{unsafe}}, created in {{fn}}. {{safe}} is {{irq}}-safe: it is taken in {{context}}{{safeAt}}. {{unsafe}} is {{irq}}-unsafe: it is taken with {{enabled}} enabled{{unsafeAt}}.',
    zh: 'lockdep 看到一个新依赖 {{safe}} -> {{unsafe}}，它是在 {{fn}} 中建立的。{{safe}} 是 {{irq}} 安全的：它会在{{context}}中被获取{{safeAt}}。{{unsafe}} 是 {{irq}} 不安全的：它会在{{enabled}}打开时被获取{{unsafeAt}}。',
  },
  explainOrderUnnamed: {
    en: 'Lockdep saw a lock that is taken in {{context}} held while another lock, one that is taken with {{enabled}} enabled elsewhere, was taken.',
    zh: 'lockdep 看到在持有一把会在{{context}}中获取的锁时，获取了另一把在别处于{{enabled}}打开时获取的锁。',
  },
  explainOrderBare: { en: 'Lockdep saw an interrupt-safe lock held while a lock that is taken with that interrupt enabled was taken.', zh: 'lockdep 看到在持有中断安全的锁时获取了一把会在该中断打开时获取的锁。' },
  at: { en: ' (in {{fn}})', zh: '（在 {{fn}} 中）' },
  explainDeadlock: {
    en: 'So one CPU can hold {{unsafe}} with {{enabled}} enabled and be interrupted by code in {{context}} that wants {{safe}}, while another CPU holds {{safe}} and waits for {{unsafe}}: neither can go on. Lockdep reports the order before any real hang.',
    zh: '于是一个 CPU 可能在{{enabled}}打开时持有 {{unsafe}}，并被想要 {{safe}} 的{{context}}代码打断，而另一个 CPU 持有 {{safe}} 并在等 {{unsafe}}：谁都无法继续。lockdep 在真正挂死之前就报告了这种顺序。',
  },
  explainDeadlockBare: {
    en: 'One CPU can hold the unsafe lock with the interrupt enabled and be interrupted by code that wants the safe lock, while another CPU holds the safe lock and waits for the unsafe one: neither can go on.',
    zh: '一个 CPU 可能在中断打开时持有不安全的锁，并被想要安全锁的代码打断，而另一个 CPU 持有安全锁并在等不安全的锁：谁都无法继续。',
  },
  evHeader: { en: 'Lockdep found a {{irq}}-safe lock ordered before a {{irq}}-unsafe one.', zh: 'lockdep 发现 {{irq}} 安全的锁排在 {{irq}} 不安全的锁之前。' },
  evHeaderBare: { en: 'Lockdep found an interrupt-safe lock ordered before an interrupt-unsafe one.', zh: 'lockdep 发现中断安全的锁排在中断不安全的锁之前。' },
  evAcquire: { en: '{{fn}} takes {{lock}} here, under the {{irq}}-safe lock.', zh: '{{fn}} 在这里获取 {{lock}}，此时持有 {{irq}} 安全的锁。' },
  evAcquireBare: { en: '{{lock}} is taken here.', zh: '这里获取了 {{lock}}。' },
  evHolding: { en: '{{lock}} is held, taken in {{fn}}.', zh: '{{lock}} 已被持有，是在 {{fn}} 中获取的。' },
  evHoldingBare: { en: '{{lock}} is held.', zh: '{{lock}} 已被持有。' },
  evBecameSafe: { en: 'Where {{safe}} became {{irq}}-safe: {{fn}} takes it in {{context}}.', zh: '{{safe}} 变为 {{irq}} 安全的位置：{{fn}} 在{{context}}中获取它。' },
  evBecameUnsafe: { en: 'Where {{unsafe}} became {{irq}}-unsafe: {{fn}} takes it with {{enabled}} enabled.', zh: '{{unsafe}} 变为 {{irq}} 不安全的位置：{{fn}} 在{{enabled}}打开时获取它。' },
  stepSafe: {
    en: 'Make {{unsafe}} {{irq}}-safe: take it with {{fix}} everywhere it is taken with {{enabled}} enabled{{hint}}; or do not take it under {{safe}}.',
    zh: '让 {{unsafe}} 变为 {{irq}} 安全：在所有{{enabled}}打开时获取它的地方改用 {{fix}}{{hint}}；或者不要在 {{safe}} 之下获取它。',
  },
  hint: { en: ' ({{fn}} is one)', zh: '（{{fn}} 就是其中之一）' },
  stepSafeBare: { en: 'Take the unsafe lock with the interrupt disabled everywhere, or stop taking it under the safe lock.', zh: '在所有地方都关闭该中断来获取不安全的锁，或者不要在安全锁之下获取它。' },
  stepStacks: {
    en: 'The two stacks lockdep prints ("which became ... -irq-safe at" and "... -irq-unsafe at") are the two usages to reconcile.',
    zh: 'lockdep 打印的两个调用栈（"which became ... -irq-safe at" 和 "... -irq-unsafe at"）就是需要统一的两种用法。',
  },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** The function that took the lock on a printed stack. */
function takerOf(s: PrintedStack | null): { fn: string; line: number } | null {
  const site = s ? edgeSite(s) : null;
  return site?.frame.function ? { fn: baseName(site.frame.function), line: site.frame.line } : null;
}

export const lockdepIrqOrder: Rule = {
  meta: {
    id: 'KT-lockdep-irq-order',
    rootCauseClass: 'deadlock-aa',
    summary: { en: 'An interrupt-safe lock is held while taking a lock that is used with that interrupt enabled', zh: '持有中断安全的锁时获取了一把会在该中断打开时使用的锁' },
    docs: {
      en: `Looks for "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected" (SOFTIRQ alike) and
"possible irq lock inversion dependency detected". The task holds a lock that is also taken in
interrupt context (irq-safe) and takes, under it, a lock that elsewhere is taken with that
interrupt enabled (irq-unsafe). One CPU holding the unsafe lock can then be interrupted by code
that wants the safe lock, while another CPU holds the safe lock and waits for the unsafe one.
The culprit is the acquisition that creates the new dependency ("is trying to acquire ... at:",
or the site that "just changed the state of lock"); the stacks under "which became ... at:"
show where each lock got its state.
What to do: make the unsafe lock irq-safe (take it with spin_lock_irqsave() / spin_lock_bh()
everywhere), or stop taking it under the safe lock.`,
      zh: `匹配 "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected"（SOFTIRQ 同理）以及
"possible irq lock inversion dependency detected"。任务持有一把也会在中断上下文中获取的锁（中断安全），
并在其下获取了一把在别处以该中断打开状态获取的锁（中断不安全）。于是一个持有不安全锁的 CPU 可能被想要
安全锁的代码打断，而另一个 CPU 持有安全锁并在等不安全的锁。
嫌疑对象是建立这条新依赖的那次获取（"is trying to acquire ... at:"，或 "just changed the state of lock"
的位置）；"which became ... at:" 下的调用栈给出了每把锁获得其状态的位置。
处理办法：让不安全的锁变为中断安全（在所有地方用 spin_lock_irqsave() / spin_lock_bh() 获取），或者
不要在安全锁之下获取它。`,
    },
    references: ['Documentation/locking/lockdep-design.rst (state rules)', 'kernel/locking/lockdep.c: check_irq_usage()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if ((lockdep.kind !== 'irq-order' && lockdep.kind !== 'irq-inversion') || lockdep.headerLine === null) return;
      const row = irqStateRow(lockdep.irqState);
      const want = lockdep.acquiring;
      const held = lockdep.holding[0] ?? null;
      const safe = lockdep.irqSafe?.name ?? held?.name ?? null;
      const unsafe = lockdep.irqUnsafe?.name ?? want?.name ?? null;
      const b = blameOfLockSite(want?.at);
      const c = b ?? blameReport(r, 'context');
      const fn = b?.function ?? null;
      const safeTaker = takerOf(lockdep.becameSafe);
      const unsafeTaker = takerOf(lockdep.becameUnsafe);
      const d: MessageData = {
        fn,
        safe,
        unsafe,
        irq: row?.state,
        context: row?.context,
        enabled: row?.enabled,
        fix: row?.fix,
        safeAt: safeTaker ? msg('at', { fn: safeTaker.fn }) : null,
        unsafeAt: unsafeTaker ? msg('at', { fn: unsafeTaker.fn }) : null,
        hint: unsafeTaker ? msg('hint', { fn: unsafeTaker.fn }) : null,
      };
      const named = row && safe && unsafe;
      const inversion = lockdep.kind === 'irq-inversion';

      const evidence: FindingDraft['evidence'] = [{ line: lockdep.headerLine, note: row ? msg('evHeader', d) : msg('evHeaderBare') }];
      if (want) evidence.push({ line: want.at?.line ?? want.line, note: fn && row ? msg('evAcquire', { ...d, lock: want.name }) : msg('evAcquireBare', { lock: want.name }) });
      if (held) evidence.push({ line: held.at?.line ?? held.line, note: held.at ? msg('evHolding', { lock: held.name, fn: siteName(held.at) }) : msg('evHoldingBare', { lock: held.name }) });
      if (named && safeTaker) evidence.push({ line: safeTaker.line, note: msg('evBecameSafe', { ...d, fn: safeTaker.fn }) });
      if (named && unsafeTaker) evidence.push({ line: unsafeTaker.line, note: msg('evBecameUnsafe', { ...d, fn: unsafeTaker.fn }) });

      let summary: L10n;
      if (inversion && fn && want && named) summary = msg('summaryInversion', { fn, lock: want.name, other: want.name === safe ? unsafe : safe });
      else if (!inversion && fn && named) summary = msg('summary', d);
      else if (!inversion && fn && row && unsafe) summary = msg('summaryNoSafe', d);
      else summary = msg('summaryBare');

      const paras: L10n[] = [named && fn ? msg('explainOrder', d) : row ? msg('explainOrderUnnamed', d) : msg('explainOrderBare'), named ? msg('explainDeadlock', d) : msg('explainDeadlockBare')];
      out.push({
        report: index,
        confidence: want && named ? 0.78 : 0.65,
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [named ? msg('stepSafe', d) : msg('stepSafeBare'), msg('stepStacks')],
        facts: { variant: lockdep.kind, interrupt: row?.state ?? null, acquiring: want?.name ?? null, holding: held?.name ?? null, irqSafe: safe, irqUnsafe: unsafe, safeTakenIn: safeTaker?.fn ?? null, unsafeTakenIn: unsafeTaker?.fn ?? null },
      });
    });
    return out;
  },
};
