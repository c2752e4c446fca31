// Where a report ends: its own end markers, a crash prompt or task header, or the next report of its context.

import type { LogLine } from '../model/types';

/** Lines of its own context a report spans at most. */
const MAX_EXTENT_LINES = 2000;
/** Input lines looked at, whatever their context. */
const MAX_EXTENT_SCAN = 20_000;
/** Lines after `---[ end trace` in which a panic still belongs to the report it ends. */
const PANIC_AFTER_END = 4;

/** `---[ end Kernel panic - not syncing: ... ]---`: nothing of the report comes after it. */
const endPanic = /---\[ end Kernel panic/;
const endTrace = /---\[ end trace/;
/** What the kernel prints after an oops on its way down; it belongs to the oops. */
const panicTail = /Kernel panic - not syncing|Kernel Offset:|Rebooting in \d+ seconds|---\[ end Kernel panic/;
/** The crash utility's prompt, and the header of each task of a `bt` listing. */
const crashPrompt = /^crash> /;
const crashTask = /^PID: +\d+ +TASK: [0-9a-f]+ +CPU: /;
/** `sys` names the panic; the `bt` of the panic task that follows in the session belongs with it. */
const crashSysPanic = /^ *PANIC: "/;

export interface ExtentInput {
  lines: readonly LogLine[];
  start: number;
  /** Whether line `i` opens a report that is not a continuation of an earlier one. */
  opensReport(i: number): boolean;
}

/** Index of the last line of the report that starts at `start` (inclusive). */
export function reportExtent({ lines, start, opensReport }: ExtentInput): number {
  const caller = lines[start].caller;
  // How many crash prompts and bt task headers the report runs through.
  let prompts = crashSysPanic.test(lines[start].text) ? 1 : 0;
  let tasks = prompts;
  let end = start;
  let kept = 0;
  const scanEnd = Math.min(lines.length, start + MAX_EXTENT_SCAN);
  for (let i = start + 1; i < scanEnd && kept < MAX_EXTENT_LINES; i++) {
    const l = lines[i];
    // With printk caller ids, other tasks' lines interleave without ending the report.
    if (caller !== undefined && l.caller !== undefined && l.caller !== caller) continue;
    const text = l.text;
    // A crash session moves on to another command or task; a bt listing is one report per task.
    if (crashPrompt.test(l.raw) && prompts-- <= 0) break;
    if (crashTask.test(text) && tasks-- <= 0) break;
    if (opensReport(i)) break;
    end = i;
    kept++;
    if (endPanic.test(text)) break;
    if (endTrace.test(text) && !panicFollows(lines, i, caller)) break;
  }
  return end;
}

/** The oops's panic follows its end-of-trace marker. */
function panicFollows(lines: readonly LogLine[], at: number, caller: string | undefined): boolean {
  let seen = 0;
  for (let i = at + 1; i < lines.length && seen < PANIC_AFTER_END; i++) {
    const l = lines[i];
    if (caller !== undefined && l.caller !== undefined && l.caller !== caller) continue;
    seen++;
    if (panicTail.test(l.text)) return true;
  }
  return false;
}
