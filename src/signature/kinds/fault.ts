// Faults and oopses: bad memory accesses, general protection, traps, stack overflows, and their arm/powerpc forms.

import type { OopsKind, StackFmt } from '../types';
import { c, one, ripFrame, ripThenTrace } from '../patterns';

const r = String.raw;

/** Traps that print no trace worth reading: the faulting RIP names the function. */
const ripOnly: StackFmt = { parts: [ripFrame] };

export const faultKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)`),
        fmt: 'BUG: unable to handle kernel paging request in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
      },
      {
        title: one(r`BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)`),
        fmt: 'BUG: unable to handle kernel NULL pointer dereference in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
      },
      {
        // The kernel prints the header in two printk() calls; the second one is lost or garbled.
        title: one(r`BUG: (?:unable to handle kernel|Unable to handle kernel)`),
        fmt: 'BUG: unable to handle kernel',
        corrupted: true,
      },
      {
        title: one(r`BUG: .*stack guard page was hit at`),
        fmt: 'BUG: stack guard page was hit in %[1]v',
        alt: ['stack-overflow in %[1]v'],
        stack: { ...ripThenTrace, extractor: 'stall' },
      },
    ],
  },
  {
    header: 'Unable to handle kernel',
    formats: [
      {
        title: one(r`Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)`),
        fmt: 'BUG: unable to handle kernel %[1]v in %[2]v',
        alt: ['bad-access in %[2]v'],
        stack: ripThenTrace,
      },
    ],
  },
  {
    header: 'general protection fault',
    formats: [
      {
        title: one(r`general protection fault.*:`),
        fmt: 'general protection fault in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
      },
    ],
    // A user-space fault logged by show_signal_msg(), not a kernel oops.
    suppressions: [c(r`general protection fault .* error:\d+ in `)],
  },
  {
    header: 'stack segment: ',
    formats: [{ title: one(r`stack segment: `), fmt: 'stack segment fault in %[1]v', stack: ripThenTrace }],
  },
  {
    header: 'PANIC: double fault',
    formats: [{ title: one(r`PANIC: double fault`), fmt: 'PANIC: double fault in %[1]v', stack: ripOnly }],
  },
  {
    header: 'divide error:',
    formats: [{ title: one(r`divide error: `), fmt: 'divide error in %[1]v', stack: ripOnly }],
  },
  {
    // The misspelling of 5.8's IDTENTRY conversion.
    header: 'divide_error:',
    formats: [{ title: one(r`divide_error: `), fmt: 'divide error in %[1]v', stack: ripOnly }],
  },
  {
    header: 'invalid opcode:',
    formats: [{ title: one(r`invalid opcode: `), fmt: 'invalid opcode in %[1]v', stack: ripOnly }],
  },
  {
    header: 'int3:',
    formats: [{ title: one(r`int3: `), fmt: 'int3 in %[1]v', stack: ripThenTrace }],
  },
  {
    header: 'Internal error:',
    formats: [
      {
        title: one(r`Internal error:`),
        fmt: 'Internal error in %[1]v',
        // arm64's "synchronous external abort" is arm's "Unable to handle kernel paging request".
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
      },
    ],
  },
  {
    header: 'Unhandled fault:',
    formats: [
      {
        title: one(r`Unhandled fault:`),
        fmt: 'Unhandled fault in %[1]v',
        // arm's "page domain fault" is x86's general protection fault on a NULL pointer.
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
      },
    ],
  },
  {
    header: 'Alignment trap:',
    formats: [{ title: one(r`Alignment trap:`), fmt: 'Alignment trap in %[1]v', stack: ripThenTrace }],
  },
];
