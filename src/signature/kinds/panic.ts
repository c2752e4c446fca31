// Kernel panics, Rust panics and other panic: lines, including stack corruption caught by the scheduler and stack protector.

import type { OopsKind } from '../types';
import { nextLine, one, traceStack } from '../patterns';

const r = String.raw;

export const panicKinds: OopsKind[] = [
  {
    header: 'Kernel panic',
    formats: [
      // With a smashed stack the kernel may fail to print the symbol or to unwind.
      {
        title: one(r`Kernel panic - not syncing: stack-protector:`),
        report: one(r`Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}`),
        fmt: 'kernel panic: stack is corrupted in %[1]v',
        noStackTrace: true,
      },
      {
        title: one(r`Kernel panic - not syncing: stack-protector:`),
        report: one(r`Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+`),
        fmt: 'kernel panic: stack is corrupted in %[1]v',
        stack: traceStack('stack_chk'),
      },
      {
        title: one(r`Kernel panic - not syncing: corrupted stack end`),
        report: one(r`Kernel panic - not syncing: corrupted stack end detected inside scheduler`),
        fmt: 'kernel panic: corrupted stack end in %[1]v',
        alt: ['stack-overflow in %[1]v'],
        stack: { ...traceStack('schedule', 'retint_kernel'), extractor: 'stall' },
      },
      {
        title: one(r`Kernel panic - not syncing: kernel stack overflow`),
        fmt: 'kernel stack overflow in %[1]v',
        alt: ['stack-overflow in %[1]v'],
        stack: { ...traceStack('bad_stack'), extractor: 'stall' },
      },
      { title: one(r`Kernel panic - not syncing: Attempted to kill init!`), fmt: 'kernel panic: Attempted to kill init!' },
      {
        title: one(r`Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+`),
        fmt: "kernel panic: Couldn't open N_TTY ldisc",
      },
      // Printed after a BUG, a WARNING or a hung task: seen first, the real header was lost.
      { title: one(r`Kernel panic - not syncing: Fatal exception`), fmt: 'kernel panic: Fatal exception', corrupted: true },
      { title: one(r`Kernel panic - not syncing: panic_on_warn set`), fmt: 'kernel panic: panic_on_warn set', corrupted: true },
      { title: one(r`Kernel panic - not syncing: hung_task: blocked tasks`), fmt: 'kernel panic: hung_task: blocked tasks', corrupted: true },
      { title: one(r`Kernel panic - not syncing: (.*)`), fmt: 'kernel panic: %[1]v' },
    ],
  },
  {
    // The message of a Rust panic!() is on the line after `panicked at file:line:col:`.
    header: 'rust_kernel: panicked',
    formats: [
      {
        title: one(r`rust_kernel: panicked`),
        report: nextLine(r`rust_kernel: panicked at `, r`(.+)$`),
        fmt: '%[1]v in %[2]v',
        stack: traceStack(r`__rustc::rust_begin_unwind`),
      },
    ],
  },
  {
    header: 'trusty: panic',
    formats: [
      {
        title: one(r`trusty: panic.* ASSERT FAILED`),
        report: one(r`trusty: panic \(.*?\):(?: DEBUG)? ASSERT FAILED at \(.*?\): (.+)`),
        fmt: 'trusty: ASSERT FAILED: %[1]v',
        noStackTrace: true,
      },
      { title: one(r`trusty: panic.* ASSERT FAILED.*: *(.*)`), fmt: 'trusty: ASSERT FAILED: %[1]v', corrupted: true },
      {
        title: one(r`trusty: panic`),
        report: one(r`trusty: panic \(.*?\): (.+)`),
        fmt: 'trusty: panic: %[1]v',
        noStackTrace: true,
      },
    ],
  },
  {
    header: 'panic:',
    formats: [
      // gVisor's, handled here because `panic:` is.
      { title: one(r`panic: Sentry detected .* stuck task`), fmt: 'panic: Sentry detected stuck tasks', noStackTrace: true },
      { title: one(r`panic:(.*)`), fmt: 'panic:%[1]v', noStackTrace: true },
    ],
    suppressions: [
      // Kernel functions such as skb_panic, skb_over_panic.
      /_panic:/,
      // Android prints these during boot.
      /xlog_status:/,
      /ddb\.onpanic:/,
      /evtlog_status:/,
    ],
  },
  {
    // A Go program's runtime error (syzkaller's own tools, gVisor).
    header: 'fatal error:',
    formats: [{ title: one(r`fatal error:`), fmt: 'go runtime error', noStackTrace: true }],
    suppressions: [/ALSA/, /fatal error: cannot create timer/],
  },
];
