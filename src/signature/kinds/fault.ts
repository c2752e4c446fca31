// Faults and oopses: bad memory accesses, general protection, traps, and their arm/powerpc forms.

import type { OopsKind, StackFmt } from '../types';
import { PARSE_STACK } from '../types';
import { c, lines, one, callTrace, ripFrame } from '../patterns';

const r = String.raw;

const ripThenTrace: StackFmt = { parts: [ripFrame, callTrace, PARSE_STACK] };

export const faultKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)`),
        fmt: 'BUG: unable to handle kernel paging request in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
        type: 'MEMORY_SAFETY_BUG',
      },
      {
        title: one(r`BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)`),
        fmt: 'BUG: unable to handle kernel NULL pointer dereference in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
        type: 'NULL-POINTER-DEREFERENCE',
      },
      {
        // Old kernels when the address is neither NULL nor a paging request (e.g. a bad IP).
        title: one(r`BUG: unable to handle kernel`),
        fmt: 'BUG: unable to handle kernel',
        corrupted: true,
        type: 'MEMORY_SAFETY_BUG',
      },
      {
        title: one(r`BUG: .*stack guard page was hit at`),
        fmt: 'BUG: stack guard page was hit in %[1]v',
        alt: ['stack-overflow in %[1]v'],
        stack: { parts: [ripFrame, callTrace, PARSE_STACK], extractor: 'stall' },
        noStackTrace: true,
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
        stack: { parts: [ripFrame, callTrace, PARSE_STACK] },
        type: 'MEMORY_SAFETY_BUG',
      },
    ],
    suppressions: [/Unable to handle kernel .* at virtual address [0-9a-f]+ in /],
  },
  {
    header: 'general protection fault',
    defaultType: 'DoS',
    formats: [
      {
        title: one(r`general protection fault.*:`),
        fmt: 'general protection fault in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: ripThenTrace,
        type: 'DoS',
      },
    ],
    suppressions: [/general protection fault .* error:\d+ in /],
  },
  {
    header: 'stack segment: ',
    formats: [
      {
        title: one(r`stack segment: 0000`),
        fmt: 'stack segment fault in %[1]v',
        stack: ripThenTrace,
        type: 'DoS',
      },
    ],
  },
  {
    header: 'PANIC: double fault',
    formats: [
      {
        title: one(r`PANIC: double fault`),
        fmt: 'PANIC: double fault in %[1]v',
        alt: ['stack-overflow in %[1]v'],
        stack: { parts: [ripFrame] },
        type: 'DoS',
      },
    ],
  },
  {
    header: 'divide error:',
    formats: [
      {
        title: lines(r`divide error: `, r`RIP: [0-9]+:(?:{{PC}} +{{PC}} +)?{{FUNC}}`),
        fmt: 'divide error in %[1]v',
        type: 'DoS',
      },
    ],
  },
  {
    header: 'divide_error:',
    formats: [
      {
        title: lines(r`divide_error: `, r`RIP: [0-9]+:(?:{{PC}} +{{PC}} +)?{{FUNC}}`),
        fmt: 'divide error in %[1]v',
        type: 'DoS',
      },
    ],
  },
  {
    header: 'invalid opcode:',
    formats: [
      {
        title: lines(r`invalid opcode: `, r`RIP: [0-9]+:{{FUNC}}`),
        fmt: 'invalid opcode in %[1]v',
        type: 'DoS',
      },
    ],
  },
  {
    header: 'Internal error:',
    formats: [
      {
        title: one(r`Internal error:`),
        fmt: 'Internal error in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: {
          parts: [c(r`(?:pc |PC is at)(?::)? (?:{{PC}} +)?{{FUNC}}`), c(r`(?:lr |LR is at)(?::)? (?:{{PC}} +)?{{FUNC}}`), callTrace, PARSE_STACK],
          parts2: [callTrace, PARSE_STACK],
        },
        type: 'DoS',
      },
    ],
  },
  {
    header: 'Unhandled fault:',
    formats: [
      {
        title: one(r`Unhandled fault:`),
        fmt: 'Unhandled fault in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: {
          parts: [c(r`(?:pc |PC is at)(?::)? (?:{{PC}} +)?{{FUNC}}`), c(r`(?:lr |LR is at)(?::)? (?:{{PC}} +)?{{FUNC}}`), callTrace, PARSE_STACK],
          parts2: [callTrace, PARSE_STACK],
        },
        type: 'DoS',
      },
    ],
  },
  {
    header: 'Alignment trap:',
    formats: [
      {
        title: one(r`Alignment trap:`),
        fmt: 'Alignment trap in %[1]v',
        stack: {
          parts: [c(r`(?:pc |PC is at)(?::)? (?:{{PC}} +)?{{FUNC}}`), c(r`(?:lr |LR is at)(?::)? (?:{{PC}} +)?{{FUNC}}`), callTrace, PARSE_STACK],
          parts2: [callTrace, PARSE_STACK],
        },
        type: 'DoS',
      },
    ],
  },
];
