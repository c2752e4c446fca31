// Every source check, in the order findings of one place are listed.

import type { SourceCheck } from './types';
import { variantMismatch } from './locking/variant-mismatch';
import { heldAtReturn } from './locking/held-at-return';

export type * from './types';

export const CHECKS: readonly SourceCheck[] = [variantMismatch, heldAtReturn];

export function checkById(id: string): SourceCheck | undefined {
  return CHECKS.find((c) => c.meta.id === id);
}
