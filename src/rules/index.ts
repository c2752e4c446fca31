// The registry of diagnosis rules, grouped by the kernel concept they reason about, in tie-break order
// (the engine ranks by confidence; among equals a more specific rule comes first).

import type { Rule } from './types';
import { makeUnexplainedReport } from './fallback';
// locking
import { bhLeakReturnToUser } from './locking/bh-leak-return-to-user';
import { irqReenabledInIrqLock } from './locking/irq-reenabled-in-irq-lock';
import { preemptCountUnderflow } from './locking/preempt-count-underflow';
import { selfDeadlockNested } from './locking/self-deadlock-nested';
import { waitForCycle } from './locking/wait-for-cycle';
import { irqUnsafeLock } from './locking/irq-unsafe-lock';
import { lockWaitUnresolved } from './locking/lock-wait-unresolved';
import { reenteredUnderLock } from './locking/reentered-under-lock';
import { lockdepCircular } from './locking/lockdep-circular';
import { lockdepRecursive } from './locking/lockdep-recursive';
import { lockdepInconsistent } from './locking/lockdep-inconsistent';
import { lockdepIrqOrder } from './locking/lockdep-irq-order';
import { lockdepWaitContext } from './locking/lockdep-wait-context';
import { lockdepUnlockBalance } from './locking/lockdep-unlock-balance';
import { lockdepHeldLockFreed } from './locking/lockdep-held-lock-freed';
import { lockHeldLeak } from './locking/lock-held-leak';
// sleeping
import { bhDisabledSleep } from './sleeping/bh-disabled-sleep';
import { sleepInAtomic } from './sleeping/sleep-in-atomic';
import { schedulingWhileAtomic } from './sleeping/scheduling-while-atomic';
// memory
import { threadInfoOverwritten } from './memory/thread-info-overwritten';
import { listCorruption } from './memory/list-corruption';
import { badPage } from './memory/bad-page';
import { kasanReport } from './memory/kasan';
import { kfenceReport } from './memory/kfence';
import { nullDeref } from './memory/null-deref';
import { badKernelAccess } from './memory/bad-access';
import { stackOverflow } from './memory/stack-overflow';
import { ubsanReport } from './memory/ubsan';
import { oomPanic } from './memory/oom';
// lockups and stalls
import { hardLockup } from './lockups/hard-lockup';
import { softLockup } from './lockups/soft-lockup';
import { rcuStall } from './lockups/rcu-stall';
import { rcuReaderPreempted } from './lockups/rcu-reader-preempted';
import { ipiWaitBlocked } from './lockups/ipi-wait-blocked';
import { workqueueLockup } from './lockups/workqueue-lockup';
import { csdLock } from './lockups/csd-lock';
import { hungTask } from './lockups/hung-task';
// lifecycle
import { danglingCallback } from './lifecycle/dangling-callback';
import { unloadedModuleAccess } from './lifecycle/unloaded-module-access';
import { panicExitInInterrupt } from './lifecycle/panic-exit-in-interrupt';
import { killedInit } from './lifecycle/kill-init';
// checks that fired (BUG, WARN, assertions)
import { assertionFailed } from './checks/assertion-failed';
import { kernelBugAssertion } from './checks/kernel-bug';
import { kernelWarning } from './checks/warning';
// hardware and known issues
import { hardwareError } from './hardware/hardware-error';
import { knownIssue } from './known-issues/known-issue';

/** Every rule that explains a kind of report, most specific first. */
export const SPECIFIC_RULES: readonly Rule[] = [
  bhDisabledSleep,
  bhLeakReturnToUser,
  danglingCallback,
  unloadedModuleAccess,
  irqReenabledInIrqLock,
  irqUnsafeLock,
  threadInfoOverwritten,
  knownIssue,
  preemptCountUnderflow,
  selfDeadlockNested,
  waitForCycle,
  reenteredUnderLock,
  assertionFailed,
  panicExitInInterrupt,
  hardwareError,
  listCorruption,
  badPage,
  kasanReport,
  kfenceReport,
  nullDeref,
  badKernelAccess,
  stackOverflow,
  lockdepCircular,
  lockdepRecursive,
  lockdepInconsistent,
  lockdepIrqOrder,
  lockdepWaitContext,
  lockdepUnlockBalance,
  lockdepHeldLockFreed,
  lockHeldLeak,
  sleepInAtomic,
  schedulingWhileAtomic,
  ubsanReport,
  kernelBugAssertion,
  kernelWarning,
  hardLockup,
  softLockup,
  rcuStall,
  rcuReaderPreempted,
  ipiWaitBlocked,
  workqueueLockup,
  csdLock,
  hungTask,
  lockWaitUnresolved,
  oomPanic,
  killedInit,
];

/** The fallback for a report no specific rule explains. */
export const unexplainedReport: Rule = makeUnexplainedReport(() => SPECIFIC_RULES);

export const RULES: readonly Rule[] = [...SPECIFIC_RULES, unexplainedReport];

export function ruleById(id: string): Rule | null {
  return RULES.find((r) => r.meta.id.toLowerCase() === id.toLowerCase()) ?? null;
}
