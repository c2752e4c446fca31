// A lock or a disabled state still held when the function returns, on some path (seed 001): the caller goes on with BH, IRQs or preemption off.

import type { FunctionContext, SourceCheck, TraceStep } from '../types';
import { LOCK_HELPER_HINT, lockHelperName, releaseName } from '../../../knowledge/lock-ops';
import { heldKey, parameterNames, scalarParameters, type FunctionFlow, type Held, type Summary } from '../../flow';
import type { Node } from '../../parse';

/** A lock's path past the variable it is reached from: `p->io_mutex` -> `->io_mutex`; a global's whole name. */
function lockPath(lock: string): string {
  const rest = lock.replace(/^[A-Za-z_]\w*/, '');
  return rest === '' ? lock : rest;
}

function releasedElsewhere(h: Held, self: string, file: string, helpers: ReadonlyMap<string, Summary>): boolean {
  const path = lockPath(h.lock ?? '');
  // In the same file: a pair by design is one driver's (pre_reset beside post_reset), not any function of the tree.
  for (const [name, s] of helpers) if (name !== self && s.file === file && s.releases.some((r) => r.family === h.family && r.lock !== null && lockPath(r.lock) === path)) return true;
  return false;
}

/** An error a return gives back: a negative errno, an error constant, a test that found an error. */
const ERROR_VALUE = /^-|^E[A-Z0-9]{2,}$|^ERR_PTR\(|=true$/;

/** A literal answer: `1`, `0`, `true`, `-1`. */
const LITERAL_VALUE = /^(?:-?(?:0x[0-9a-f]+|\d+)[ul]{0,3}|true|false)$/i;
/** No object: what a lookup returns when it found (and locked) nothing. */
const NO_OBJECT = /^(?:NULL|ERR_PTR\(|ERR_CAST\()/;

/**
 * Whether the returns of the function say whether it holds the lock, in one of the ways kernel code
 * does: a trylock's literal answer (`return 1` holding it, `return 0` not); a lookup that returns the
 * object locked, and NULL or an error pointer without it; a status that is 0 holding it and an error
 * without it (iavf_lock_timeout()). An error return holding the lock is the bug, and so is any other
 * value (`return LED_OFF;`, `return IRQ_NONE;`, `return &tbl[i];` from inside the locked loop).
 */
export function returnsWhetherTaken(exits: ReadonlyArray<{ held: Held[]; value: string | null }>, key: string): boolean {
  const holding = new Set<string>();
  const free = new Set<string>();
  for (const e of exits) {
    if (e.value === null) return false;
    (e.held.some((h) => h.scope === null && heldKey(h) === key) ? holding : free).add(e.value.replace(/\s+/g, ''));
  }
  if (holding.size === 0 || free.size === 0 || [...holding].some((v) => free.has(v) || ERROR_VALUE.test(v))) return false;
  const h = [...holding];
  const f = [...free];
  const trylock = [...h, ...f].every((v) => LITERAL_VALUE.test(v));
  const lookup = f.every((v) => NO_OBJECT.test(v) || ERROR_VALUE.test(v)) && h.every((v) => !NO_OBJECT.test(v) && !LITERAL_VALUE.test(v));
  const status = h.every((v) => v === '0') && f.every((v) => ERROR_VALUE.test(v));
  return trylock || lookup || status;
}

/** Held at return because the caller asked for it: taken under a test of a flag parameter only, and released on no path. */
function takenOnRequest(flow: FunctionFlow, h: Held): boolean {
  if (flow.releases.some((r) => heldKey(r) === heldKey(h))) return false;
  const flags = scalarParameters(flow.node);
  if (flags.length === 0) return false;
  const at = flow.node.descendantForPosition({ row: h.site.line - 1, column: h.site.column - 1 });
  for (let x: Node | null = at, child: Node | null = null; x && x.id !== flow.node.id; child = x, x = x.parent) {
    if (x.type !== 'if_statement') continue;
    const cond = x.childForFieldName('condition');
    if (!cond || (child && cond.id === child.id)) continue;
    const words = cond.text.match(/[A-Za-z_]\w*/g) ?? [];
    if (words.length > 0 && words.every((w) => flags.includes(w) || /^[A-Z][A-Z0-9_]*$/.test(w))) return true;
  }
  return false;
}

/** A callback that takes a lock its pair releases (the driver's pre_reset() and post_reset()). */
function pairedCallback(flow: FunctionFlow, h: Held, file: string, helpers: ReadonlyMap<string, Summary>): boolean {
  return h.lock !== null && !flow.releases.some((r) => heldKey(r) === heldKey(h)) && releasedElsewhere(h, flow.name, file, helpers);
}

/** Whether one of the callers lets go of the lock after the call: what it was handed. */
function callerTakes(h: Held, callers: FunctionContext['callers'], helpers: ReadonlyMap<string, Summary>): boolean {
  // By the lock's own member (`->q_qlock`): the caller names the object its own way (`q[0].qt_dquot->q_qlock`).
  const member = (l: string): string => /[\w]+\s*$/.exec(l)?.[0] ?? l;
  const own = member(h.lock ?? '');
  const same = (x: { family: string; lock: string | null }): boolean => x.family === h.family && x.lock !== null && member(x.lock) === own;
  // It lets go of it after the call, or returns holding it in turn (xfs_qm_dqget() returns the dquot
  // xfs_qm_dqget_cache_lookup() locked).
  return callers.some((c) => helpers.get(c.name)?.releases.some(same) === true || c.flow.exits.some((e) => e.held.some(same)));
}

/** The ways a helper hands what it took to its caller, who gives it back. */
function handedToCaller(flow: FunctionFlow, h: Held, value: string | null, file: string, helpers: ReadonlyMap<string, Summary>, callers: FunctionContext['callers'], isStatic: boolean): boolean {
  const key = heldKey(h);
  // (fastrpc_session_alloc() returned from inside its locked loop, and no caller unlocks.)
  // Held on some returns only: a hand-over when a caller lets go of it after the call; none does (a static
  // function's callers are all in its files), nobody was handed it.
  const mixed = flow.exits.some((x) => !x.held.some((y) => heldKey(y) === key));
  if (h.lock !== null && mixed && callers.length > 0) {
    if (callerTakes(h, callers, helpers)) return true;
    if (isStatic) return false;
  }
  // Named like a lock helper and holding it on every return.
  if (LOCK_HELPER_HINT.test(flow.name) && flow.exits.every((x) => x.held.some((y) => y.scope === null && heldKey(y) === key))) return true;
  // Taken only when the caller's flag asks (`if (irqs_off) local_irq_save(ctlr->irq_flags);`) and never
  // released here (spi_take_timestamp_pre() and _post()).
  if (takenOnRequest(flow, h)) return true;
  // `local_irq_save(flags); ... return flags;`, or saved into the caller's `*flags`: the saved state is handed
  // to the caller, who restores it (sdhci_kmap_atomic() and sdhci_kunmap_atomic()).
  if (h.flags !== undefined && value !== null && value.replace(/\s+/g, '') === h.flags) return true;
  const out = h.flags !== undefined ? /^\*\s*\(?\s*([A-Za-z_]\w*)\s*\)?$/.exec(h.flags.replace(/\s+/g, '')) : null;
  if (out && parameterNames(flow.node).includes(out[1])) return true;
  // Returns say whether it took the lock (`return 1` holding it, `return 0` not, as a trylock does);
  // interrupts, bottom halves and preemption have no trylock: off at a return is the bug.
  if (h.lock !== null && returnsWhetherTaken(flow.exits, key)) return true;
  // Another function of the files releases that lock for its caller (wdm_pre_reset() and
  // wdm_post_reset(), mraccess() and mrunlock_shared()): the lock is held between them by design.
  return h.lock !== null && releasedElsewhere(h, flow.name, file, helpers);
}

export const heldAtReturn: SourceCheck = {
  meta: {
    id: 'KT-check-held-at-return',
    rootCauseClass: 'lock-imbalance',
    summary: { en: 'A lock, BH/IRQ/preempt disable or RCU read lock still held on some return path', zh: '某条返回路径上仍持有锁、仍禁止下半部/中断/抢占或仍在 RCU 读临界区' },
    docs: {
      en: `Follows every path through each function (goto cleanup ladders, switch, loops with break and
continue, early returns) with what is held on it, and reports a return reached while a lock, a
local_bh_disable()/local_irq_disable()/preempt_disable()/get_cpu(), or an RCU/SRCU read lock is
still held. Conditional locking correlated with a flag (if (!locked) spin_lock(..); ...
if (!locked) spin_unlock(..)) is followed as one test taken twice the same way; trylock and
*_interruptible results decide on which side the lock is held; guard()/scoped_guard() release
at the end of their scope. A function annotated __acquires(), named with a lock word
(..._lock, ..._ilock, ..._acquire, ..._get_hw_semaphore), or that holds the lock on every return
and is named like a helper, takes it for its caller on purpose: it is not reported, and its
callers are checked with that contract. Otherwise a return holding the lock is excused only in
the ways kernel code hands one over: a trylock's literal 1 and 0, a lookup returning the object
locked and NULL without it, 0 holding it and an error without, a caller that unlocks after the
call or returns holding it in turn, a flag of the caller's that asked for it, another function
of the file that releases it (pre_reset/post_reset) when this one never does. A function the
kernel calls through a pointer (an IRQ handler, a file or LED operation) hands its caller nothing. Seed 001: the stop
path returned with spin_lock_bh() held and the task later scheduled with BH disabled.
Fix: release on the path that returns (a goto to the unlock label, or the unlock before return).`,
      zh: `沿每个函数的每条路径（goto 清理链、switch、带 break/continue 的循环、提前返回）跟踪所持有的锁，
报告在仍持有锁、仍处于 local_bh_disable()/local_irq_disable()/preempt_disable()/get_cpu() 之后、
或仍在 RCU/SRCU 读临界区时到达的返回。与标志相关的条件加锁（if (!locked) spin_lock(..); ...
if (!locked) spin_unlock(..)）按同一条件两次取相同分支处理；trylock 与 *_interruptible 的返回值决定
哪一侧持锁；guard()/scoped_guard() 在作用域结束时释放。带 __acquires() 注解、名字带有加锁词（..._lock、
..._ilock、..._acquire、..._get_hw_semaphore）、或在每条返回路径上都持锁且名字像辅助函数的函数是有意替调用者加锁，
不报告，并按此约定检查其调用者。除此之外，持锁返回只在内核代码交出锁的方式下才被放过：trylock 的字面 1 与 0、
返回已加锁对象而不持锁时返回 NULL 的查找、持锁返回 0 而不持锁返回错误、调用后由调用者解锁或继续持锁返回、
调用者的标志要求加锁、本函数从不释放而同文件另一函数释放（pre_reset/post_reset）。内核经指针调用的函数
（中断处理函数、文件或 LED 操作）不会把锁交给调用者。seed 001：停止路径在持有 spin_lock_bh() 时返回，任务随后在下半部被禁止的状态下调度。
修复：在返回的路径上释放（goto 到解锁标签，或在 return 前解锁）。`,
    },
    references: ['Documentation/locking/spinlocks.rst', 'include/linux/cleanup.h (guard, scoped_guard)'],
  },
  check({ flow, annotations, helpers, file, callback, callers, isStatic }) {
    const exits = flow.exits;
    if (exits.length === 0) return [];
    const intended = new Set([...annotations.acquires, ...annotations.mustHold].map((l) => l.replace(/\s+/g, '').replace(/^&/, '')));
    const reported = new Set<string>();
    const dropped = new Set(flow.releases.filter((r) => !r.matched).map((r) => heldKey(r)));
    const out: ReturnType<SourceCheck['check']> = [];
    for (const e of exits) {
      for (const h of e.held) {
        if (h.scope !== null || h.retaken) continue;
        // A semaphore is not owned by the task that took it: it is often let go by an I/O completion
        // or another task (xfs's buffer and iclog semaphores), so held at return is how it is used.
        if (h.family === 'semaphore') continue;
        const k = `${heldKey(h)}@${h.site.line}:${h.site.column}`;
        if (reported.has(k)) continue;
        if (h.lock !== null && intended.has(h.lock)) continue;
        if (annotations.acquires.length > 0 && h.lock === null) continue;
        // A lock helper returns holding what it took for its caller: on every path, or by the caller's
        // flags (xfs_ilock()), or as its return value says (iavf_lock_timeout(), e1000_get_hw_semaphore_82574()).
        if (lockHelperName(flow.name)) continue;
        // Called through a pointer by the kernel (an IRQ handler, a file or LED operation), it hands nothing to its
        // caller; only to the callback the kernel calls after it (pre_reset and post_reset, seq start and stop,
        // suspend and resume), and then it never lets go of the lock itself.
        if (callback ? pairedCallback(flow, h, file, helpers) : handedToCaller(flow, h, e.value, file, helpers, callers, isStatic)) continue;
        // The caller's lock, dropped and taken again inside (a __must_hold function that sleeps): held as it came.
        if (dropped.has(heldKey(h))) continue;
        reported.add(k);
        const fix = releaseName(h.family, h.variant, h.mode, h.raw) ?? 'the matching release';
        const what = h.lock !== null ? `${h.via}(${h.lock})` : `${h.via}()`;
        const trace: TraceStep[] = [{ site: h.site, note: { en: `${what} taken here`, zh: `此处 ${what}` } }];
        if (h.helper) trace.push({ site: h.helper.site, file: h.helper.file, note: { en: `inside ${h.helper.name}()`, zh: `在 ${h.helper.name}() 中` } });
        out.push({
          site: e.at,
          message: h.lock !== null ? { en: `${flow.name}() returns here with ${what} still held`, zh: `${flow.name}() 在此返回时仍持有 ${what}` } : { en: `${flow.name}() returns here with ${what} still in effect`, zh: `${flow.name}() 在此返回时 ${what} 仍未恢复` },
          trace,
          help: { en: `call ${fix}() on this path before it returns`, zh: `在这条路径返回前调用 ${fix}()` },
        });
      }
    }
    return out;
  },
};
