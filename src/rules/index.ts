// The registry of diagnosis rules, in tie-break order (a more specific rule before a general one).

import type { Rule } from './types';
import { bhDisabledSleep } from './bh-disabled-sleep';
import { bhLeakReturnToUser } from './bh-leak-return-to-user';
import { panicExitInInterrupt } from './panic-exit-in-interrupt';
import { danglingCallback } from './dangling-callback';
import { selfDeadlockNested } from './self-deadlock-nested';
import { irqReenabledInIrqLock } from './irq-reenabled-in-irq-lock';
import { threadInfoOverwritten } from './thread-info-overwritten';
import { knownIssue } from './known-issue';
import { preemptCountUnderflow } from './preempt-count-underflow';
import { COMMON_RULES } from './common';
import { unloadedModuleAccess } from './lifecycle/unloaded-module-access';
import { reenteredUnderLock } from './locking/reentered-under-lock';
import { assertionFailed } from './checks/assertion-failed';

export const RULES: readonly Rule[] = [
  bhDisabledSleep,
  bhLeakReturnToUser,
  danglingCallback,
  unloadedModuleAccess,
  irqReenabledInIrqLock,
  threadInfoOverwritten,
  knownIssue,
  preemptCountUnderflow,
  selfDeadlockNested,
  reenteredUnderLock,
  assertionFailed,
  panicExitInInterrupt,
  ...COMMON_RULES,
];

export function ruleById(id: string): Rule | null {
  return RULES.find((r) => r.meta.id.toLowerCase() === id.toLowerCase()) ?? null;
}
