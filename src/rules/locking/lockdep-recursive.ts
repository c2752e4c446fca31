// Lockdep "possible recursive locking" and "BUG: spinlock recursion": a task or CPU takes a lock it already holds (AA), blamed on the outer holder.

import type { Frame } from '../../model/types';
import { baseName, blameSelfDeadlock, culpritOfBlame, detectedAtIp, isReportingLock, type Blame } from '../blame';
import { mainFrames, paragraphs } from '../reports';
import { blameNestedFault, blameReacquisition, readLockdep, siteName } from '../lockdep';
import { messenger, type MessageData } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summaryHolder: {
    en: '{{holder}} takes {{lock}} and, still holding it, calls out to {{reacquirer}}, which takes it again: an AA self-deadlock',
    zh: '{{holder}} 获取 {{lock}} 后在仍持有它的情况下调用到 {{reacquirer}}，后者再次获取这把锁：AA 自死锁',
  },
  summarySame: {
    en: '{{holder}} takes {{lock}} a second time while it already holds it: an AA self-deadlock',
    zh: '{{holder}} 在已持有 {{lock}} 时再次获取它：AA 自死锁',
  },
  summaryContract: {
    en: '{{reacquirer}} takes {{lock}}, which its caller {{holder}} already holds: the callback broke its caller\'s locking contract (AA self-deadlock)',
    zh: '{{reacquirer}} 获取了调用者 {{holder}} 已持有的 {{lock}}：回调违反了调用者的加锁约定（AA 自死锁）',
  },
  summaryNested: {
    en: 'Recursion on {{lock}}, a lock of the oops machinery: {{fn}} faulted again while a fault was being reported',
    zh: '在 oops 机制的锁 {{lock}} 上发生递归：在报告一次异常的过程中，{{fn}} 又发生了异常',
  },
  summaryNestedBare: {
    en: 'Recursion on {{lock}}, a lock of the oops machinery: a second fault happened while a fault was being reported',
    zh: '在 oops 机制的锁 {{lock}} 上发生递归：在报告一次异常的过程中又发生了异常',
  },
  summaryOne: { en: 'Recursive locking of {{lock}} in {{fn}}: an AA self-deadlock', zh: '{{fn}} 中递归获取 {{lock}}：AA 自死锁' },
  summaryLockOnly: { en: 'Recursive locking of {{lock}}: an AA self-deadlock', zh: '递归获取 {{lock}}：AA 自死锁' },
  summaryBare: { en: 'A task takes a lock it already holds: an AA self-deadlock', zh: '任务获取了自己已经持有的锁：AA 自死锁' },
  theLock: { en: 'the lock', zh: '这把锁' },
  explainSites: {
    en: '{{holder}} took {{lock}} first{{heldAt}}; {{reacquirer}} takes it again{{acqAt}}, on the same stack, so the task waits for itself: nothing else can release the lock.',
    zh: '{{holder}} 先获取了 {{lock}}{{heldAt}}；{{reacquirer}} 在同一个调用栈上再次获取它{{acqAt}}，于是任务在等自己：没有其他人能释放这把锁。',
  },
  explainSitesOne: {
    en: '{{fn}} takes {{lock}}, which this task already holds: nothing else can release it.',
    zh: '{{fn}} 获取了本任务已经持有的 {{lock}}：没有其他人能释放它。',
  },
  explainSitesBare: { en: 'The task takes a lock it already holds: nothing else can release it.', zh: '任务获取了自己已经持有的锁：没有其他人能释放它。' },
  printedAt: { en: ' (at {{fn}})', zh: '（在 {{fn}}）' },
  explainPath: { en: 'The path from the outer acquisition to the inner one: {{path}}.', zh: '从外层获取到内层获取的路径：{{path}}。' },
  explainHolder: {
    en: 'The inner acquisition is the victim: {{reacquirer}} takes its lock as it always does. The bug is in {{holder}}, which calls out (through a callback, an ops table or a final put) while it holds {{lock}}: it must drop the lock before that call, or call a variant that expects the lock held.',
    zh: '内层获取是受害者：{{reacquirer}} 一如既往地获取它的锁。bug 在 {{holder}}：它在持有 {{lock}} 时调用出去（经由回调、ops 表或最后一次 put），必须在调用之前释放锁，或者调用要求调用者已持锁的版本。',
  },
  explainContract: {
    en: '{{reacquirer}} runs as a callback of {{holder}}, which calls it with {{lock}} held: a callback must not take a lock its caller holds. The fix belongs in {{reacquirer}} (use the caller\'s locked state, or defer the work).',
    zh: '{{reacquirer}} 作为 {{holder}} 的回调运行，而 {{holder}} 在持有 {{lock}} 时调用它：回调不能获取调用者已持有的锁。应当修改 {{reacquirer}}（利用调用者已持锁的状态，或者推迟这项工作）。',
  },
  explainSameInstance: { en: 'Both acquisitions are of the same lock instance ({{address}}): this is a certain deadlock, not a missing nesting annotation.', zh: '两次获取的是同一个锁实例（{{address}}）：这是必然的死锁，而不是缺少嵌套注解。' },
  explainClasses: {
    en: 'If the two acquisitions are of different objects of one lock class (two sockets, two inodes), lockdep cannot tell them apart: there must be a fixed order, annotated with the *_nested() variants or separate lock classes.',
    zh: '如果两次获取针对的是同一锁类的不同对象（两个 socket、两个 inode），lockdep 无法区分它们：必须有固定的顺序，并用 *_nested() 系列接口或独立的锁类加以注解。',
  },
  explainOwner: { en: 'The spinlock debug check found the lock\'s owner is the task that takes it ({{owner}}, CPU {{cpu}}): a self-recursion, not contention.', zh: '自旋锁调试检查发现这把锁的持有者就是正在获取它的任务（{{owner}}，CPU {{cpu}}）：这是自我递归，而不是竞争。' },
  explainNested: {
    en: '{{lock}} belongs to the oops and die machinery. Taking it twice means a second fault happened while the first was being reported: the stack printed just before the report shows where ({{fn}}). The locking is the symptom; fix the fault.',
    zh: '{{lock}} 属于 oops 和 die 机制。它被获取两次，说明在报告第一次异常时又发生了第二次异常：报告之前打印的调用栈给出了位置（{{fn}}）。加锁只是症状；要修的是那次异常。',
  },
  explainNestedBare: {
    en: '{{lock}} belongs to the oops and die machinery. Taking it twice means a second fault happened while the first was being reported; the locking is the symptom.',
    zh: '{{lock}} 属于 oops 和 die 机制。它被获取两次，说明在报告第一次异常时又发生了第二次异常；加锁只是症状。',
  },
  evHeaderLockdep: { en: 'Lockdep found a lock taken again by the task that holds it.', zh: 'lockdep 发现持有锁的任务再次获取了它。' },
  evHeaderSpin: { en: 'The spinlock debug check found this CPU already owns the lock.', zh: '自旋锁调试检查发现本 CPU 已经持有这把锁。' },
  evAcquire: { en: 'The second acquisition of {{lock}}, at {{fn}}.', zh: '第二次获取 {{lock}}，位置在 {{fn}}。' },
  evHeld: { en: 'The first acquisition of {{lock}}, at {{fn}}.', zh: '第一次获取 {{lock}}，位置在 {{fn}}。' },
  evOwner: { en: 'The owner is {{owner}} on CPU {{cpu}}: the task that takes the lock.', zh: '持有者是 CPU {{cpu}} 上的 {{owner}}：也就是正在获取这把锁的任务。' },
  evHolderFrame: { en: '{{fn}} holds the lock here and calls out.', zh: '{{fn}} 在这里持有锁并调用出去。' },
  evReacquirerFrame: { en: '{{fn}} takes the lock again.', zh: '{{fn}} 再次获取这把锁。' },
  evNested: { en: '{{fn}}: where the nested fault happened, printed before the report.', zh: '{{fn}}：嵌套异常发生的位置，打印在报告之前。' },
  stepReadHolder: {
    en: 'Read {{holder}} from where it takes {{lock}} to the call that leads to {{reacquirer}}: drop the lock before that call, or call a variant that expects it held.',
    zh: '阅读 {{holder}} 从获取 {{lock}} 到最终调用到 {{reacquirer}} 的那段代码：在该调用之前释放锁，或者调用要求已持锁的版本。',
  },
  stepReadContract: {
    en: 'Read {{reacquirer}}: it runs with {{lock}} held by {{holder}}; it must not take that lock (use the caller\'s state, or defer the work).',
    zh: '阅读 {{reacquirer}}：它运行时 {{holder}} 持有 {{lock}}；它不能再获取这把锁（利用调用者的状态，或者推迟这项工作）。',
  },
  stepReadOne: { en: 'Read {{fn}} and its callers: find where {{lock}} is already held on this path.', zh: '阅读 {{fn}} 及其调用者：找出这条路径上 {{lock}} 已经被持有的地方。' },
  stepReadBare: { en: 'Read the stack from the lock primitive outward: find the caller that already holds the lock.', zh: '从锁原语开始向外阅读调用栈：找出已经持有这把锁的调用者。' },
  stepBt: { en: 'crash> bt -f     (the lock addresses passed to both acquisitions)', zh: 'crash> bt -f（两次获取时传入的锁地址）' },
  stepNested: { en: 'Read {{fn}}: the fault there happened while another fault was being reported; fix it and the recursion goes away.', zh: '阅读 {{fn}}：那里的异常发生在报告另一次异常的过程中；修好它，递归自然消失。' },
  stepNestedBare: { en: 'Find the first fault in the log before this report: the recursion is its consequence.', zh: '在日志中找出此报告之前的第一次异常：这次递归是它的后果。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

const SPIN_HEADER = /BUG: (?:spinlock|rwlock) recursion/;

/** Base names from line `outer` in to line `inner` of a stack (call order), for the path sentence. */
function pathBetween(frames: readonly Frame[], inner: number | null, outer: number | null): string[] {
  if (inner === null || outer === null) return [];
  const i = frames.findIndex((f) => f.line === inner);
  const o = frames.findIndex((f) => f.line === outer);
  if (i < 0 || o < 0 || o <= i) return [];
  return frames.slice(i, o + 1).filter((f) => f.reliable && f.function).map((f) => baseName(f.function as string)).reverse();
}

export const lockdepRecursive: Rule = {
  meta: {
    id: 'KT-lockdep-recursive',
    rootCauseClass: 'deadlock-aa',
    summary: { en: 'A task takes a lock it already holds: an AA self-deadlock, blamed on the outer holder that called out', zh: '任务获取自己已经持有的锁：AA 自死锁，归咎于持锁后调用出去的外层持有者' },
    docs: {
      en: `Looks for "WARNING: possible recursive locking detected" and "BUG: spinlock recursion" /
"BUG: rwlock recursion". The task takes a lock L it already holds (the same lock, or another
instance of its class). The inner acquisition is usually innocent: it takes its lock as it
always does. The bug is the outer holder, which called out (through a callback, an ops table
or a final put) while holding L. So the culprit is the first acquisition ("but task is already
holding lock: ... at:", or the caller the stack shows for a spinlock recursion); the explanation
shows both sites and the path between them. Exceptions: module code that takes a lock its core
caller holds, or a callback a dispatcher entered, broke its caller's contract and is blamed;
recursion on a lock of the oops machinery (die_lock, terminate_lock) is a second fault while a
fault was being reported, blamed on the fault printed before it (class other).
For two instances of one class (two inodes, parent and child) it is safe only with a fixed
order told to lockdep (mutex_lock_nested(), spin_lock_nested(), lockdep_set_class()).
What to do: drop the lock before calling out, or call a variant that expects the lock held.`,
      zh: `匹配 "WARNING: possible recursive locking detected" 以及 "BUG: spinlock recursion" /
"BUG: rwlock recursion"。任务获取了它已经持有的锁 L（同一把锁，或同一锁类的另一个实例）。内层获取
通常是无辜的：它一如既往地获取自己的锁。bug 在外层持有者：它持有 L 时调用出去（经由回调、ops 表或
最后一次 put）。所以嫌疑对象是第一次获取（"but task is already holding lock: ... at:"，或者自旋锁递归时
调用栈上的调用者）；解释中给出两处获取以及它们之间的路径。例外：获取其核心调用者已持有的锁的模块代码，
或者由分发器调用的回调，违反了调用者的约定，归咎于它；在 oops 机制的锁（die_lock、terminate_lock）上
递归，说明在报告一次异常时又发生了异常，归咎于报告之前打印的那次异常（类别 other）。
如果是同类的两个实例（两个 inode、父子节点），只有在顺序固定并告诉 lockdep（mutex_lock_nested()、
spin_lock_nested()、lockdep_set_class()）时才是安全的。
处理办法：在调用出去之前释放锁，或者调用要求已持锁的版本。`,
    },
    references: ['Documentation/locking/lockdep-design.rst (nested locking)', 'kernel/locking/spinlock_debug.c: spin_bug()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      const headerLine = lockdep.kind === 'recursive' ? lockdep.headerLine : findSpinHeader(ctx, r);
      if (headerLine === null || (lockdep.kind !== 'recursive' && lockdep.kind !== 'other')) return;
      const spin = lockdep.kind !== 'recursive';
      // Every frame of the report's own traces: a console may have cut one stack into several.
      const frames = mainFrames(r);
      const want = lockdep.acquiring;
      const held = lockdep.holding[0] ?? null;
      const debugLock = lockdep.spinDebug?.lock ?? null;
      const lockName = want?.name ?? held?.name ?? (debugLock && !/^0x/.test(debugLock) ? debugLock : null);
      // Recursion on a lock of the oops machinery: a second fault while the first was being reported.
      const reporting = debugLock !== null && isReportingLock(debugLock);
      const nested = reporting ? blameNestedFault(ctx, r) : null;
      const re = !reporting ? blameReacquisition(lockdep, frames) : null;
      const self = !reporting && !re ? blameSelfDeadlock(frames, { detectedIn: detectedAtIp(r) }) : null;
      const c: Blame = nested ?? re?.blame ?? self ?? { function: null, module: null, line: null, location: null, basis: 'own', callback: null, related: [] };

      // The two acquisitions: printed sites when lockdep gives them, else the blame walk's pair.
      const pair = re ?? pairOf(self);
      const contract = c.basis === 'callback' || c.basis === 'module';
      const holder = pair?.holder ? nameOf(pair.holder) : null;
      const reacquirer = pair?.reacquirer ? nameOf(pair.reacquirer) : null;
      const path = re ? re.path : pathBetween(frames, pair?.reacquirer?.line ?? null, pair?.holder?.line ?? null);
      // A lock the debug check prints by address only is named by its address.
      const lock = lockName ?? debugLock ?? msg('theLock');
      const d: MessageData = {
        lock,
        holder,
        reacquirer,
        fn: c.function,
        heldAt: held?.at ? msg('printedAt', { fn: siteName(held.at) }) : null,
        acqAt: want?.at ? msg('printedAt', { fn: siteName(want.at) }) : null,
        path: path.join(' -> '),
      };

      const evidence: FindingDraft['evidence'] = [{ line: headerLine, note: msg(spin ? 'evHeaderSpin' : 'evHeaderLockdep') }];
      if (want?.at) evidence.push({ line: want.line, note: msg('evAcquire', { lock: want.name, fn: siteName(want.at) }) });
      if (held?.at) evidence.push({ line: held.line, note: msg('evHeld', { lock: held.name, fn: siteName(held.at) }) });
      if (lockdep.spinDebug?.owner) evidence.push({ line: lockdep.spinDebug.line, note: msg('evOwner', { owner: lockdep.spinDebug.owner, cpu: lockdep.spinDebug.ownerCpu }) });
      if (nested?.line) evidence.push({ line: nested.line, note: msg('evNested', { fn: nested.function }) });
      if (pair?.holder?.line && holder && pair.holder.line !== held?.line) evidence.push({ line: pair.holder.line, note: msg('evHolderFrame', { fn: holder }) });
      if (pair?.reacquirer?.line && reacquirer && pair.reacquirer.line !== pair.holder?.line) evidence.push({ line: pair.reacquirer.line, note: msg('evReacquirerFrame', { fn: reacquirer }) });

      const paras: L10n[] = [];
      let summary: L10n;
      const nextSteps: L10n[] = [];
      if (reporting) {
        summary = nested?.function ? msg('summaryNested', { lock: debugLock, fn: nested.function }) : msg('summaryNestedBare', { lock: debugLock });
        paras.push(nested?.function ? msg('explainNested', { lock: debugLock, fn: nested.function }) : msg('explainNestedBare', { lock: debugLock }));
        nextSteps.push(nested?.function ? msg('stepNested', { fn: nested.function }) : msg('stepNestedBare'));
      } else {
        if (holder && reacquirer && holder === reacquirer) summary = msg('summarySame', d);
        else if (holder && reacquirer) summary = msg(contract ? 'summaryContract' : 'summaryHolder', d);
        else if (c.function && lockName) summary = msg('summaryOne', { lock: lockName, fn: c.function });
        else if (lockName) summary = msg('summaryLockOnly', { lock: lockName });
        else summary = msg('summaryBare');
        paras.push(holder && reacquirer ? msg('explainSites', d) : c.function ? msg('explainSitesOne', { lock, fn: c.function }) : msg('explainSitesBare'));
        if (path.length >= 2) paras.push(msg('explainPath', d));
        if (holder && reacquirer && holder !== reacquirer) paras.push(msg(contract ? 'explainContract' : 'explainHolder', d));
        if (lockdep.spinDebug?.owner) paras.push(msg('explainOwner', { owner: lockdep.spinDebug.owner, cpu: lockdep.spinDebug.ownerCpu }));
        if (!spin && want?.address && held?.address && want.address === held.address) paras.push(msg('explainSameInstance', { address: want.address }));
        else if (!spin) paras.push(msg('explainClasses'));
        if (holder && reacquirer && holder !== reacquirer) nextSteps.push(msg(contract ? 'stepReadContract' : 'stepReadHolder', d));
        else if (c.function) nextSteps.push(msg('stepReadOne', { lock, fn: c.function }));
        else nextSteps.push(msg('stepReadBare'));
        nextSteps.push(msg('stepBt'));
      }

      out.push({
        report: index,
        ...(reporting ? { rootCauseClass: 'other' as const, secondaryClasses: ['deadlock-aa' as const] } : {}),
        confidence: want && held ? 0.85 : 0.75,
        summary,
        explanation: paragraphs(paras),
        evidence: dedupe(evidence),
        culprit: culpritOfBlame(c),
        nextSteps,
        facts: {
          lock: lockName,
          acquiringIn: (want?.at ? siteName(want.at) : null),
          heldIn: (held?.at ? siteName(held.at) : null),
          holder: pair?.holder?.function ?? null,
          reacquirer: pair?.reacquirer?.function ?? null,
          path,
          sameInstance: want?.address && held?.address ? want.address === held.address : null,
          owner: lockdep.spinDebug?.owner ?? null,
        },
      });
    });
    return out;
  },
};

function findSpinHeader(ctx: Parameters<Rule['check']>[0], r: { startLine: number; endLine: number }): number | null {
  for (let no = r.startLine; no <= r.endLine && no < r.startLine + 40; no++) if (SPIN_HEADER.test(ctx.line(no)?.text ?? '')) return no;
  return null;
}

function nameOf(s: { function: string; module: string | null }): string {
  return s.module ? `${s.function} [${s.module}]` : s.function;
}

/** The holder and re-acquirer of the blame walk's self-deadlock answer. */
function pairOf(b: Blame | null): { holder: { function: string; module: string | null; line: number | null } | null; reacquirer: { function: string; module: string | null; line: number | null } | null } | null {
  if (!b?.function) return null;
  const me = { function: b.function, module: b.module, line: b.line };
  const first = b.related.find((x) => x.role === 'first-acquisition') ?? null;
  const second = b.related.find((x) => x.role === 'second-acquisition') ?? null;
  if (second) return { holder: me, reacquirer: second };
  if (first) return { holder: first, reacquirer: me };
  return { holder: null, reacquirer: me };
}

function dedupe(evidence: FindingDraft['evidence']): FindingDraft['evidence'] {
  const seen = new Set<number>();
  return evidence.filter((e) => (seen.has(e.line) ? false : (seen.add(e.line), true)));
}
