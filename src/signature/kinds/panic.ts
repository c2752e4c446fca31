// Kernel panics and panic: lines, including stack corruption detected by the scheduler and stack protector.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, callTrace } from '../patterns';

const r = String.raw;

export const panicKinds: OopsKind[] = [
  {
    header: 'Kernel panic',
    defaultType: 'DoS',
    formats: [
      {
        title: one(r`Kernel panic - not syncing: Attempted to kill init!`),
        fmt: 'kernel panic: Attempted to kill init!',
        type: 'DoS',
      },
      {
        title: one(r`Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+`),
        fmt: "kernel panic: Couldn't open N_TTY ldisc",
        type: 'DoS',
      },
      {
        // Printed after a BUG or oops: seeing it first means the real header was lost.
        title: one(r`Kernel panic - not syncing: Fatal exception`),
        fmt: 'kernel panic: Fatal exception',
        corrupted: true,
        type: 'DoS',
      },
      {
        // Same, for WARNINGs and sanitizer reports.
        title: one(r`Kernel panic - not syncing: panic_on_warn set`),
        fmt: 'kernel panic: panic_on_warn set',
        corrupted: true,
        type: 'DoS',
      },
      {
        title: one(r`Kernel panic - not syncing: corrupted stack end detected inside scheduler`),
        fmt: 'kernel panic: corrupted stack end in %[1]v',
        alt: ['stack-overflow in %[1]v'],
        stack: { parts: [callTrace, PARSE_STACK], skip: ['schedule', 'retint_kernel'], extractor: 'stall' },
        type: 'DoS',
      },
      {
        title: one(r`Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in`),
        fmt: 'kernel panic: stack is corrupted in %[1]v',
        // The stack that follows is the one that was smashed.
        noStackTrace: true,
        stack: {
          parts: [c(r`Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}`), callTrace, PARSE_STACK],
          parts2: [callTrace, PARSE_STACK],
          skip: ['stack_chk'],
        },
        type: 'DoS',
      },
      {
        title: one(r`Kernel panic - not syncing: (.*)`),
        fmt: 'kernel panic: %[1]v',
        type: 'DoS',
      },
    ],
  },
  {
    header: 'panic:',
    formats: [
      {
        title: one(r`panic: Sentry detected .* stuck task`),
        fmt: 'panic: Sentry detected stuck tasks',
        noStackTrace: true,
      },
      {
        title: one(r`panic:(.*)`),
        fmt: 'panic:%[1]v',
        noStackTrace: true,
      },
    ],
    suppressions: [
      // Kernel functions like skb_panic, skb_over_panic.
      /_panic:/,
      /xlog_status:/,
      /ddb\.onpanic:/,
      /evtlog_status:/,
    ],
  },
];
