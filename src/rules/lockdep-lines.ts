// Pieces of a lockdep report several rules read: the lock being acquired, the lock already held, chains, held-lock lists.

import type { CrashReport, LogLine } from '../model/types';
import type { EvidenceDraft, RuleContext } from './types';
import { ev, linesOf } from './reports';

export interface LockRef {
  name: string;
  /** The function that took (or tries to take) it. */
  at: string | null;
  line: number;
}

const LOCK_LINE = /^\s*(?:#\d+:\s*)?(?:[0-9a-f]{8,16} )?\((.+)\)\{[^}]*\}(?:-\{\d:\d\})?, at: (?:\[<[0-9a-f]+>\] )?([\w.]+)?/;

export function parseLockLine(l: LogLine): LockRef | null {
  const m = LOCK_LINE.exec(l.text);
  return m ? { name: m[1], at: m[2] ?? null, line: l.no } : null;
}

/** The first lock line after a line matching `intro` (lockdep prints the lock on the next line). */
export function lockAfter(ctx: RuleContext, r: CrashReport, intro: RegExp): LockRef | null {
  const introLine = linesOf(ctx, r, intro, 1)[0];
  if (!introLine) return null;
  for (let no = introLine.no + 1; no <= Math.min(r.endLine, introLine.no + 3); no++) {
    const l = ctx.line(no);
    const lock = l ? parseLockLine(l) : null;
    if (lock) return lock;
  }
  return null;
}

/** `N locks held by comm/pid:` and the locks listed below it. */
export function heldLocks(ctx: RuleContext, r: CrashReport): { header: LogLine | null; locks: LockRef[] } {
  const header = linesOf(ctx, r, /(?:\d+ locks? held by|no locks held by) /, 1)[0] ?? null;
  const locks: LockRef[] = [];
  if (header) {
    for (let no = header.no + 1; no <= Math.min(r.endLine, header.no + 12); no++) {
      const l = ctx.line(no);
      if (!l || !/#\d+:/.test(l.text)) break;
      const lock = parseLockLine(l);
      if (lock) locks.push(lock);
    }
  }
  return { header, locks };
}

/** The "-> #N (lock){...}:" entries of a dependency chain, with the first real frame under each. */
export function dependencyChain(ctx: RuleContext, r: CrashReport): Array<{ name: string; line: number; takenIn: string | null }> {
  const out: Array<{ name: string; line: number; takenIn: string | null }> = [];
  for (const l of linesOf(ctx, r, /^-> #\d+ \(/, 12)) {
    const name = /^-> #\d+ \((.+)\)\{/.exec(l.text)?.[1] ?? l.text;
    let takenIn: string | null = null;
    for (let no = l.no + 1; no <= Math.min(r.endLine, l.no + 30); no++) {
      const fl = ctx.line(no);
      if (!fl || /^-> #\d+|^other info|^\s*$/.test(fl.text)) break;
      const fm = /^\s*(?:\[<[0-9a-f]+>\] )?([\w.]+)\+0x/.exec(fl.text);
      if (fm && !/^(?:lock_acquire|__lock_acquire|_raw_\w+|__mutex_lock\w*|mutex_lock\w*|down_\w+|__down\w*|rwsem_\w+|validate_chain|check_prev\w*|__lock_acquire\w*|lock_sock_nested|lock_sock|save_trace|stack_trace_save|__kernel_text_address|check_noncircular|print_circular_bug|check_prevs_add)$/.test(fm[1])) {
        takenIn = fm[1];
        break;
      }
    }
    out.push({ name, line: l.no, takenIn });
  }
  return out;
}

export function lockEvidence(lock: LockRef | null, en: string, zh: string): EvidenceDraft[] {
  return lock ? [ev(lock.line, `${en}: ${lock.name}${lock.at ? ` (in ${lock.at})` : ''}`, `${zh}：${lock.name}${lock.at ? `（在 ${lock.at} 中）` : ''}`)] : [];
}

/** The lock a lockdep report says the task tries to take, and the one it already holds. */
export function wantedAndHeld(ctx: RuleContext, r: CrashReport): { want: ReturnType<typeof lockAfter>; held: ReturnType<typeof lockAfter> } {
  return { want: lockAfter(ctx, r, /is trying to acquire/), held: lockAfter(ctx, r, /but task is already holding/) };
}
