// Rules for the common crash kinds (NULL dereference, KASAN, lockdep, lockups...), one file each.

import type { Rule } from '../types';
import { nullDeref } from './null-deref';
import { badKernelAccess } from './bad-access';
import { kasanReport } from './kasan';
import { kfenceReport } from './kfence';
import { ubsanReport } from './ubsan';
import { kernelBugAssertion } from './kernel-bug';
import { kernelWarning } from './warning';
import { softLockup } from './soft-lockup';
import { hardLockup } from './hard-lockup';
import { rcuStall } from './rcu-stall';
import { hungTask } from './hung-task';
import { sleepInAtomic } from './sleep-in-atomic';
import { schedulingWhileAtomic } from './atomic-schedule';
import { lockdepRecursive } from './lockdep-recursive';
import { lockdepCircular } from './lockdep-circular';
import { lockdepInconsistent } from './lockdep-inconsistent';
import { lockdepUnlockBalance } from './lockdep-unlock-balance';
import { lockdepHeldLockFreed } from './lockdep-held-lock-freed';
import { lockHeldLeak } from './lock-held-leak';
import { stackOverflow } from './stack-overflow';
import { killedInit } from './kill-init';
import { oomPanic } from './oom-panic';
import { hardwareError } from './hardware-error';
import { listCorruption } from './list-corruption';
import { makeUnexplainedReport } from './fallback';

/** The rules that diagnose a kind; more specific first (the engine breaks confidence ties by this order). */
export const SPECIFIC_COMMON_RULES: readonly Rule[] = [
  hardwareError,
  listCorruption,
  kasanReport,
  kfenceReport,
  nullDeref,
  badKernelAccess,
  stackOverflow,
  lockdepCircular,
  lockdepRecursive,
  lockdepInconsistent,
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
  hungTask,
  oomPanic,
  killedInit,
];

export const unexplainedReport: Rule = makeUnexplainedReport(() => [...SPECIFIC_COMMON_RULES, ...seedRules()]);

export const COMMON_RULES: readonly Rule[] = [...SPECIFIC_COMMON_RULES, unexplainedReport];

/** The seed rules outside this folder, read lazily because the registry imports this module. */
function seedRules(): readonly Rule[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const registry = require('../index') as { RULES: readonly Rule[] };
  return registry.RULES.filter((r) => !COMMON_RULES.includes(r));
}
