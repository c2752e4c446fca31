// Interrupts turned back on inside a region that has them off (seed 003): a nested spin_unlock_irq()/local_irq_enable()
// (or spin_unlock_bh()) reached, through the files' call graph, from a caller's spin_lock_irq/irqsave or an IRQ handler.

import type { L10n } from '../../../rules/types';
import type { CallEvent, ReleaseEvent, Site } from '../../flow';
import type { CheckMeta, Program, ProgramDraft, ProgramFunction } from '../types';

/**
 * Call depth followed from the region that has interrupts off: the callee and its own callees. Deeper,
 * a call graph that knows no types (usb_submit_urb() reaching the root hub's control path) says more than the code does.
 */
const MAX_DEPTH = 2;

/** A release that turns interrupts back on, found in `fn`, reached from the region through `chain`. */
interface Enable {
  r: ReleaseEvent;
  chain: Array<{ fn: ProgramFunction; call: CallEvent }>;
  fn: ProgramFunction;
}

/** The releases that turn interrupts (or BH) back on, in the function or its callees, with the chain to them. */
function enablesUnder(p: Program, f: ProgramFunction | null, depth: number, seen: Set<ProgramFunction>): Enable[] {
  if (!f || seen.has(f) || depth > MAX_DEPTH) return [];
  seen.add(f);
  const out: Enable[] = [];
  for (const r of f.flow.releases) {
    if ((r.variant !== 'irq' && r.variant !== 'bh') || r.family === 'preempt') continue;
    // The callee's own lock, taken and let go with _irq inside it; or interrupts turned on with no lock at all.
    // A release of a lock the callee did not take is the caller's lock dropped for a while (unlock_irq, sleep,
    // lock_irq), not a nested enable.
    const own = r.matched !== null && r.matched.helper === null;
    if (own || (r.family === 'irq' && r.matched === null)) out.push({ r, chain: [], fn: f });
  }
  // A call made after the function let go of its caller's lock is outside the caller's region.
  for (const c of f.flow.calls) if (!c.afterDrop && !c.lockOp) for (const e of enablesUnder(p, p.resolve(c.name, f.file), depth + 1, seen)) out.push({ ...e, chain: [{ fn: f, call: c }, ...e.chain] });
  return out;
}

export const nestedIrqEnableMeta: CheckMeta = {
  id: 'KT-check-nested-irq-enable',
  rootCauseClass: 'irq-state-corruption',
  summary: { en: 'Interrupts (or BH) re-enabled inside a region a caller keeps them off: a nested spin_unlock_irq(), local_irq_enable() or spin_unlock_bh()', zh: '在调用者关中断的区域内重新打开中断（或下半部）：嵌套的 spin_unlock_irq()、local_irq_enable() 或 spin_unlock_bh()' },
  docs: {
    en: `Finds the calls made while interrupts are off (under spin_lock_irq(), spin_lock_irqsave(),
local_irq_disable(), or in a function registered to run with them off: a hard IRQ handler given to
request_irq(), an hrtimer callback) and follows the files' call graph from each: a callee that
releases with spin_unlock_irq() or local_irq_enable() turns interrupts on unconditionally, in the
middle of the caller's region, where an interrupt handler that takes the caller's lock then spins
on it forever on the same CPU (seed 003: a nested spin_lock_irq()/spin_unlock_irq() pair inside a
spin_lock_irq() region, and the timer interrupt that deadlocked on the outer lock).
spin_unlock_bh()/local_bh_enable() with interrupts off warns and may run softirqs in the wrong
context. Reported at the re-enabling call, with the chain from the caller's lock. Fix: use
spin_lock_irqsave()/spin_unlock_irqrestore() in the callee, or plain spin_lock() when the callee
only runs with interrupts off.`,
    zh: `找出中断关闭时发生的调用（在 spin_lock_irq()、spin_lock_irqsave()、local_irq_disable() 之下，或在注册为关中断运行的
函数中：交给 request_irq() 的硬中断处理函数、hrtimer 回调），并沿本文件的调用图往下追：被调用者用 spin_unlock_irq()
或 local_irq_enable() 释放时会无条件打开中断，正处在调用者的区域中间，此时若同一 CPU 上的中断处理函数去取调用者的锁，
就会永远自旋（seed 003：spin_lock_irq() 区域内嵌套的 spin_lock_irq()/spin_unlock_irq()，以及在外层锁上死锁的时钟中断）。
关中断时调用 spin_unlock_bh()/local_bh_enable() 会告警，并可能在错误的上下文中运行软中断。在重新打开中断的调用处报告，
附上从调用者加锁处开始的调用链。修复：被调用者改用 spin_lock_irqsave()/spin_unlock_irqrestore()，或在只会于关中断时
运行的被调用者中用普通的 spin_lock()。`,
  },
  references: ['Documentation/locking/spinlocks.rst (spin_lock_irq vs spin_lock_irqsave)', 'kernel/softirq.c: __local_bh_enable_ip (WARN_ON_ONCE(in_hardirq() || irqs_disabled()))'],
};

export function nestedIrqEnable(p: Program): ProgramDraft[] {
  const out: ProgramDraft[] = [];
  const seen = new Set<string>();
  const report = (origin: { file: string; site: Site; note: L10n }, first: { fn: string; file: string; call: CallEvent } | null, enables: Enable[], offWhat: L10n): void => {
    for (const e of enables) {
      const f = e.fn;
      const key = `${f.file}:${e.r.call.line}:${e.r.call.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const trace = [origin];
      if (first) trace.push({ file: first.file, site: first.call.site, note: { en: `${first.fn}() calls ${first.call.name}() with interrupts off`, zh: `${first.fn}() 在关中断时调用 ${first.call.name}()` } });
      for (const c of e.chain) trace.push({ file: c.fn.file, site: c.call.site, note: { en: `${c.fn.name}() calls ${c.call.name}()`, zh: `${c.fn.name}() 调用 ${c.call.name}()` } });
      const bh = e.r.variant === 'bh';
      out.push({
        file: f.file,
        function: f.name,
        site: e.r.call,
        message: bh
          ? { en: `${e.r.name}() runs with interrupts off (${offWhat.en}): it warns, and may run softirqs in hard IRQ context`, zh: `${e.r.name}() 在关中断时运行（${offWhat.zh}）：会告警，并可能在硬中断上下文中运行软中断` }
          : { en: `${e.r.name}() turns interrupts back on inside a region that has them off (${offWhat.en})`, zh: `${e.r.name}() 在关中断的区域内重新打开了中断（${offWhat.zh}）` },
        trace,
        help: bh ? { en: 'do not enable BH with interrupts off: move the call out of the region, or take the lock without _bh here', zh: '不要在关中断时打开下半部：把调用移出该区域，或在此处不用 _bh 加锁' } : { en: 'use spin_lock_irqsave()/spin_unlock_irqrestore() here (or the plain lock, when this only runs with interrupts off)', zh: '此处改用 spin_lock_irqsave()/spin_unlock_irqrestore()（若只会在关中断时运行，则用普通锁）' },
      });
    }
  };
  for (const fn of p.functions) {
    for (const c of fn.flow.calls) {
      if (!c.irqOff || c.lockOp) continue;
      const enables = enablesUnder(p, p.resolve(c.name, fn.file), 1, new Set([fn]));
      if (enables.length === 0) continue;
      const h = c.irqOff;
      report({ file: fn.file, site: h.site, note: { en: `${h.via}(${h.lock ?? ''}) turns interrupts off here`, zh: `此处 ${h.via}(${h.lock ?? ''}) 关闭中断` } }, { fn: fn.name, file: fn.file, call: c }, enables, { en: `${h.via}() in ${fn.name}()`, zh: `${fn.name}() 中的 ${h.via}()` });
    }
  }
  // Within one function: an _irq release while another lock keeps interrupts off.
  for (const fn of p.functions) {
    for (const r of fn.flow.releases) {
      const h = r.outerIrqOff;
      if (!h) continue;
      report({ file: fn.file, site: h.site, note: { en: `${h.via}(${h.lock ?? ''}) turns interrupts off here`, zh: `此处 ${h.via}(${h.lock ?? ''}) 关闭中断` } }, null, [{ r, chain: [], fn }], { en: `${h.via}() in ${fn.name}()`, zh: `${fn.name}() 中的 ${h.via}()` });
    }
  }
  for (const [fn, cb] of p.irqOffCallbacks) {
    const enables = enablesUnder(p, fn, 0, new Set());
    report({ file: cb.file, site: cb.site, note: { en: `${fn.name}() registered here as ${cb.what}: it runs with interrupts off`, zh: `${fn.name}() 在此注册为${cb.what}：运行时中断关闭` } }, null, enables, { en: `${fn.name}() is ${cb.what}`, zh: `${fn.name}() 是${cb.what}` });
  }
  return out;
}
