// Every source check, in the order findings of one place are listed.

import type { SourceCheck } from './types';
import { variantMismatch } from './locking/variant-mismatch';
import { heldAtReturn } from './locking/held-at-return';
import { irqsaveFlagsReuse } from './irq/irqsave-flags-reuse';
import { nestedIrqEnable, nestedIrqEnableMeta } from './irq/nested-irq-enable';
import { teardown, teardownMeta } from './lifecycle/teardown';
import { sleepInAtomic, sleepInAtomicMeta } from './sleeping/sleep-in-atomic';
import { stackFrame, stackFrameMeta } from './stack/stack-frame';
import type { CheckMeta, ProgramCheck } from './types';

export type * from './types';

export const CHECKS: readonly SourceCheck[] = [variantMismatch, heldAtReturn, irqsaveFlagsReuse];

/** Checks over the whole program (the files' call graph), not one function at a time. */
export const PROGRAM_CHECKS: readonly ProgramCheck[] = [
  { meta: nestedIrqEnableMeta, check: nestedIrqEnable },
  { meta: sleepInAtomicMeta, check: sleepInAtomic },
  { meta: stackFrameMeta, check: stackFrame },
  { meta: teardownMeta, check: teardown },
];

/** Every check's metadata, in the order they are listed. */
export const CHECK_METAS: readonly CheckMeta[] = [...CHECKS.map((c) => c.meta), ...PROGRAM_CHECKS.map((c) => c.meta)];

export function checkById(id: string): { meta: CheckMeta } | undefined {
  return CHECKS.find((c) => c.meta.id === id) ?? PROGRAM_CHECKS.find((c) => c.meta.id === id);
}
