// The machine model of an analysed input, built once and shared by every rule and renderer.

import type { Analysis } from '../analyze/analyze';
import { buildMachine } from './build';
import type { LockHolder, MachineContext, MachineLock, MachineModel } from './types';

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

/** Records the model of an input analysed in batches (whose result keeps no lines to build it from). */
export function rememberMachine(a: Analysis, m: MachineModel): void {
  built.set(a, m);
}

/** A batch's model with its report indices made the input's. */
export function offsetMachine(m: MachineModel, offset: number): MachineModel {
  if (offset === 0) return m;
  return { ...m, contexts: m.contexts.map((c) => ({ ...c, report: c.report === null ? null : c.report + offset })) };
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

/** A nested wait where an interrupt or softirq spins on a lock that the code it interrupted holds with interrupts enabled. */
export interface InterruptedHolder extends NestedWait {
  held: LockHolder;
}

/** Every interrupt (hardirq or softirq) that spins on a lock its interrupted context holds with EFLAGS.IF set. */
export function interruptedHolders(m: MachineModel): InterruptedHolder[] {
  const out: InterruptedHolder[] = [];
  for (const nw of nestedWaits(m)) {
    if (nw.waiter.kind !== 'irq' && nw.waiter.kind !== 'softirq') continue;
    if (nw.holder.interruptsEnabled !== true) continue;
    const held = nw.lock.holders.find((x) => x.context === nw.holder.id);
    if (held) out.push({ ...nw, held });
  }
  return out;
}

/** The deadlock a CPU found spinning on a lock is part of: a ring of waits across CPUs or tasks (AB-BA), else the AA the spin means alone. */
export function spinDeadlockClass(m: MachineModel, cpu: number | null): 'deadlock-aa' | 'deadlock-abba' {
  if (cpu === null) return 'deadlock-aa';
  return m.cycles.some((c) => c.edges.some((e) => m.contexts[e.waiter].cpu === cpu && m.locks[e.lock].kind !== 'completion')) ? 'deadlock-abba' : 'deadlock-aa';
}

/** The slab object crash's `kmem` placed `address` in (its start up to its size), or null. */
export function slabObjectAt(m: MachineModel, address: string): MachineModel['slab']['objects'][number] | null {
  if (!/^(?:0x)?[0-9a-f]{8,16}$/i.test(address)) return null;
  const at = BigInt(`0x${address.replace(/^0x/i, '')}`);
  for (const o of m.slab.objects) {
    const start = BigInt(`0x${o.address}`);
    if (at >= start && at < start + BigInt(Math.max(1, o.objSize ?? 1))) return o;
  }
  return null;
}

export { buildMachine, innermostWorking } from './build';
export { MAX_CONTEXTS, mergeMachines } from './merge';
export type * from './types';
