// Where a report ends: its own end markers, a crash prompt or task header, the next report of its context, or the end of its burst.

import type { LogLine } from '../model/types';
import { frameRes, stackStartRes } from './stack';

/** Lines of its own context a report spans at most. */
const MAX_EXTENT_LINES = 2000;
/** Input lines looked at, whatever their context. */
const MAX_EXTENT_SCAN = 20_000;
/** Lines after `---[ end trace` in which a panic still belongs to the report it ends. */
const PANIC_AFTER_END = 4;
/**
 * A report is printed in one burst. Once its trace is over, a line this many seconds after
 * the report's last line is the log going on with other things.
 */
const BURST_GAP_SECONDS = 1;

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

/**
 * Lines of a stack trace other than frames: unreliable frames, context markers, exception
 * frames, raw stack words, and the register dump that an exception frame carries.
 */
const traceLine = new RegExp(
  [
    String.raw`^ *(?:\[<?[0-9a-f]*>?\] )?\? `,
    String.raw`^ *</?(?:IRQ|NMI|EOI|TASK|SOFTIRQ)>`,
    String.raw`^ *-{2,3}[ \[]`,
    String.raw`^ *\[exception RIP: `,
    String.raw`^ *Exception stack`,
    String.raw`^ *(?:[0-9a-f]{8,16} ){2,}`,
    String.raw`^ *(?:[RE]?[A-Z0-9]{1,3}|ORIG_RAX|RFLAGS|EFLAGS|PKRU): [0-9a-f]`,
    // powerpc, s390 and other upper-case register dumps: `GPR00: c000...`, `Krnl GPRS: 0000...`.
    String.raw`^ *[A-Z][A-Za-z0-9_]{1,7}(?: [A-Z]{2,4})? ?: [0-9a-f]{8,}`,
    // arm64, riscv and other lower-case register dumps: `x29: ffff...`, `sp : ffff...`.
    String.raw`^ *[a-z]{1,3}\d{0,2} ?: [0-9a-f]{8,}`,
    String.raw`^ *Code: `,
  ].join('|'),
);

/**
 * An ordinary message of a device, driver or file system (`eth0: link up`, `usb 1-1: new device`,
 * `EXT4-fs (sda1): mounted`): after a report's trace, the log going on with other things.
 */
const deviceMessage = /^([A-Za-z][A-Za-z0-9_.-]{1,31})(?: (?:[0-9a-f][0-9a-f:.-]{0,31}|\([\w.-]{1,32}\)))?: \S/;
/** Prefixes of lines that reports print themselves. */
const reportPrefixes = new Set([
  'rcu', 'kasan', 'kmsan', 'kfence', 'kcsan', 'ubsan', 'mce', 'smp', 'watchdog', 'lockdep', 'flags', 'raw', 'head', 'lock',
  'pool', 'workqueue', 'page', 'memcg', 'oom', 'oom_reaper', 'task', 'stack', 'nmi', 'softirq', 'hardirqs', 'softirqs', 'perf', 'x86',
  'Workqueue', 'Hardware', 'Modules', 'Code', 'CPU', 'Call', 'Memory', 'Mem', 'Node', 'Tasks', 'Showing', 'Sending', 'Kernel',
  'INFO', 'BUG', 'WARNING', 'Oops', 'Internal', 'Unable', 'Backtrace', 'Allocated', 'Freed', 'The', 'Last', 'Second', 'irq',
  'Krnl', 'Process', 'Stack', 'Instruction', 'Dumping', 'Rebooting', 'SMP', 'pstate', 'ESR', 'FAR', 'Mem-Info', 'Uninit',
  'Local', 'Bytes', 'Write', 'Read', 'object', 'cache', 'addr', 'file', 'last', 'other', 'but', 'and', 'which', 'the',
]);

function isDeviceMessage(text: string): boolean {
  const m = deviceMessage.exec(text);
  return m !== null && !reportPrefixes.has(m[1]);
}

function isTraceLine(text: string): boolean {
  // Frames first: most lines of a trace are frames, and each frame pattern fails on its first characters otherwise.
  return frameRes.some((re) => re.test(text)) || traceLine.test(text) || stackStartRes.some((re) => re.test(text));
}

export interface ExtentInput {
  lines: readonly LogLine[];
  start: number;
  /** Whether line `i` opens a report that is not a continuation of an earlier one. */
  opensReport(i: number): boolean;
  /** Whether line `i` is not kernel output: prose or markup around a pasted log. */
  isProse(i: number): boolean;
}

/**
 * For a report starting at a crash `bt` task header: the first later line where the listing moves
 * on (a prompt or the next task), which the report never reaches. Null when the bound is not known
 * that simply (printk caller ids let other lines interleave).
 */
export function crashTaskBound(lines: readonly LogLine[], start: number): number | null {
  if (lines[start].caller !== undefined || !crashTask.test(lines[start].text)) return null;
  const scanEnd = Math.min(lines.length, start + MAX_EXTENT_SCAN);
  for (let i = start + 1; i < scanEnd; i++) if (crashPrompt.test(lines[i].raw) || crashTask.test(lines[i].text)) return i;
  return scanEnd;
}

/** Index of the last line of the report that starts at `start` (inclusive). */
export function reportExtent({ lines, start, opensReport, isProse }: ExtentInput): number {
  const caller = lines[start].caller;
  // How many crash prompts and bt task headers the report runs through.
  let prompts = crashSysPanic.test(lines[start].text) ? 1 : 0;
  let tasks = prompts;
  let end = start;
  let kept = 0;
  let traceSeen = false;
  let lastTime = lines[start].time;
  const scanEnd = Math.min(lines.length, start + MAX_EXTENT_SCAN);
  for (let i = start + 1; i < scanEnd && kept < MAX_EXTENT_LINES; i++) {
    const l = lines[i];
    // With printk caller ids, other tasks' lines interleave without ending the report.
    if (caller !== undefined && l.caller !== undefined && l.caller !== caller) continue;
    const text = l.text;
    // A crash session moves on to another command or task; a bt listing is one report per task.
    if (crashPrompt.test(l.raw) && prompts-- <= 0) break;
    if (crashTask.test(text) && tasks-- <= 0) break;
    if (opensReport(i) || isProse(i)) break;
    const trace = isTraceLine(text);
    // The clock went back: the machine rebooted.
    if (l.time !== undefined && lastTime !== undefined && l.time < lastTime - BURST_GAP_SECONDS) break;
    // In a console log a line without the console's prefix is a wrapped line or another
    // program's output, not the kernel going on.
    const console = lines[start].time !== undefined;
    if (traceSeen && !trace && (!console || l.time !== undefined)) {
      // The trace is over and the log goes on with other things: later, or a device's business.
      // A line of another CPU printed in the middle of the trace does not end it.
      const late = l.time !== undefined && lastTime !== undefined && l.time - lastTime > BURST_GAP_SECONDS;
      if ((late || isDeviceMessage(text)) && !soonAfter(lines, i, caller, INTERLEAVE_LOOKAHEAD, isTraceLine)) break;
    }
    if (trace) traceSeen = true;
    end = i;
    kept++;
    if (l.time !== undefined) lastTime = l.time;
    if (endPanic.test(text)) break;
    // The panic an oops causes follows its end-of-trace marker and belongs with it.
    if (endTrace.test(text) && !panicFollows(lines, i, caller)) break;
  }
  return end;
}

/** Registers the kernel prints again after `---[ end trace` (6.x reprints the faulting context before panicking). */
const REPRINTED_CONTEXT = /^\s{0,8}(?:RIP|RSP|RAX|RDX|RBP|R1[03]|R\d{1,2}|FS|CS|CR2|DR\d|PKRU|Code|pc|lr|sp|x\d{1,2}|pstate|EIP|EAX|ESI|DS)\b\s?:|^\s{0,8}Code: /;

/** The panic an oops causes follows its end marker, possibly after the registers printed again. */
function panicFollows(lines: readonly LogLine[], at: number, caller: string | undefined): boolean {
  let seen = 0;
  for (let i = at + 1; i < lines.length && seen < PANIC_AFTER_END; i++) {
    const l = lines[i];
    if (caller !== undefined && l.caller !== undefined && l.caller !== caller) continue;
    if (panicTail.test(l.text)) return true;
    if (REPRINTED_CONTEXT.test(l.text)) continue;
    seen++;
  }
  return false;
}

/** Lines after an interleaved line in which the trace may go on. */
const INTERLEAVE_LOOKAHEAD = 3;

/** One of the next `count` lines of the report's context after `at` satisfies `test`. */
function soonAfter(lines: readonly LogLine[], at: number, caller: string | undefined, count: number, test: (text: string) => boolean): boolean {
  let seen = 0;
  for (let i = at + 1; i < lines.length && seen < count; i++) {
    const l = lines[i];
    if (caller !== undefined && l.caller !== undefined && l.caller !== caller) continue;
    seen++;
    if (test(l.text)) return true;
  }
  return false;
}
