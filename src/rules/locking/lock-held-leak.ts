// Locks (or an atomic count) still held where none may be: on return to user space, at task exit, after a work item.

import { paragraphs } from '../reports';
import { decodePreempt } from '../../decode';
import { blameOfSite, blameReport, culpritOfBlame } from '../blame';
import { decodingRelease, moduleMessageBefore, scheduleBugs } from '../facts';
import { blameLeakedLock, isPseudoLock, leakedLock, readLockdep, type LeakPoint, siteName } from '../lockdep';
import { messenger, type MessageData } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summaryLock: { en: '{{lock}} leaked {{where}}: {{fn}} took it and never released it', zh: '{{where}}泄漏了 {{lock}}：{{fn}} 获取了它却从未释放' },
  summaryLockNoSite: { en: '{{lock}} leaked {{where}}', zh: '{{where}}泄漏了 {{lock}}' },
  summaryCount: { en: 'The work function {{fn}} returned with {{what}}', zh: '工作函数 {{fn}} 返回时{{what}}' },
  summaryWork: { en: 'The work function {{fn}} returned with a lock held or in atomic context', zh: '工作函数 {{fn}} 返回时仍持有锁或处于原子上下文' },
  summaryBare: { en: 'A lock was still held {{where}}', zh: '{{where}}仍持有锁' },
  whereUser: { en: 'on return to user space', zh: '返回用户态时' },
  whereExit: { en: 'at task exit', zh: '任务退出时' },
  whereWork: { en: 'after a work item finished', zh: '工作项执行结束后' },
  whereNone: { en: 'where the task must hold no lock', zh: '在任务不允许持锁的地方' },
  countBhOne: { en: 'bottom halves disabled once (an unreleased spin_lock_bh() or local_bh_disable())', zh: '软中断（BH）仍被关闭一次（有一个 spin_lock_bh() 或 local_bh_disable() 没有释放）' },
  countBhMany: { en: 'bottom halves disabled {{n}} times (unreleased spin_lock_bh() or local_bh_disable() calls)', zh: '软中断（BH）仍被关闭 {{n}} 次（有 spin_lock_bh() 或 local_bh_disable() 没有释放）' },
  countPreemptOne: { en: 'preemption disabled once (an unreleased spin_lock() or preempt_disable())', zh: '抢占仍被关闭一次（有一个 spin_lock() 或 preempt_disable() 没有释放）' },
  countPreemptMany: { en: 'preemption disabled {{n}} times (unreleased spin_lock() or preempt_disable() calls)', zh: '抢占仍被关闭 {{n}} 次（有 spin_lock() 或 preempt_disable() 没有释放）' },
  both: { en: '{{a}} and {{b}}', zh: '{{a}}，并且{{b}}' },
  countBhLockOne: { en: 'a spin_lock_bh() still held (0x200 for bottom halves and 1 for the lock)', zh: '一个 spin_lock_bh() 仍被持有（BH 占 0x200，锁本身占 1）' },
  countBhLockMany: { en: '{{n}} spin_lock_bh() locks still held (0x200 for bottom halves and 1 for the lock, each)', zh: '{{n}} 个 spin_lock_bh() 仍被持有（每个 BH 占 0x200，锁本身占 1）' },
  explainCheck: { en: 'The kernel checks {{where}} that the task holds no lock. Still held: {{list}}.', zh: '内核{{where}}会检查任务是否还持有锁。仍被持有的锁：{{list}}。' },
  explainCheckBare: { en: 'The kernel checks {{where}} that the task holds no lock, and found one held.', zh: '内核{{where}}会检查任务是否还持有锁，结果发现仍有锁被持有。' },
  heldItem: { en: '{{lock}} (taken in {{fn}})', zh: '{{lock}}（在 {{fn}} 中获取）' },
  explainLeak: {
    en: 'Nothing will release {{lock}} now: the next task that takes it blocks forever (a hang that looks unrelated), so this report is the root cause of later hung-task or lockup reports on the same lock.',
    zh: '现在已经没有代码会释放 {{lock}} 了：下一个获取它的任务会永远阻塞（看起来像无关的挂死），所以这个报告就是之后同一把锁上 hung task 或 lockup 报告的根因。',
  },
  explainRcu: {
    en: 'An RCU read-side critical section ({{lock}}) that is never left blocks every grace period: synchronize_rcu() callers and RCU callbacks wait forever, and later RCU stall reports are its consequence.',
    zh: '一个永远不退出的 RCU 读端临界区（{{lock}}）会阻塞所有宽限期：synchronize_rcu() 的调用者和 RCU 回调都会永远等待，之后的 RCU stall 报告都是它的后果。',
  },
  explainCount: {
    en: 'The workqueue printed the preempt count {{count}} when {{fn}} returned: it decodes to {{what}}. No lock is listed, so what leaked is a count: {{fn}}, or something it called, disabled and did not re-enable.',
    zh: '{{fn}} 返回时工作队列打印的 preempt count 为 {{count}}：解码为{{what}}。没有列出任何锁，所以泄漏的是计数：{{fn}} 或它调用的函数关闭后没有重新打开。',
  },
  explainCountNoLockdep: {
    en: 'The workqueue printed the preempt count {{count}} when {{fn}} returned: it decodes to {{what}}. This kernel prints no held-lock list (lockdep is off), so the count is the whole record: {{fn}}, or something it called, took this and did not release it.',
    zh: '{{fn}} 返回时工作队列打印的 preempt count 为 {{count}}：解码为{{what}}。这个内核不打印持锁列表（lockdep 未开启），所以计数就是全部记录：{{fn}} 或它调用的函数获取了这些却没有释放。',
  },
  explainRepeat: {
    en: 'The same lock ({{lock}} at {{address}}) was already reported held at line {{line}}: this report repeats that leak, and whatever ran since is not its cause.',
    zh: '同一把锁（{{lock}}，地址 {{address}}）在第 {{line}} 行已经被报告为仍被持有：这条报告只是重复那次泄漏，之后运行的代码并不是原因。',
  },
  explainWork: { en: 'The workqueue checks after each work item that it left no lock held and no atomic count set; {{fn}} was the work function that just ran.', zh: '工作队列会在每个工作项结束后检查它是否留下了持有的锁或原子计数；{{fn}} 就是刚运行的工作函数。' },
  explainTrace: { en: 'The call trace only shows the check that noticed the leak; the leak is in the code that ran before it.', zh: '调用栈只显示发现泄漏的检查本身；泄漏发生在此之前运行的代码里。' },
  evSaid: { en: 'The module {{module}} printed this just before: the path that leaked.', zh: '模块 {{module}} 紧接着之前打印了这条信息：发生泄漏的路径。' },
  evLater: { en: 'The same worker then slept with the count {{raw}} still set: a consequence.', zh: '随后同一个 worker 带着仍未清除的计数 {{raw}} 睡眠：这是后果。' },
  explainSaid: { en: 'The module {{module}} printed "{{text}}" just before: that path is the one to read first.', zh: '模块 {{module}} 在此之前打印了 "{{text}}"：应当首先阅读这条路径。' },
  explainLater: {
    en: 'The "scheduling while atomic" of {{task}} at line {{line}} ({{raw}}) is a consequence: the worker went to sleep with the leaked count still set.',
    zh: '第 {{line}} 行 {{task}} 的 "scheduling while atomic"（{{raw}}）是后果：worker 带着泄漏的计数进入了睡眠。',
  },
  evHeader: { en: 'A lock or atomic section is still held {{where}}.', zh: '{{where}}仍持有锁或处于原子区间。' },
  evList: { en: 'Lockdep lists the locks the task still holds.', zh: 'lockdep 列出了任务仍持有的锁。' },
  evLock: { en: '{{lock}} was taken in {{fn}} and never released.', zh: '{{lock}} 在 {{fn}} 中获取后从未释放。' },
  evLockNoSite: { en: '{{lock}} was never released.', zh: '{{lock}} 从未被释放。' },
  evWork: { en: 'The work function that just ran: {{fn}}.', zh: '刚运行的工作函数：{{fn}}。' },
  evCount: { en: 'Preempt count {{count}}: {{what}}.', zh: 'preempt count {{count}}：{{what}}。' },
  stepRead: { en: 'Read {{fn}}: every return after it takes {{lock}} must release it (goto and error paths first).', zh: '阅读 {{fn}}：获取 {{lock}} 之后的每个返回点都必须释放它（先看 goto 和错误分支）。' },
  stepCallers: { en: 'If {{fn}} returns with the lock held by design, the release belongs to its callers: check their error paths, down from the work function {{work}}.', zh: '如果 {{fn}} 按设计就是持锁返回的，释放应由它的调用者负责：从工作函数 {{work}} 往下检查调用者的错误分支。' },
  stepCallersBare: { en: 'If {{fn}} returns with the lock held by design, the release belongs to its callers: check their error paths.', zh: '如果 {{fn}} 按设计就是持锁返回的，释放应由它的调用者负责：检查调用者的错误分支。' },
  stepReadWork: { en: 'Read {{fn}} and what it calls: every path must undo what it disabled before it returns (error paths first).', zh: '阅读 {{fn}} 及其调用的函数：每条路径在返回前都必须恢复它关闭的东西（先看错误分支）。' },
  stepReadBare: { en: 'Read the code the task ran before this check: every return after a lock must release it.', zh: '阅读任务在这次检查之前运行的代码：加锁之后的每个返回点都必须解锁。' },
  stepConsequence: { en: 'Check the log after this report for hung tasks, lockups or RCU stalls: they are consequences of this leak.', zh: '检查日志中此报告之后有没有 hung task、lockup 或 RCU stall：它们都是这次泄漏的后果。' },
  stepBhPairs: {
    en: 'Check each spin_lock_bh()/local_bh_disable() on that path for its _bh release: a plain spin_unlock() of a _bh lock drops the lock but leaves bottom halves disabled.',
    zh: '检查这条路径上的每个 spin_lock_bh()/local_bh_disable() 是否都有对应的 _bh 释放：用普通 spin_unlock() 释放 _bh 锁会放掉锁，却让 BH 仍然关闭。',
  },
  stepBhLockPairs: {
    en: 'Check each spin_lock_bh() on that path for its spin_unlock_bh() on every return, early returns first: the work returned with the lock itself still held.',
    zh: '检查这条路径上的每个 spin_lock_bh() 是否在每个返回点都有对应的 spin_unlock_bh()，先看提前返回：工作函数返回时锁本身仍被持有。',
  },
  stepPreemptPairs: {
    en: 'Check each spin_lock()/preempt_disable() on that path for its release, on the error paths first.',
    zh: '检查这条路径上的每个 spin_lock()/preempt_disable() 是否都有对应的释放，先看错误分支。',
  },
  stepProve: { en: 'Reproduce with CONFIG_PROVE_LOCKING=y and CONFIG_DEBUG_ATOMIC_SLEEP=y: the leak is reported where it happens.', zh: '打开 CONFIG_PROVE_LOCKING=y 和 CONFIG_DEBUG_ATOMIC_SLEEP=y 复现：泄漏会在发生的地方被报告。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

const WHERE: Record<LeakPoint, keyof typeof messages> = { 'return-to-user': 'whereUser', 'task-exit': 'whereExit', 'work-item': 'whereWork', 'no-locks': 'whereNone' };

export const lockHeldLeak: Rule = {
  meta: {
    id: 'KT-lock-held-leak',
    rootCauseClass: 'lock-imbalance',
    summary: { en: 'A lock (or an atomic count) was still held where none may be: return to user space, task exit, the end of a work item', zh: '在不允许持锁的地方仍持有锁（或原子计数）：返回用户态、任务退出、工作项结束' },
    docs: {
      en: `Looks for lockdep's "COMM/PID still has locks held!", "lock held when returning to user space!",
"lock held at task exit time!" and the workqueue's "BUG: workqueue leaked lock or atomic:
COMM/0x.../PID" with "last function: FUNC". Each is a check at a point where the held-lock count
must be zero. The held-lock list ("N locks held by COMM/PID:") is read entry by entry (address,
class, wait type, "at:" site); the culprit is the site that took the leaked lock, which was never
released: a missing unlock, usually on an error path. A workqueue leak with no lock listed
leaked a count instead: the printed preempt count is decoded (0x200 per unreleased
spin_lock_bh()/local_bh_disable(), 1 per preempt_disable()/spin_lock()) and the work function
is blamed. A leaked rcu_read_lock() blocks every RCU grace period.
What to do: read the function that took the lock and every return path after it.`,
      zh: `匹配 lockdep 的 "COMM/PID still has locks held!"、"lock held when returning to user space!"、
"lock held at task exit time!"，以及工作队列的 "BUG: workqueue leaked lock or atomic: COMM/0x.../PID"
和 "last function: FUNC"。这些检查都发生在持锁数必须为零的地方。持锁列表（"N locks held by COMM/PID:"）
会被逐条读取（地址、锁类、等待类型、"at:" 位置）；嫌疑对象是获取那把泄漏的锁的位置，锁一直没有释放：
漏了解锁，通常是在错误分支上。如果工作队列泄漏时没有列出任何锁，泄漏的就是计数：解码打印出的 preempt
count（每个未释放的 spin_lock_bh()/local_bh_disable() 为 0x200，每个 preempt_disable()/spin_lock() 为 1），
归咎于工作函数。泄漏的 rcu_read_lock() 会阻塞所有 RCU 宽限期。
处理办法：阅读获取这把锁的函数及其之后的每条返回路径。`,
    },
    references: ['kernel/locking/lockdep.c: debug_check_no_locks_held(), lockdep_sys_exit()', 'kernel/workqueue.c: process_one_work()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    // Leaked locks already reported, by task and address: a later check that finds the same lock repeats the leak.
    const reported = new Map<string, number>();
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if (lockdep.kind !== 'held-at-return' || lockdep.leakPoint === null) return;
      const headerLine = lockdep.workqueue?.line ?? lockdep.headerLine ?? r.headerLine;
      const where = msg(WHERE[lockdep.leakPoint]);
      // The list of the task the check ran for: the first one printed after the header.
      const list = lockdep.heldLists[0] ?? null;
      const leaked = leakedLock(list);
      const wq = lockdep.workqueue;
      const key = leaked?.address && list ? `${list.task}@${leaked.address}` : null;
      const repeatOf = key ? (reported.get(key) ?? null) : null;
      if (key && repeatOf === null) reported.set(key, lockdep.workqueue?.line ?? lockdep.headerLine ?? r.headerLine);
      const decoded = !leaked && wq?.preemptCount ? countOf(wq.preemptCount, decodingRelease(ctx, r)) : null;
      const count = decoded?.text ?? null;
      const countKind = decoded?.kind ?? null;
      const work = wq?.lastFunction ? blameOfSite({ function: wq.lastFunction, offset: null, module: wq.lastFunctionModule, line: wq.lastFunctionLine }, 'callback') : null;
      // What the module said just before, and the sleep the leaked count causes next in the same task.
      const said = moduleMessageBefore(ctx, r, headerLine);
      const later = wq?.pid !== null && wq?.pid !== undefined ? scheduleBugs(ctx).find((b) => b.pid === wq.pid && b.header.no > headerLine) ?? null : null;
      const printed = blameLeakedLock(list);
      const c = printed ?? (wq && !leaked ? work : null) ?? blameReport(r, 'context');
      const fn = printed?.function ?? null;
      const items = (list?.locks ?? []).map((l) => (l.at ? msg('heldItem', { lock: l.name, fn: siteName(l.at) }) : { en: l.name, zh: l.name }));
      const d: MessageData = { where, lock: leaked?.name, fn, list: joinItems(items), count: wq?.preemptCount, what: count };

      const evidence: FindingDraft['evidence'] = [{ line: headerLine, note: msg('evHeader', d) }];
      if (count && wq) evidence.push({ line: wq.line, note: msg('evCount', d) });
      if (wq?.lastFunction && wq.lastFunctionLine !== null) evidence.push({ line: wq.lastFunctionLine, note: msg('evWork', { fn: wq.lastFunction }) });
      if (said) evidence.push({ line: said.no, note: msg('evSaid', { module: said.module }) });
      if (later) evidence.push({ line: later.header.no, note: msg('evLater', { raw: later.raw }) });
      if (list) evidence.push({ line: list.line, note: msg('evList') });
      for (const l of (list?.locks ?? []).slice(-3)) evidence.push({ line: l.line, note: l.at ? msg('evLock', { lock: l.name, fn: siteName(l.at) }) : msg('evLockNoSite', { lock: l.name }) });

      let summary: L10n;
      if (leaked && fn) summary = msg('summaryLock', d);
      else if (leaked) summary = msg('summaryLockNoSite', d);
      else if (count && wq?.lastFunction) summary = msg('summaryCount', { fn: wq.lastFunction, what: count });
      else if (wq?.lastFunction) summary = msg('summaryWork', { fn: wq.lastFunction });
      else summary = msg('summaryBare', d);

      const paras: L10n[] = [];
      if (items.length > 0) paras.push(msg('explainCheck', d));
      else if (!count) paras.push(msg('explainCheckBare', d));
      const lockdepOn = list !== null || lockdep.noLocksHeld !== null;
      if (wq?.lastFunction) paras.push(count ? msg(lockdepOn ? 'explainCount' : 'explainCountNoLockdep', { ...d, fn: wq.lastFunction }) : msg('explainWork', { fn: wq.lastFunction }));
      if (leaked) paras.push(isPseudoLock(leaked) && /^rcu_read_lock/.test(leaked.name) ? msg('explainRcu', d) : msg('explainLeak', d));
      if (repeatOf !== null) paras.unshift(msg('explainRepeat', { ...d, line: repeatOf, address: leaked?.address, work: wq?.lastFunction ?? null }));
      if (said) paras.push(msg('explainSaid', { module: said.module, text: said.text }));
      if (later) paras.push(msg('explainLater', { line: later.header.no, raw: later.raw, task: `${later.comm}/${later.pid}` }));
      if (wq) paras.push(msg('explainTrace'));

      const nextSteps: L10n[] = [];
      if (leaked && fn) nextSteps.push(msg('stepRead', d), wq?.lastFunction && wq.lastFunction !== fn ? msg('stepCallers', { fn, work: wq.lastFunction }) : msg('stepCallersBare', { fn }));
      else if (wq?.lastFunction) nextSteps.push(msg('stepReadWork', { fn: wq.lastFunction }));
      else nextSteps.push(msg('stepReadBare'));
      if (count && countKind) nextSteps.push(msg(countKind === 'bh-lock' ? 'stepBhLockPairs' : countKind === 'bh' ? 'stepBhPairs' : 'stepPreemptPairs'));
      nextSteps.push(msg('stepConsequence'));
      if (!leaked && !count) nextSteps.push(msg('stepProve'));

      out.push({
        report: index,
        confidence: repeatOf !== null ? 0.5 : leaked || count ? 0.85 : wq?.lastFunction ? 0.75 : 0.7,
        summary,
        explanation: paragraphs(paras),
        evidence: dedupe(evidence),
        culprit: culpritOfBlame(c),
        nextSteps,
        facts: {
          where: lockdep.leakPoint,
          locks: (list?.locks ?? []).map((l) => ({ lock: l.name, address: l.address, waitType: l.waitType === null ? null : `${l.waitType}:${l.waitTypeInner ?? l.waitType}`, takenIn: (l.at ? siteName(l.at) : null) })),
          leakedLock: leaked?.name ?? null,
          workFunction: wq?.lastFunction ?? null,
          preemptCount: wq?.preemptCount ?? null,
          repeatOf,
        },
      });
    });
    return out;
  },
};

/** What a leaked count decodes to, as a phrase, and whether BH disables are in it; null when nothing is set. */
function countOf(raw: string, release: string | null): { text: L10n; kind: 'bh-lock' | 'bh' | 'preempt' } | null {
  let pc: ReturnType<typeof decodePreempt>;
  try {
    pc = decodePreempt(Number.parseInt(raw, 16), { release, source: 'might-sleep' });
  } catch {
    return null;
  }
  if (!pc.plausible) return null;
  const bh = pc.softirqDisableDepth;
  const pre = pc.preemptDepth;
  // spin_lock_bh() adds 0x200 and, on a counting kernel, 1 for the lock: equal parts are held _bh locks.
  if (bh > 0 && pre === bh) return { text: bh === 1 ? msg('countBhLockOne') : msg('countBhLockMany', { n: bh }), kind: 'bh-lock' };
  const bhText = bh === 0 ? null : bh === 1 ? msg('countBhOne') : msg('countBhMany', { n: bh });
  const preText = pre === 0 ? null : pre === 1 ? msg('countPreemptOne') : msg('countPreemptMany', { n: pre });
  if (bhText && preText) return { text: msg('both', { a: bhText, b: preText }), kind: 'bh' };
  if (bhText) return { text: bhText, kind: 'bh' };
  return preText ? { text: preText, kind: 'preempt' } : null;
}

function joinItems(items: readonly L10n[]): L10n {
  return { en: items.map((i) => i.en).join(', '), zh: items.map((i) => i.zh).join('、') };
}

function dedupe(evidence: FindingDraft['evidence']): FindingDraft['evidence'] {
  const seen = new Set<number>();
  return evidence.filter((e) => (seen.has(e.line) ? false : (seen.add(e.line), true)));
}
