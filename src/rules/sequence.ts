// How the reports of one log relate in time: an earlier report that explains a later one (its cause), a later one that is a consequence.
//
// A kernel engineer reads the first report first: an oops leaves the dying task's state behind (a held lock,
// a preempt count, disabled interrupts), so the task's exit prints more reports that only repeat it; a WARN
// that a reference count underflowed or a list was corrupted is followed by the fault on the freed memory.

import type { CrashReport } from '../model/types';
import type { Analysis } from '../analyze/analyze';
import { baseName } from './blame';

export interface ReportLink {
  /** Index of the earlier report (the cause). */
  cause: number;
  /** Index of the later report (its consequence). */
  consequence: number;
  why: 'exit-of-oopsed-task' | 'same-task-soon-after' | 'freed-memory-fault' | 'taint-says-earlier-oops';
}

/** Frames of the exit path an oopsing task takes: reports printed from them repeat the oops. */
const OOPS_EXIT = new Set(['do_exit', 'make_task_dead', 'rewind_stack_do_exit', 'rewind_stack_and_make_dead', 'oops_end', 'die', '__die', 'do_task_dead', 'bad_page_fault', 'die_kernel_fault', 'do_group_exit']);

/** Reports that leave the task alive (a check fired, the kernel went on). */
const WARNS = /^(?:WARNING|BUG: (?:workqueue leaked|sleeping function|scheduling while atomic|bad unlock|held lock freed|corrupted list|Bad page)|UBSAN|refcount_t|list_(?:add|del) corruption)|^WARNING: refcount bug|refcount bug/;
/** Reports that are a bad memory access. */
const FAULTS = /unable to handle|paging request|general protection fault|NULL pointer dereference|KASAN|KFENCE|Unable to handle kernel|page fault/;
/** Earlier checks whose finding implies freed or corrupted memory. */
const MEMORY_CHECKS = /refcount|use-after-free|underflow|list_(?:add|del)|corrupted list|list corruption|Bad page|double free|ODEBUG/;

/** How far apart (in printk seconds) two reports of one task may be and still be one story. */
const SAME_STORY_SECONDS = 5;

function timeOf(a: Analysis, r: CrashReport): number | null {
  for (const region of a.regions) {
    if (region.length === 0 || r.headerLine < region[0].no || r.headerLine > region[region.length - 1].no) continue;
    const l = region[r.headerLine - region[0].no];
    if (l && l.no === r.headerLine) return l.time ?? null;
    return region.find((x) => x.no === r.headerLine)?.time ?? null;
  }
  return null;
}

function sameTask(x: CrashReport, y: CrashReport): boolean {
  if (x.pid !== null && y.pid !== null) return x.pid === y.pid && (x.comm === null || y.comm === null || x.comm === y.comm);
  return x.comm !== null && x.comm === y.comm;
}

function onExitPath(r: CrashReport): boolean {
  for (const t of r.traces) for (const s of t.segments) for (const f of s.frames) if (f.reliable && f.function && OOPS_EXIT.has(baseName(f.function))) return true;
  return false;
}

/** Taint `D` (an oops happened) in a later report's header says it is not the first. */
function taintedByEarlierOops(r: CrashReport): boolean {
  return r.kernel.taint?.flags.includes('D') ?? false;
}

/** The links between the reports of an input, earliest cause first. Bounded: a flood of reports is linked pairwise only to its neighbours. */
export function linkReports(a: Analysis): ReportLink[] {
  const rs = a.reports;
  const out: ReportLink[] = [];
  const times = rs.map((r) => timeOf(a, r));
  // Reports are in log order; look back a few reports only, so that 80,000 reports stay linear.
  const window = 8;
  for (let j = 1; j < rs.length; j++) {
    const later = rs[j];
    for (let i = j - 1; i >= Math.max(0, j - window); i--) {
      const earlier = rs[i];
      const dt = times[i] !== null && times[j] !== null ? (times[j] as number) - (times[i] as number) : null;
      const close = dt === null ? later.startLine - earlier.endLine < 200 : dt >= 0 && dt <= SAME_STORY_SECONDS;
      if (FAULTS.test(earlier.title) || /Oops|kernel BUG|invalid opcode/.test(earlier.title)) {
        if (sameTask(earlier, later) && (onExitPath(later) || taintedByEarlierOops(later)) && close) {
          out.push({ cause: i, consequence: j, why: 'exit-of-oopsed-task' });
          break;
        }
      }
      if (WARNS.test(earlier.title) && FAULTS.test(later.title) && close) {
        if (sameTask(earlier, later)) {
          out.push({ cause: i, consequence: j, why: 'same-task-soon-after' });
          break;
        }
        if (MEMORY_CHECKS.test(earlier.title)) {
          out.push({ cause: i, consequence: j, why: 'freed-memory-fault' });
          break;
        }
      }
    }
  }
  return out;
}
