// Stalls and hangs: RCU stalls, hung tasks, soft lockups, workqueue lockups, hard lockups.

import type { OopsKind, StackFmt } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, callTrace, ripFrame } from '../patterns';

const r = String.raw;

/** Where the stalled CPU was interrupted: the timer interrupt frame, or arm's exception stack. */
const stallIrq = c('(?:apic_timer_interrupt|sysvec_apic_timer_interrupt|Exception stack|el1_irq|el1h_64_irq)');

const rcuStallStack: StackFmt = {
  parts: [stallIrq, ripFrame, PARSE_STACK],
  parts2: [stallIrq, PARSE_STACK],
  skip: ['apic_timer_interrupt', 'rcu', 'sched_clock', 'irq_exit', 'sysvec_', 'el1_irq', 'el1h_64_irq', 'native_'],
  extractor: 'stall',
};

export const hangKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: soft lockup`),
        fmt: 'BUG: soft lockup in %[1]v',
        alt: ['stall in %[1]v'],
        stack: {
          parts: [ripFrame, callTrace, PARSE_STACK],
          parts2: [callTrace, PARSE_STACK],
          extractor: 'stall',
        },
        type: 'HANG',
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
        title: one(r`INFO: rcu_(?:preempt|sched|bh) (?:self-)?detected(?: expedited)? stall`),
        fmt: 'INFO: rcu detected stall in %[1]v',
        alt: ['stall in %[1]v'],
        stack: rcuStallStack,
        type: 'HANG',
      },
      {
        title: one(r`INFO: rcu_(?:preempt|sched|bh) detected stalls? on CPU`),
        fmt: 'INFO: rcu detected stall in %[1]v',
        alt: ['stall in %[1]v'],
        stack: rcuStallStack,
        type: 'HANG',
      },
      {
        // Lists holdout tasks, not a stalled CPU: no frame can be trusted to be the culprit.
        title: one(r`INFO: rcu_tasks\w* detected stalls? on tasks`),
        fmt: 'INFO: rcu detected stall in %[1]v',
        alt: ['stall in %[1]v'],
        stack: { parts: [] },
        type: 'HANG',
      },
      {
        title: one(r`INFO: rcu_(?:preempt|sched|bh) (?:self-)?detected(?: expedited)? stall`),
        fmt: 'INFO: rcu detected stall',
        type: 'HANG',
        corrupted: true,
      },
      {
        title: one(r`INFO: task .* blocked (?:in I/O wait )?for more than [0-9]+ seconds`),
        fmt: 'INFO: task hung in %[1]v',
        alt: ['hang in %[1]v'],
        stack: {
          parts: [callTrace, PARSE_STACK],
          skip: ['sched', '_slowlock', 'down', 'rwsem', 'completion', 'kthread', 'wait', 'context_switch', '__switch_to', 'cancel_delayed_work', 'rcu_barrier', 'console_lock'],
        },
        type: 'HANG',
      },
      {
        title: one(r`INFO: task .* can't die for more than .* seconds`),
        fmt: "INFO: task can't die in %[1]v",
        alt: ['hang in %[1]v'],
        stack: { parts: [callTrace, PARSE_STACK], skip: ['schedule'] },
        type: 'HANG',
      },
    ],
    // Informational INFO: lines that are not bug reports.
    suppressions: [
      /INFO: lockdep is turned off/,
      /INFO: Stall ended before state dump start/,
      /INFO: NMI handler .* took too long to run/,
      /_INFO::/,
      /INFO: sys_.* is not present in \/proc\/kallsyms/,
      /INFO: no syscalls can create resource/,
      /INFO: recovery required on readonly filesystem/,
      // Part of an identifier such as the crash utility's THREAD_INFO:.
      /[A-Za-z0-9_]INFO:/,
    ],
  },
  {
    header: 'Kernel panic',
    formats: [
      {
        // The NMI watchdog's panic: the interrupted code is at the RIP after the NMI frames.
        title: one(r`Kernel panic - not syncing: Hard LOCKUP`),
        fmt: 'kernel panic: Hard LOCKUP in %[1]v',
        alt: ['stall in %[1]v'],
        stack: {
          parts: [ripFrame, PARSE_STACK],
          parts2: [callTrace, PARSE_STACK],
          skip: ['nmi', 'watchdog', 'perf_event', 'perf_', 'intel_pmu', 'x86_pmu', 'native_'],
        },
        type: 'HANG',
      },
      {
        // Printed after the soft lockup report it panics for; alone, that report was lost.
        title: one(r`Kernel panic - not syncing: softlockup: hung tasks`),
        fmt: 'kernel panic: softlockup: hung tasks',
        corrupted: true,
        type: 'HANG',
      },
      {
        title: one(r`Kernel panic - not syncing: hung_task: blocked tasks`),
        fmt: 'kernel panic: hung_task: blocked tasks',
        corrupted: true,
        type: 'HANG',
      },
    ],
  },
];
