// Lockdep "held lock freed": memory is freed while a lock inside it is still held by the freeing task.

import { paragraphs } from '../reports';
import { blameReport, culpritOfBlame } from '../blame';
import { blameOfLockSite, readLockdep, siteName } from '../lockdep';
import { listOf, messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: { en: 'Memory freed with {{lock}} still held inside it: {{fn}} took the lock and the object went away under it', zh: '内存被释放时其中的 {{lock}} 仍被持有：{{fn}} 获取了这把锁，而对象在它持锁期间被释放' },
  summaryNoSite: { en: 'Memory freed with {{lock}} still held inside it', zh: '内存被释放时其中的 {{lock}} 仍被持有' },
  summaryBare: { en: 'Memory freed while a lock inside it is still held', zh: '内存被释放时其中的一把锁仍被持有' },
  explain: {
    en: 'The task frees memory that contains {{lock}}, and it still holds that lock: it took it in {{fn}}. The unlock that follows writes into freed memory, and anyone waiting on the lock waits on freed memory.',
    zh: '任务释放的内存里包含 {{lock}}，而它仍持有这把锁：锁是在 {{fn}} 中获取的。随后的解锁会写入已释放的内存，在这把锁上等待的任务也是在已释放的内存上等待。',
  },
  explainNoSite: {
    en: 'The task frees memory that contains {{lock}} while it still holds that lock. The unlock that follows writes into freed memory.',
    zh: '任务在仍持有 {{lock}} 时释放了包含这把锁的内存。随后的解锁会写入已释放的内存。',
  },
  explainBare: { en: 'The task frees memory that contains a lock it still holds. The unlock that follows writes into freed memory.', zh: '任务释放了包含一把它仍持有的锁的内存。随后的解锁会写入已释放的内存。' },
  explainFreer: { en: 'The free happens in {{freer}}, on this stack.', zh: '释放发生在这个调用栈上的 {{freer}} 中。' },
  explainHeld: { en: 'Locks held by the task: {{locks}}.', zh: '任务持有的锁：{{locks}}。' },
  explainLifetime: {
    en: 'The object\'s lifetime is not tied to its lock: the path must unlock before it frees (an error path that frees a locked object is the usual case), or the free must wait until the holder is done.',
    zh: '对象的生命周期没有和它的锁绑定：这条路径必须先解锁再释放（最常见的是错误分支释放了仍加锁的对象），或者释放必须等持锁者用完。',
  },
  evHeader: { en: 'Lockdep found a held lock in memory being freed.', zh: 'lockdep 发现正在释放的内存中有一把被持有的锁。' },
  evFreeing: { en: 'The freed range contains a lock the task holds.', zh: '被释放的内存范围内有一把任务持有的锁。' },
  evLock: { en: '{{lock}} lives in the freed memory; it was taken in {{fn}}.', zh: '{{lock}} 位于被释放的内存中；它是在 {{fn}} 中获取的。' },
  evLockNoSite: { en: '{{lock}} lives in the freed memory.', zh: '{{lock}} 位于被释放的内存中。' },
  evFreer: { en: '{{freer}} frees the object here.', zh: '{{freer}} 在这里释放了对象。' },
  stepRead: {
    en: 'Read {{fn}} from where it takes {{lock}} to the free on this stack: unlock before freeing on every path (error paths first).',
    zh: '阅读 {{fn}} 从获取 {{lock}} 到这个调用栈上的释放之间的代码：在每条路径上都先解锁再释放（先看错误分支）。',
  },
  stepReadBare: { en: 'Find who frees the object on this path and who still holds its lock; unlock before freeing, or make the free wait.', zh: '找出这条路径上释放对象的代码以及仍持有其锁的代码；先解锁再释放，或者让释放等待。' },
  stepKasan: { en: 'Reproduce with KASAN: the later unlock shows up as a use-after-free with the free stack.', zh: '打开 KASAN 复现：之后的解锁会以释放后使用的形式报告，并附带释放栈。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const lockdepHeldLockFreed: Rule = {
  meta: {
    id: 'KT-lockdep-held-lock-freed',
    rootCauseClass: 'use-after-free',
    summary: { en: 'An object was freed while a lock inside it was still held', zh: '对象在其内部的锁仍被持有时就被释放了' },
    docs: {
      en: `Looks for "WARNING: held lock freed!" and "COMM/PID is freeing memory A-B, with a lock still
held there!". The freed range contains a lock the freeing task still holds: the unlock that
follows writes into freed memory (use-after-free), and the free happened on a path that forgot
to unlock (lock imbalance). The culprit is the printed site that took the lock (the "at:" of the
lock line): that function holds the lock while the object goes away under it; the stack shows
the free. Typical: an error path that frees a locked object (a clone, a socket on release).
What to do: unlock before freeing on every path, or tie the object's lifetime to its users.`,
      zh: `匹配 "WARNING: held lock freed!" 和 "COMM/PID is freeing memory A-B, with a lock still held there!"。
被释放的内存范围里有一把释放者自己仍持有的锁：随后的解锁会写入已释放的内存（释放后使用），而释放发生在
一条忘了解锁的路径上（锁不配对）。嫌疑对象是打印出的获取这把锁的位置（锁那一行的 "at:"）：该函数持锁
期间对象被释放了；调用栈给出了释放的位置。典型情形：错误分支释放了仍加锁的对象（克隆出的对象、release
时的 socket）。
处理办法：在每条路径上都先解锁再释放，或者把对象的生命周期和使用者绑定。`,
    },
    references: ['kernel/locking/lockdep.c: debug_check_no_locks_freed()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const lockdep = readLockdep(ctx, r);
      if (lockdep.kind !== 'held-freed' || lockdep.headerLine === null) return;
      const lock = lockdep.freeing ? lockdep.acquiring : null;
      const printed = blameOfLockSite(lock?.at);
      const freer = blameReport(r, 'context');
      const c = printed ?? freer;
      const fn = printed?.function ?? null;
      const name = lock?.name ?? null;
      const freerFn = freer.function && freer.function !== fn ? freer.function : null;
      const d = { fn, lock: name, freer: freerFn };
      const evidence: FindingDraft['evidence'] = [{ line: lockdep.headerLine, note: msg('evHeader') }];
      if (lockdep.freeing) evidence.push({ line: lockdep.freeing.line, note: msg('evFreeing') });
      if (lock) evidence.push({ line: lock.at?.line ?? lock.line, note: lock.at ? msg('evLock', { lock: lock.name, fn: siteName(lock.at) }) : msg('evLockNoSite', { lock: lock.name }) });
      if (freerFn && freer.line !== null) evidence.push({ line: freer.line, note: msg('evFreer', d) });
      const held = lockdep.heldLists[0]?.locks ?? [];
      const paras: L10n[] = [fn && name ? msg('explain', d) : name ? msg('explainNoSite', d) : msg('explainBare')];
      if (freerFn) paras.push(msg('explainFreer', d));
      if (held.length > 0) paras.push(msg('explainHeld', { locks: listOf(held.map((l) => l.name)) }));
      paras.push(msg('explainLifetime'));
      out.push({
        report: index,
        secondaryClasses: ['lock-imbalance'],
        confidence: lock ? 0.8 : 0.7,
        summary: fn && name ? msg('summary', d) : name ? msg('summaryNoSite', d) : msg('summaryBare'),
        explanation: paragraphs(paras),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [fn && name ? msg('stepRead', d) : msg('stepReadBare'), msg('stepKasan')],
        facts: { lock: name, takenIn: (lock?.at ? siteName(lock.at) : null), freedIn: freer.function, range: lockdep.freeing?.range ?? null, locksHeld: held.map((l) => l.name) },
      });
    });
    return out;
  },
};
