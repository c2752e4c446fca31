// A lock released with another variant than it was taken with (seed 000): spin_lock_bh() let go of by spin_unlock() leaves bottom halves disabled.

import type { SourceCheck, TraceStep } from '../types';
import { releaseName } from '../../../knowledge/lock-ops';
import { ANNOTATED_RELEASE } from '../../flow';

const WHAT: Record<string, { en: string; zh: string }> = {
  bh: { en: 'bottom halves stay disabled after it', zh: '之后软中断（下半部）仍处于禁止状态' },
  irq: { en: 'interrupts are left in the wrong state after it', zh: '之后中断状态是错的' },
  irqsave: { en: 'the saved interrupt state is not what is restored', zh: '恢复的不是保存时的中断状态' },
  plain: { en: 'it changes an interrupt or bottom-half state the acquire did not', zh: '它改变了加锁时没有改变的中断或下半部状态' },
};

/**
 * Interrupts turned off with the plain form (local_irq_disable(), spin_lock_irq()) and put back with a
 * restore of flags the function saved earlier (local_irq_save(flags) before the loop): the caller's
 * state comes back, which is right whatever it was (drivers/input/joystick/analog.c).
 */
function restoresSavedState(taken: string, released: string, call: string, body: string): boolean {
  if (taken !== 'irq' || released !== 'irqsave') return false;
  const flags = /,?\s*([A-Za-z_][\w.>-]*)\s*\)\s*;?\s*$/.exec(call)?.[1];
  if (!flags) return false;
  const name = flags.replace(/[.>-]/g, (c) => `\\${c}`);
  return new RegExp(`\\b(?:local_irq_save|local_save_flags|\\w*_irqsave(?:_nested)?)\\s*\\([^;]*\\b${name}\\s*\\)`).test(body);
}

export const variantMismatch: SourceCheck = {
  meta: {
    id: 'KT-check-lock-variant-mismatch',
    rootCauseClass: 'lock-imbalance',
    summary: { en: 'A lock released with another variant than it was taken with (spin_lock_bh by spin_unlock, irqsave by spin_unlock_irq...)', zh: '释放锁所用的变体与加锁时不同（spin_lock_bh 用 spin_unlock 释放、irqsave 用 spin_unlock_irq 释放……）' },
    docs: {
      en: `Follows every path through each function, with the locks held on it, and looks at each
release: when the lock it releases was taken on that path with another variant (the _bh, _irq,
_irqsave or raw_ form, or the other side of a read/write lock), the release is wrong on that
path, whatever the other paths do. spin_lock_bh() is spin_lock() plus local_bh_disable():
released by spin_unlock() the lock is free but bottom halves stay disabled, and the task goes on
in atomic context ("scheduling while atomic", a softirq that never runs) — seed 000's error path.
spin_lock_irqsave() released by spin_unlock_irq() turns interrupts on where the caller had them
off. Locks taken or released by the file's own helpers (a function that returns holding a lock,
one that releases its caller's) count at the call. Fix: release with the matching function.`,
      zh: `沿每个函数的每条路径跟踪所持有的锁，检查每次释放：如果这条路径上加锁时用的是另一种变体
（_bh、_irq、_irqsave、raw_，或读写锁的另一侧），这次释放在这条路径上就是错的，不论其他路径如何。
spin_lock_bh() 等于 spin_lock() 加 local_bh_disable()：用 spin_unlock() 释放后锁虽然放开，
下半部却仍被禁止，任务继续处于原子上下文（"scheduling while atomic"、软中断不再执行）——即 seed 000
的错误处理路径。spin_lock_irqsave() 用 spin_unlock_irq() 释放，会在调用者关中断的地方打开中断。
本文件自己的辅助函数（返回时持锁的函数、释放调用者锁的函数）在调用处计入。修复：用配对的函数释放。`,
    },
    references: ['Documentation/locking/spinlocks.rst', 'include/linux/spinlock.h'],
  },
  check({ flow }) {
    const body = flow.node.text;
    return flow.releases
      .filter((r) => r.matched && r.name !== ANNOTATED_RELEASE && (r.matched.variant !== r.variant || r.matched.raw !== r.raw || r.matched.mode !== r.mode))
      .filter((r) => !restoresSavedState(r.matched!.variant, r.variant, r.call.text, body))
      .map((r) => {
        const h = r.matched!;
        const fix = releaseName(h.family, h.variant, h.mode, h.raw) ?? 'the matching release';
        const what = WHAT[h.variant !== r.variant ? h.variant : 'plain'];
        const trace: TraceStep[] = [{ site: h.site, note: { en: `${h.via}(${h.lock ?? ''}) takes it here`, zh: `此处 ${h.via}(${h.lock ?? ''}) 加锁` } }];
        if (h.helper) trace.push({ site: h.helper.site, file: h.helper.file, note: { en: `inside ${h.helper.name}()`, zh: `在 ${h.helper.name}() 中` } });
        if (r.helper) trace.push({ site: r.helper.site, file: r.helper.file, note: { en: `${r.name}() releases it inside ${r.helper.name}()`, zh: `${r.helper.name}() 中由 ${r.name}() 释放` } });
        return {
          site: r.call,
          message: {
            en: `${h.via}(${h.lock ?? ''}) is released by ${r.name}()${r.helper ? ` (in ${r.helper.name}())` : ''}: ${what.en}`,
            zh: `${h.via}(${h.lock ?? ''}) 被 ${r.name}()${r.helper ? `（在 ${r.helper.name}() 中）` : ''} 释放：${what.zh}`,
          },
          trace,
          help: { en: `release it with ${fix}()`, zh: `应使用 ${fix}() 释放` },
        };
      });
  },
};
