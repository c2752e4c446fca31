// Reports seen in the field that syzkaller does not title: hard lockups without a panic, OOM kills, old kernels' messages.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { one, callTrace, ripThenTrace, traceStack } from '../patterns';

const r = String.raw;

/** What an OOM report's stack passes through before the code that asked for memory. */
const oomPlumbing = [
  'dump_header', 'oom_kill', 'out_of_memory', 'oom_', 'mem_cgroup', 'memcg', 'try_charge', 'charge', 'alloc', 'kmem', 'slab',
  'get_free_page', 'get_zeroed_page', 'page_cache', 'page_frag', 'mmap', 'fault', 'handle_mm', 'handle_pte', 'do_anonymous_page',
  'do_wp_page', 'wp_page_copy', 'do_read_page', 'do_pte_missing', 'filemap', 'exc_page', 'page_fault', 'entry_SYSCALL',
  'do_syscall', 'ret_from_fork', 'kthread', 'worker_thread', 'process_one_work',
];

/** The cross-CPU call machinery a CSD lock report's stack starts in. */
const csdPlumbing = ['csd_lock_wait', 'smp_call_function', 'generic_exec_single', 'on_each_cpu', 'smp_call_on_cpu', 'call_function'];

export const fieldKinds: OopsKind[] = [
  {
    // The perf NMI watchdog when it does not panic: `NMI watchdog: Watchdog detected hard LOCKUP
    // on cpu 3` (4.x-6.4), `watchdog: CPU3: Watchdog detected hard LOCKUP on cpu 3` (6.5-).
    header: 'Watchdog detected hard LOCKUP on cpu',
    own: true,
    formats: [
      {
        title: one(r`Watchdog detected hard LOCKUP on cpu`),
        fmt: 'hard LOCKUP in %[1]v',
        // The NMI interrupted the CPU where it spun with interrupts off.
        stack: { ...ripThenTrace, parts2: [callTrace, PARSE_STACK], skip: ['nmi', 'watchdog', 'perf_event', 'perf_', 'intel_pmu', 'x86_pmu', 'native_'] },
        fmtWithoutFrame: 'hard LOCKUP',
      },
    ],
  },
  {
    // mm/oom_kill.c dump_header(): `comm invoked oom-killer: gfp_mask=0x..(...), order=N, oom_score_adj=N`.
    header: ' invoked oom-killer:',
    own: true,
    formats: [
      {
        title: one(r`invoked oom-killer:`),
        fmt: 'out of memory in %[1]v',
        stack: traceStack(...oomPlumbing),
        fmtWithoutFrame: 'out of memory',
      },
    ],
  },
  {
    // out_of_memory() with nothing left to kill; since 4.19 a warning, followed by the panic
    // `System is deadlocked on memory` (which then titles the report), before that the panic itself.
    header: 'Out of memory and no killable processes',
    own: true,
    continuation: true,
    formats: [{ title: one(r`Out of memory and no killable processes`), fmt: 'out of memory: no killable processes', noStackTrace: true }],
  },
  {
    // do_exit() on a task in interrupt context, quoted without the panic prefix.
    header: 'Aiee, killing interrupt handler!',
    own: true,
    formats: [{ title: one(r`Aiee, killing interrupt handler!`), fmt: 'kernel panic: Aiee, killing interrupt handler!', noStackTrace: true }],
  },
  {
    // 2.6 kernels' schedule(): `bad: scheduling while atomic!` and a dump_stack(); later kernels
    // say `BUG: scheduling while atomic: comm/pid/0x...`, which this is titled like.
    header: 'bad: scheduling while atomic!',
    own: true,
    formats: [
      {
        title: one(r`bad: scheduling while atomic!`),
        fmt: 'BUG: scheduling while atomic in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], parts2: [PARSE_STACK], skip: ['schedule'] },
        // dump_stack() of 2.6 prints the frames without a heading; a missing frame still shows.
        noStackTrace: true,
      },
    ],
  },
  {
    // kernel/smp.c csd_lock_wait_toolong(): a CPU did not run the function another CPU asked it
    // to; without the target's backtrace, the waiting CPU's stack names the cross-CPU call's caller.
    header: 'csd: Detected non-respon',
    own: true,
    formats: [
      {
        title: one(r`csd: Detected non-respon`),
        fmt: 'csd: CSD lock unresponsive in %[1]v',
        // The target CPU's NMI backtrace (when the arch has one) comes first: its RIP is where it is stuck.
        stack: { ...ripThenTrace, parts2: [callTrace, PARSE_STACK], skip: csdPlumbing },
        fmtWithoutFrame: 'csd: CSD lock unresponsive',
      },
    ],
  },
];

