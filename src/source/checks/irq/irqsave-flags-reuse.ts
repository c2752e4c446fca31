// An interrupt state saved over one an outer save still needs: spin_lock_irqsave(&a, flags) and,
// inside it, spin_lock_irqsave(&b, flags). The inner save writes "interrupts off" into flags, so the
// outer restore leaves interrupts off where the caller had them on.

import type { SourceCheck } from '../types';

export const irqsaveFlagsReuse: SourceCheck = {
  meta: {
    id: 'KT-check-irqsave-flags-reuse',
    rootCauseClass: 'irq-state-corruption',
    summary: { en: 'An irqsave nested in another that saves into the same flags variable: the outer restore leaves interrupts off', zh: '嵌套的 irqsave 与外层保存到同一个 flags 变量：外层恢复后中断仍被关闭' },
    docs: {
      en: `Follows every path through each function and reports an _irqsave acquire (spin_lock_irqsave,
read/write_lock_irqsave, raw_ forms, local_irq_save) that saves the interrupt state into a
variable that still holds the state an outer _irqsave of the same path saved and has not restored.
The inner save runs with interrupts already off, so it writes "off" over the caller's state: the
inner restore is right, but the outer one restores "off", and the function returns with interrupts
disabled where its caller had them on (a "scheduling while atomic", an RCU stall or a lockup
later, far from here). Fix: a second flags variable for the inner save, or the plain spin_lock()
inside (interrupts are off already).`,
      zh: `沿每个函数的每条路径，报告这样的 _irqsave 加锁（spin_lock_irqsave、read/write_lock_irqsave、raw_ 形式、
local_irq_save）：它把中断状态保存到的变量，仍存着同一路径上外层 _irqsave 保存、尚未恢复的状态。内层保存时
中断已关，于是用“关”覆盖了调用者的状态：内层恢复没错，外层恢复却恢复成“关”，函数返回时中断仍被关闭，
而调用者原本是开中断的（随后在别处出现 scheduling while atomic、RCU stall 或死锁）。修复：内层用另一个
flags 变量，或在内层直接用 spin_lock()（中断已经关了）。`,
    },
    references: ['Documentation/locking/spinlocks.rst', 'include/linux/spinlock.h'],
  },
  check({ flow }) {
    return (flow.flagReuses ?? []).map(({ outer, inner }) => ({
      site: inner.site,
      message: {
        en: `${inner.via}() saves the interrupt state into ${inner.flags}, which still holds what ${outer.via}(${outer.lock ?? ''}) saved: the outer restore will leave interrupts off`,
        zh: `${inner.via}() 把中断状态保存到 ${inner.flags}，而它仍存着 ${outer.via}(${outer.lock ?? ''}) 保存的状态：外层恢复后中断仍被关闭`,
      },
      trace: [{ site: outer.site, note: { en: `${outer.via}() saves the caller's state into ${outer.flags} here`, zh: `此处 ${outer.via}() 把调用者的状态保存到 ${outer.flags}` } }],
      help: { en: `save into another variable here (unsigned long flags2), or take the lock with the plain ${inner.via.replace(/_irqsave(_nested)?$/, '$1').replace(/^local_irq_save$/, 'local_irq_disable')}() (interrupts are off already)`, zh: `此处保存到另一个变量（unsigned long flags2），或直接用 ${inner.via.replace(/_irqsave(_nested)?$/, '$1').replace(/^local_irq_save$/, 'local_irq_disable')}()（中断已经关了）` },
    }));
  },
};
