// Reads one stack frame from a line, in the console, crash `bt` and arm formats.

import type { Frame } from '../model/types';

// Console frame: `[<ffffffff81687133>] ? dump_stack+0x19/0x1b [mod]` (old) or
// ` ? dump_stack+0x19/0x1b [mod]` / ` func+0x1/0x2 file.c:12 [inline]` (new).
// Typos seen in pasted traces are tolerated: 15-digit addresses, `0x0x3d` offsets.
const CONSOLE_FRAME =
  /^ {0,16}(?:\[<?(?:0x)?([0-9a-f]{1,16})>?\] {1,4})?(\? {1,4})?([A-Za-z_.$][\w.$<>:~-]{0,255}?)\+(?:0x){1,2}([0-9a-f]{1,16})\/(?:0x){1,2}([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?(?: {1,4}([\w./+-]{1,255}:\d{1,7})(?: \[inline\])?)?(?: \[([\w-]{1,64})\])? *$/;
// Symbolised inline frame without an offset: ` __dump_stack lib/dump_stack.c:17 [inline]`.
const INLINE_FRAME = /^ {0,16}(\? {1,4})?([A-Za-z_][\w.$]{0,255}) ([\w./+-]{1,255}:\d{1,7}) \[inline\] *$/;
// crash `bt`: ` #12 [ffff88007f2839a8] _raw_spin_lock_irqsave at ffffffff8168eb47 [mod]`.
const CRASH_FRAME = /^ {0,8}#(\d{1,4}) {1,4}\[([0-9a-f]{1,16})\] {1,4}([\w.$]{1,255}) at ([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?(?: {1,4}([\w./+-]{1,255}: ?\d{1,7}))? *$/;
// arm: `[<c0100000>] (func) from [<c0100010>] (caller+0x10/0x20)`.
const ARM_FRAME = /^ {0,16}\[<([0-9a-f]{1,16})>\] \(([\w.$]{1,255})\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16})(?: \[([\w-]{1,64})\])?\) from /;
// ` func+0x1/0x2 (kernel/x.c:12)` printed by some arm64 symbolisers.
const ADDR_ONLY_FRAME = /^ {0,16}\[<([0-9a-f]{8,16})>\] {1,4}(\? {1,4})?0x[0-9a-f]{1,16} *$/;

function hex(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number.parseInt(s, 16);
  return Number.isFinite(n) ? n : null;
}

/** Parses a frame line, or returns null when the line is not a frame. */
export function parseFrame(text: string, line: number): Frame | null {
  if (text.length > 1024) return null;
  let m = CONSOLE_FRAME.exec(text);
  if (m) {
    return {
      function: m[3],
      offset: hex(m[4]),
      size: hex(m[5]),
      module: m[6] ?? m[8] ?? null,
      address: m[1] ?? null,
      reliable: m[2] === undefined,
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
    return { function: m[2], offset: hex(m[3]), size: hex(m[4]), module: m[5] ?? null, address: m[1], reliable: true, source: null, inlined: false, line };
  }
  m = ADDR_ONLY_FRAME.exec(text);
  if (m) {
    return { function: null, offset: null, size: null, module: null, address: m[1], reliable: m[2] === undefined, source: null, inlined: false, line };
  }
  return null;
}

/** `func+0x1ec/0x250 [mod]` or `func+492` (crash, decimal) as printed after RIP:/IP:/pc :. */
export function parseSymbolOffset(s: string): { function: string; offset: number | null; size: number | null; module: string | null } | null {
  const m = /([A-Za-z_.$][\w.$]{0,255})\+(0x[0-9a-f]{1,16}|\d{1,10})(?:\/0x([0-9a-f]{1,16}))?(?: \[([\w-]{1,64})\])?/.exec(s);
  if (!m) return null;
  const off = m[2].startsWith('0x') ? Number.parseInt(m[2].slice(2), 16) : Number(m[2]);
  return { function: m[1], offset: off, size: hex(m[3]), module: m[4] ?? null };
}
