// Views over the stacks of an analysed input that rules share: every stack with its CPU and task, frame lookups.

import type { CallTrace, CrashReport, Frame, StackSegment } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import { matchesAny } from '../knowledge/contexts';

export interface StackView {
  trace: CallTrace;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  /** Index of the report the stack belongs to, or null for a crash `bt` outside any report. */
  report: number | null;
}

/** Every stack in the input: the traces of each report, then crash `bt` listings outside reports. */
export function allStacks(a: Analysis): StackView[] {
  const out: StackView[] = [];
  a.reports.forEach((r, i) => {
    for (const t of r.traces) {
      out.push({ trace: t, cpu: t.task?.cpu ?? r.cpu, pid: t.task?.pid ?? r.pid, comm: t.task?.comm ?? r.comm, report: i });
    }
  });
  for (const t of a.backtraces) out.push({ trace: t, cpu: t.task?.cpu ?? null, pid: t.task?.pid ?? null, comm: t.task?.comm ?? null, report: null });
  return out;
}

/** The frames of every segment, innermost first: a new array, which the caller may change. */
export function framesOf(t: CallTrace): Frame[] {
  if (t.segments.length === 1) return t.segments[0].frames.slice();
  const out: Frame[] = [];
  for (const s of t.segments) for (const f of s.frames) out.push(f);
  return out;
}

export function reliableFrames(t: CallTrace): Frame[] {
  return framesOf(t).filter((f) => f.reliable);
}

export function named(f: Frame, patterns: readonly RegExp[]): boolean {
  return f.function !== null && matchesAny(f.function, patterns);
}

/** The first reliable frame matching one of the patterns (`?` frames are stack leftovers, not the call chain). */
export function findFrame(t: CallTrace, patterns: readonly RegExp[]): Frame | null {
  return framesOf(t).find((f) => f.reliable && named(f, patterns)) ?? null;
}

export { baseName } from './blame';

/** The segment that holds a frame. */
export function segmentOf(t: CallTrace, f: Frame): StackSegment | null {
  return t.segments.find((s) => s.frames.includes(f)) ?? null;
}

/** Frames that belong to a loadable module (`[mod]`), innermost first. */
export function moduleFrames(frames: readonly Frame[]): Frame[] {
  return frames.filter((f) => f.module !== null);
}

/** The module with the most frames in a stack, and how many. */
export function dominantModule(frames: readonly Frame[]): { module: string; count: number } | null {
  const counts = new Map<string, number>();
  for (const f of frames) if (f.module) counts.set(f.module, (counts.get(f.module) ?? 0) + 1);
  let best: { module: string; count: number } | null = null;
  for (const [module, count] of counts) if (!best || count > best.count) best = { module, count };
  return best;
}


/** Out-of-tree, unsigned or proprietary modules named in the module list: the usual suspects. */
export function suspectModules(r: CrashReport): string[] {
  return r.modules.filter((m) => /[OEP]/.test(m.taint)).map((m) => m.name);
}
