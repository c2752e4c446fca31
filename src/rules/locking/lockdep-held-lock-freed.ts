// Lockdep "held lock freed": memory is freed while a lock inside it is still held.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { heldLocks, lockEvidence, parseLockLine } from '../lockdep-lines';
import { ev, linesOf, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /held lock freed!/;

export const lockdepHeldLockFreed: Rule = {
  meta: {
    id: 'KT-lockdep-held-lock-freed',
    rootCauseClass: 'use-after-free',
    summary: t('An object was freed while a lock inside it was still held', '对象在其内部的锁仍被持有时就被释放了'),
    docs: t(
      `Looks for "WARNING: held lock freed!" and "COMM/PID is freeing memory A-B, with a lock still
held there!". The freed range contains a lock the task (or lockdep's view of it) still holds:
the unlock that follows will write into freed memory (use-after-free), or the object is freed
on a path that forgot to unlock (lock imbalance). Typical: a release/close path freeing an
object while a wait on it (e.g. sk_lock in a sleeping sendmsg) is still in progress.
What to do: make the free wait for the lock holder (refcount the object, or unlock before free).`,
      `匹配 "WARNING: held lock freed!" 和 "COMM/PID is freeing memory A-B, with a lock still held there!"。
被释放的内存范围里有一把任务仍持有的锁：随后的解锁会写入已释放的内存（释放后使用），或者对象在一条
忘了解锁的路径上被释放（锁不配对）。典型情形：release/close 路径释放对象时，另一个在该对象上的等待
（例如睡眠中的 sendmsg 持有的 sk_lock）还在进行。
处理办法：让释放等待持锁者结束（对对象做引用计数），或者先解锁再释放。`,
    ),
    references: ['kernel/locking/lockdep.c: debug_check_no_locks_freed()'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const freeing = linesOf(ctx, r, /is freeing memory .* with a lock still held/, 1)[0] ?? null;
      let lock = null;
      if (freeing) {
        const next = ctx.line(freeing.no + 1);
        lock = next ? parseLockLine(next) : null;
      }
      const held = heldLocks(ctx, r);
      const c = blameReport(r, 'context');
      const evidence = [ev(hit.header.no, 'lockdep: a held lock was freed', 'lockdep：仍被持有的锁被释放了')];
      if (freeing) evidence.push(ev(freeing.no, 'the freed range contains a held lock', '被释放的内存范围内有一把被持有的锁'));
      evidence.push(...lockEvidence(lock, 'the lock inside the freed memory', '位于被释放内存中的锁'));
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      out.push({
        report: hit.index,
        secondaryClasses: ['lock-imbalance'],
        confidence: freeing ? 0.8 : 0.7,
        summary: t(`Memory freed with ${lock?.name ?? 'a lock'} still held inside it${lock?.at ? ` (taken in ${lock.at})` : ''}`, `内存被释放时其中的 ${lock?.name ?? '锁'} 仍被持有${lock?.at ? `（在 ${lock.at} 中获取）` : ''}`),
        explanation: paragraphs([
          t(`The object being freed${c.function ? ` (by ${who(c)})` : ''} contains ${lock?.name ?? 'a lock'}, still held${lock?.at ? ` since ${lock.at}` : ''}. When the holder unlocks it, it writes into freed memory; anyone waiting on it waits on freed memory.`, `正在${c.function ? `由 ${whoZh(c)} ` : ''}释放的对象里包含 ${lock?.name ?? '一把锁'}，它${lock?.at ? `从 ${lock.at} 开始` : ''}仍被持有。持有者解锁时会写入已释放的内存；在它上面等待的任务也是在已释放的内存上等待。`),
          held.locks.length > 0 ? t(`Locks held by the task: ${held.locks.map((l) => l.name).join(', ')}.`, `任务持有的锁：${held.locks.map((l) => l.name).join('、')}。`) : null,
          t('The object lifetime is not tied to its users: the free must wait until the lock holder is done (reference count, or a close path that waits for in-flight operations).', '对象的生命周期没有和使用者绑定：释放必须等持锁者用完（引用计数，或者 close 路径等待进行中的操作结束）。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t(`Find who frees the object on this path${c.function ? ` (${c.function})` : ''} and who can still hold ${lock?.name ?? 'its lock'}${lock?.at ? ` (${lock.at})` : ''}; make one wait for the other.`, `找出这条路径上释放对象的代码${c.function ? `（${c.function}）` : ''}，以及仍可能持有 ${lock?.name ?? '其中的锁'} 的代码${lock?.at ? `（${lock.at}）` : ''}；让其中一方等待另一方。`),
          t('Reproduce with KASAN: the later unlock shows up as a use-after-free with the free stack.', '打开 KASAN 复现：之后的解锁会以释放后使用的形式报告，并附带释放栈。'),
        ),
        facts: { lock: lock?.name ?? null, takenIn: lock?.at ?? null, locksHeld: held.locks.map((l) => l.name) },
      });
    }
    return out;
  },
};
