// Reports read from the crash utility's output: the panic message of `sys` and the fault frames of a `bt` listing.

import type { OopsFormat, OopsKind, StackFmt } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, seq } from '../patterns';

const r = String.raw;

/** A `bt` frame line of an entry point whose exception frame follows: `#30 [ffff...] page_fault at ffff...`. */
function faultFrame(entries: string): string {
  return r`^ {0,4}#[0-9]+ \[[0-9a-f]+\] (?:${entries}) at [0-9a-f]+`;
}

/** The longest text all of `|`-separated names hold: a line without it cannot show any of them. */
function commonPart(entries: string): string {
  const names = entries.split('|').sort((a, b) => a.length - b.length);
  for (let len = names[0].length; len > 0; len--) {
    for (let at = 0; at + len <= names[0].length; at++) {
      const part = names[0].slice(at, at + len);
      if (names.every((n) => n.includes(part))) return part;
    }
  }
  return '';
}

/** The exception frame's RIP: where the kernel faulted. */
const exceptionRip = r`^ *\[exception RIP: {{FUNC}}`;

/** Entry points of each fault, from 2.6 to 6.x names. */
const pageFault = 'page_fault|async_page_fault|asm_exc_page_fault|exc_page_fault';
const gpFault = 'general_protection|asm_exc_general_protection|exc_general_protection';
const invalidOp = 'invalid_op|asm_exc_invalid_op|exc_invalid_op';
const divideError = 'divide_error|asm_exc_divide_error|exc_divide_error';

/** The faulting function, else the first frame below it that is not plumbing. */
function faultStack(entries: string): StackFmt {
  return { parts: [c(faultFrame(entries)), c(exceptionRip), PARSE_STACK] };
}

/** What a console shows for each fault, titled as syzkaller titles the console's header. */
const faults: Array<{ entries: string; panic: string; fmt: string; alt?: string[] }> = [
  { entries: pageFault, panic: r`(?:BUG: )?(?:kernel NULL pointer dereference|unable to handle kernel NULL pointer dereference)`, fmt: 'BUG: unable to handle kernel NULL pointer dereference in %[1]v', alt: ['bad-access in %[1]v'] },
  // The 3.x header is two printk() calls; `sys` quotes the first, `BUG: unable to handle kernel `.
  { entries: pageFault, panic: r`(?:BUG: )?(?:unable to handle kernel|Unable to handle kernel|unable to handle page fault)`, fmt: 'BUG: unable to handle kernel paging request in %[1]v', alt: ['bad-access in %[1]v'] },
  { entries: gpFault, panic: r`general protection fault`, fmt: 'general protection fault in %[1]v', alt: ['bad-access in %[1]v'] },
  { entries: invalidOp, panic: r`kernel BUG at `, fmt: 'kernel BUG in %[1]v' },
  { entries: invalidOp, panic: r`invalid opcode`, fmt: 'invalid opcode in %[1]v' },
  { entries: divideError, panic: r`divide(?: |_)error`, fmt: 'divide error in %[1]v' },
];

const sysFormats: OopsFormat[] = [
  // A bt listing has no console stack heading: its frames are read by the recipe alone.
  ...faults.map((f): OopsFormat => ({ title: one(r`^ *PANIC: "${f.panic}`), fmt: f.fmt, alt: f.alt, stack: faultStack(f.entries), noStackTrace: true })),
  { title: one(r`^ *PANIC: "Kernel panic - not syncing: (.*?) *"`), fmt: 'kernel panic: %[1]v', noStackTrace: true },
  { title: one(r`^ *PANIC: "(.*?) *"`), fmt: '%[1]v', noStackTrace: true },
];

const NEXT_TASK = /^ {0,4}PID: {1,8}\d{1,10} {1,8}TASK: /;

/** A `bt` listing alone: the fault frame is the report, as the console would have printed it. */
const btFormats: OopsFormat[] = faults
  .filter((f) => f.fmt !== 'kernel BUG in %[1]v' && !f.fmt.includes('NULL'))
  .map((f): OopsFormat => ({
    title: one(r`^PID: `),
    // The fault frame belongs to this task's listing: the next `PID:` line (foreach bt) ends the search.
    report: seq(r`^PID: `, `.*${faultFrame(f.entries).slice(1)}`).map((s, i) => (i === 0 ? s : { ...s, stop: NEXT_TASK, literal: `${commonPart(f.entries)} at ` })),
    fmt: f.fmt,
    alt: f.alt,
    stack: faultStack(f.entries),
    noStackTrace: true,
  }));

export const crashUtilityKinds: OopsKind[] = [
  {
    // `sys` prints `PANIC: "message"` for the task that panicked; its `bt` follows in the session.
    header: 'PANIC: "',
    own: true,
    when: /^ *PANIC: "./,
    formats: sysFormats,
  },
  {
    header: 'TASK: ',
    own: true,
    when: /^PID: +\d+ +TASK: [0-9a-f]+ +CPU: +\d+ +COMMAND: /,
    continuation: true,
    formats: btFormats,
  },
];
