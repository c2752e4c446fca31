// The machine model of an analysed input, built once and shared by every rule and renderer.

import type { Analysis } from '../analyze/analyze';
import { buildMachine } from './build';
import type { MachineContext, MachineLock, MachineModel } from './types';

const built = new WeakMap<Analysis, MachineModel>();

/** The machine model of `a` (built on first use). */
export function machineOf(a: Analysis): MachineModel {
  let m = built.get(a);
  if (!m) {
    m = buildMachine(a);
    built.set(a, m);
  }
  return m;
}

/** A lock waiter with a holder on its own stack: the holder was interrupted (directly or through nested contexts) by the waiter. */
export interface NestedWait {
  lock: MachineLock;
  waiter: MachineContext;
  holder: MachineContext;
  holderFunction: string | null;
}

/** Every wait whose lock is held by a context the waiter interrupted on the same CPU: an AA self-deadlock through nesting. */
export function nestedWaits(m: MachineModel): NestedWait[] {
  const out: NestedWait[] = [];
  for (const lock of m.locks) {
    for (const w of lock.waiters) {
      const waiter = m.contexts[w.context];
      const h = lock.holders.find((x) => {
        const c = m.contexts[x.context];
        return c.id > waiter.id && c.pid === waiter.pid && c.cpu === waiter.cpu;
      });
      if (h) out.push({ lock, waiter, holder: m.contexts[h.context], holderFunction: h.function });
    }
  }
  return out;
}

export { buildMachine } from './build';
export type * from './types';
