// What a stuck CPU's stack shows: spinning on a lock, or looping in a function (shared by the lockup and stall rules).

import type { CrashReport, Frame } from '../../model/types';
import { LOCK_SPINNERS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { baseName, isOwnFrame } from '../blame';
import { mainFrames } from '../reports';

export interface Spin {
  spinner: Frame;
  /** The first frame outside locking: who wanted the lock. */
  taker: Frame | null;
  /** The lock address when RDI was printed with a spinner at RIP. */
  lock: string | null;
}

/** The lock a stuck stack spins on, if its innermost reliable frames are a spin-lock slow path. */
export function spinningOn(r: CrashReport): Spin | null {
  const ipFn = r.registers?.ip?.function ?? null;
  const frames = mainFrames(r).filter((f) => f.reliable && f.function !== null);
  const top = frames.slice(0, 4);
  const spinner = (ipFn && matchesAny(baseName(ipFn), LOCK_SPINNERS) ? frames.find((f) => f.function === ipFn) ?? ({ function: ipFn, offset: null, size: null, module: null, address: null, reliable: true, source: null, inlined: false, line: r.registers?.ip?.line ?? r.headerLine } as Frame) : null) ?? top.find((f) => matchesAny(baseName(f.function as string), LOCK_SPINNERS)) ?? null;
  if (!spinner) return null;
  const taker = frames.slice(Math.max(0, frames.indexOf(spinner))).find(isOwnFrame) ?? null;
  const lock = ipFn && matchesAny(baseName(ipFn), LOCK_SPINNERS) ? (r.registers?.values.RDI ?? null) : null;
  return { spinner, taker, lock };
}
