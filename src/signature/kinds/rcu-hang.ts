// Stalls and hangs: soft lockups, workqueue lockups, RCU stalls, hung tasks.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, ripFrame, ripThenTrace, traceStack } from '../patterns';

const r = String.raw;

export const hangKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: soft lockup`),
        fmt: 'BUG: soft lockup in %[1]v',
        alt: ['stall in %[1]v'],
        stack: { ...ripThenTrace, extractor: 'stall' },
      },
      {
        title: one(r`BUG: workqueue lockup`),
        fmt: 'BUG: workqueue lockup',
        noStackTrace: true,
      },
    ],
  },
  {
    header: 'INFO:',
    formats: [
      {
        title: one(r`INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall`),
        fmt: 'INFO: rcu detected stall in %[1]v',
        alt: ['stall in %[1]v'],
        stack: {
          // The stalled CPU's own code is where the timer interrupt caught it.
          parts: [c('apic_timer_interrupt'), ripFrame, PARSE_STACK],
          parts2: [c('(?:apic_timer_interrupt|Exception stack|el1h_64_irq)'), PARSE_STACK],
          skip: ['apic_timer_interrupt', 'rcu'],
          extractor: 'stall',
        },
      },
      {
        title: one(r`INFO: task {{TASK}} blocked (?:in I/O wait )?for more than [0-9]+ seconds`),
        fmt: 'INFO: task hung in %[1]v',
        alt: ['hang in %[1]v'],
        stack: { ...traceStack(), extractor: 'hung-task' },
      },
      {
        title: one(r`INFO: task {{TASK}} can't die for more than .* seconds`),
        fmt: "INFO: task can't die in %[1]v",
        alt: ['hang in %[1]v'],
        stack: traceStack('schedule'),
      },
    ],
  },
];
