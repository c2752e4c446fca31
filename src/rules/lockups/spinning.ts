// What a stuck CPU's stack shows: spinning on a lock, or looping in a function (shared by the lockup and stall rules).

import type { CrashReport, Frame } from '../../model/types';
import { LOCK_SPINNERS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { baseName, isOwnFrame } from '../blame';
import type { SampledStack } from '../facts';
import { mainFrames } from '../reports';

export interface Spin {
  spinner: Frame;
  /** The first frame outside locking: who wanted the lock. */
  taker: Frame | null;
  /** The lock address when RDI was printed with a spinner at RIP. */
  lock: string | null;
}

/**
 * The lock a sampled stack spins on: the sampled instruction, or one of the innermost reliable frames, is a
 * spin-lock slow path. `rdi` is the first argument register printed with that instruction (the lock on x86_64).
 */
export function spinningIn(stack: SampledStack, rdi: string | null, fallbackLine: number): Spin | null {
  const ipFn = stack.detectedIn?.function ?? null;
  const frames = stack.frames.filter((f) => f.reliable && f.function !== null);
  const atIp = ipFn !== null && matchesAny(baseName(ipFn), LOCK_SPINNERS);
  const spinner = (atIp ? frames.find((f) => f.function === ipFn) ?? ({ function: ipFn, offset: stack.detectedIn?.offset ?? null, size: null, module: stack.detectedIn?.module ?? null, address: null, reliable: true, source: null, inlined: false, line: stack.detectedIn?.line ?? fallbackLine } as Frame) : null)
    ?? frames.slice(0, 4).find((f) => matchesAny(baseName(f.function as string), LOCK_SPINNERS)) ?? null;
  if (!spinner) return null;
  const taker = frames.slice(Math.max(0, frames.indexOf(spinner))).find(isOwnFrame) ?? null;
  return { spinner, taker, lock: atIp ? rdi : null };
}

/** The lock a stuck report spins on, if its innermost reliable frames are a spin-lock slow path. */
export function spinningOn(r: CrashReport): Spin | null {
  const ip = r.registers?.ip ?? null;
  const stack: SampledStack = { frames: mainFrames(r), detectedIn: ip?.function ? { function: ip.function, module: ip.module, offset: ip.offset, line: ip.line } : null };
  return spinningIn(stack, r.registers?.values.RDI ?? null, r.headerLine);
}
