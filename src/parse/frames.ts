// Reads one stack frame from a line, in the console, crash `bt` and arm formats.

import type { Frame } from '../model/types';
import { intern } from './intern';

// Console frame: `[<ffffffff81687133>] ? dump_stack+0x19/0x1b [mod]` (old) or
// ` ? dump_stack+0x19/0x1b [mod]` / ` func+0x1/0x2 file.c:12 [inline]` (new).
// Typos seen in pasted traces are tolerated: 15-digit addresses, `0x0x3d` offsets.
// An address eaten by a web page or hashed away is still a frame: `[<>] dump_stack+0x58/0x7c`, `[] ? dev_watchdog+0x263/0x270`.
// powerpc prints the stack pointer first: `[c0000001655739c0] [c00000000019cb48] .scan_block+0x68/0x170 (unreliable)`.
const CONSOLE_FRAME =
  /^ {0,16}(?:\[[0-9a-f]{8,16}\] {1,4}(?=\[[0-9a-f]))?(?:\[<?(?:0x)?([0-9a-f]{0,16})>?\] {1,4})?(\? {1,4})?([A-Za-z_.$][\w.$<>:~-]{0,255}?)\+(?:0x){1,2}([0-9a-f]{1,16})\/(?:0x){1,2}([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?(?: {1,4}([\w./+-]{1,255}:\d{1,7})(?: \[inline\])?)?(?: \[([\w-]{1,64})\])?( \(unreliable\))? *$/;
// s390 puts frames it cannot vouch for in parentheses: `([<00000002623523de>] free_unref_page+0xee/0x148)`.
const S390_UNRELIABLE = /^ {0,16}\(\[<([0-9a-f]{8,16})>\] {1,4}([A-Za-z_.$][\w.$]{0,255})\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?\) *$/;
// decode_stacktrace.sh: `? i2c_detect (drivers/i2c/i2c-core-base.c:2302) i2c_core`, with inlines inside the parentheses
// (`__die_body (arch/x86/kernel/dumpstack.c:478 arch/x86/kernel/dumpstack.c:420)`), or `func+0x1/0x2 (file.c:12)`.
const DECODED_FRAME = /^ {0,16}(\? {1,4})?([A-Za-z_.$][\w.$]{0,255})(?:\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16}))? \(([\w./+-]{1,255}:\d{1,7})((?: [^()]{1,255}| \(discriminator \d{1,6}\)){0,16})\)(?: \[?([\w-]{1,64})\]?)? *$/;
// faddr2line: `func at file.c:123`, `(inlined by) caller at file.c:456`.
const FADDR2LINE_FRAME = /^ {0,16}(\(inlined by\) )?((?=[\w.$]{0,255}[a-z_])[A-Za-z_.$][\w.$]{0,255}) at ([\w./+-]{1,255}:\d{1,7})(?: \(discriminator \d{1,6}\))? *$/;
// Symbolised inline frame without an offset: ` __dump_stack lib/dump_stack.c:17 [inline]`.
const INLINE_FRAME = /^ {0,16}(\? {1,4})?([A-Za-z_][\w.$]{0,255}) ([\w./+-]{1,255}:\d{1,7}) \[inline\] *$/;
/** The start of a crash `bt` frame line, ` #3 [ffffc90000003e28] ...` (lockdep's `#0: (&lock)` has no bracket). */
export const CRASH_FRAME_START = /^ {0,8}#\d{1,5} {1,4}\[/;
// crash `bt`: ` #12 [ffff88007f2839a8] _raw_spin_lock_irqsave at ffffffff8168eb47 [mod]`.
const CRASH_FRAME = /^ {0,8}#(\d{1,4}) {1,4}\[([0-9a-f]{1,16})\] {1,4}([\w.$]{1,255}) at ([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?(?: {1,4}([\w./+-]{1,255}: ?\d{1,7}))? *$/;
// arm: `[<c0100000>] (func+0x0/0x10c) from [<c0100010>] (caller+0x10/0x20)` (2.6-4.x with offsets,
// later `[<c0012465>] (unwind_backtrace) from [<c000fee3>] (show_stack+0xb/0xc)`), and 5.x without
// BACKTRACE_VERBOSE: ` unwind_backtrace from show_stack+0x10/0x14`.
const ARM_FRAME = /^ {0,16}(?:\[<([0-9a-f]{1,16})>\] \(([\w.$]{1,255})(?:\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16}))?(?: \[([\w-]{1,64})\])?\)|([A-Za-z_.$][\w.$]{0,255})(?: \[([\w-]{1,64})\])?) from (?:\[<([0-9a-f]{1,16})>\] \(([\w.$]{1,255})\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?\)|([A-Za-z_.$][\w.$]{0,255})\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?) *$/;
// ` func+0x1/0x2 (kernel/x.c:12)` printed by some arm64 symbolisers.
const ADDR_ONLY_FRAME = /^ {0,16}\[<([0-9a-f]{8,16})>\] {1,4}(\? {1,4})?0x[0-9a-f]{1,16} *$/;
// `%pS` of a kernel address no symbol covers (an unloaded module, BPF or freed code): ` ? 0xffffffffc03b4000`.
const BARE_ADDR_FRAME = /^ {0,16}(\? {1,4})?0x(ffff[0-9a-f]{12}|c[0-9a-f]{7}) *$/;

function hex(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number.parseInt(s, 16);
  return Number.isFinite(n) ? n : null;
}

/** powerpc64 ELFv1 prints a function's text entry as `.scan_block`: the function is `scan_block`. */
function symbolName(s: string): string {
  return s.length > 1 && s[0] === '.' && /[A-Za-z_]/.test(s[1]) ? s.slice(1) : s;
}

/** Parses a frame line, or returns null when the line is not a frame. */
export function parseFrame(text: string, line: number): Frame | null {
  const f = parseFrameAs(text, line);
  if (!f) return f;
  // Frames outlive the input's text (the machine model keeps every task): they hold their own copies of the names.
  if (f.function) f.function = intern(symbolName(f.function));
  if (f.address) f.address = intern(f.address);
  if (f.module) f.module = intern(f.module);
  return f;
}

function parseFrameAs(text: string, line: number): Frame | null {
  if (text.length > 1024) return null;
  let m = CONSOLE_FRAME.exec(text);
  if (m) {
    return {
      function: m[3],
      offset: hex(m[4]),
      size: hex(m[5]),
      module: m[6] ?? m[8] ?? null,
      address: m[1] ? m[1] : null,
      reliable: m[2] === undefined && m[9] === undefined,
      source: m[7] ?? null,
      inlined: / \[inline\]/.test(text),
      line,
    };
  }
  m = CRASH_FRAME.exec(text);
  if (m) {
    return {
      function: m[3],
      offset: null,
      size: null,
      module: m[5] ?? null,
      address: m[4],
      reliable: true,
      source: m[6] ? m[6].replace(': ', ':') : null,
      inlined: false,
      line,
    };
  }
  m = INLINE_FRAME.exec(text);
  if (m) {
    return { function: m[2], offset: null, size: null, module: null, address: null, reliable: m[1] === undefined, source: m[3], inlined: true, line };
  }
  m = ARM_FRAME.exec(text);
  if (m) {
    return { function: m[2] ?? m[6], offset: hex(m[3]), size: hex(m[4]), module: m[5] ?? m[7] ?? null, address: m[1] ?? null, reliable: true, source: null, inlined: false, line };
  }
  m = S390_UNRELIABLE.exec(text);
  if (m) {
    return { function: m[2], offset: hex(m[3]), size: hex(m[4]), module: m[5] ?? null, address: m[1], reliable: false, source: null, inlined: false, line };
  }
  m = DECODED_FRAME.exec(text);
  if (m) {
    return { function: m[2], offset: hex(m[3]), size: hex(m[4]), module: m[7] ?? null, address: null, reliable: m[1] === undefined, source: m[5], inlined: false, line };
  }
  m = FADDR2LINE_FRAME.exec(text);
  if (m) {
    return { function: m[2], offset: null, size: null, module: null, address: null, reliable: true, source: m[3], inlined: m[1] !== undefined, line };
  }
  m = ADDR_ONLY_FRAME.exec(text);
  if (m) {
    return { function: null, offset: null, size: null, module: null, address: m[1], reliable: m[2] === undefined, source: null, inlined: false, line };
  }
  m = BARE_ADDR_FRAME.exec(text);
  if (m) {
    return { function: null, offset: null, size: null, module: null, address: m[2], reliable: m[1] === undefined, source: null, inlined: false, line };
  }
  return null;
}

/** `func+0x1ec/0x250 [mod]` or `func+492` (crash, decimal) as printed after RIP:/IP:/pc :. */
export function parseSymbolOffset(s: string): { function: string; offset: number | null; size: number | null; module: string | null } | null {
  const m = /([A-Za-z_.$][\w.$]{0,255})\+(0x[0-9a-f]{1,16}|\d{1,10})(?:\/0x([0-9a-f]{1,16}))?(?: \[([\w-]{1,64})\])?/.exec(s);
  if (!m) return null;
  const off = m[2].startsWith('0x') ? Number.parseInt(m[2].slice(2), 16) : Number(m[2]);
  return { function: symbolName(m[1]), offset: off, size: hex(m[3]), module: m[4] ?? null };
}

/** The caller an arm frame line names after `from`: the next frame, with the return offset into it. */
export function armCaller(text: string, line: number): Frame | null {
  if (text.length > 1024) return null;
  const m = ARM_FRAME.exec(text);
  if (!m) return null;
  const fn = m[9] ?? m[13];
  if (!fn) return null;
  return { function: fn, offset: hex(m[10] ?? m[14]), size: hex(m[11] ?? m[15]), module: m[12] ?? m[16] ?? null, address: m[8] ?? null, reliable: true, source: null, inlined: false, line };
}
