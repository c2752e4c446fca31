// Lockdep and lock debugging reports: deadlocks, lock state, RCU misuse, spinlock debugging.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, seq, traceStack, warningStack } from '../patterns';

const r = String.raw;

/** The two `at:` lines of a deadlock report: the lock being taken, then the one held. */
const lockAt = c(r`at: (?:{{PC}} +)?{{FUNC}}`);

export const lockdepKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)`),
        fmt: 'BUG: %[1]v %[2]v in %[3]v',
        stack: traceStack('spin_', '_lock', '_unlock'),
      },
      {
        title: one(r`BUG: .*still has locks held!`),
        report: seq(r`BUG: .*still has locks held!`, r`.*{{PC}} +{{FUNC}}`),
        fmt: 'BUG: still has locks held in %[1]v',
      },
      {
        title: one(r`BUG: lock held when returning to user space`),
        report: seq(r`BUG: lock held when returning to user space`, r`.*leaving the kernel with locks still held`, r`.*at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'BUG: lock held when returning to user space in %[1]v',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: bad unlock balance detected!`),
        fmt: 'BUG: bad unlock balance in %[1]v',
        stack: { parts: [c(r`{{PC}} +{{FUNC}}`), ...traceStack().parts] },
      },
      {
        title: one(r`BUG: held lock freed!`),
        report: seq(r`BUG: held lock freed!`, r`.*{{PC}} +{{FUNC}}`),
        fmt: 'BUG: held lock freed in %[1]v',
      },
      {
        title: one(r`BUG: using ([a-z_]+)\(\) in preemptible`),
        fmt: 'BUG: using %[1]v() in preemptible code in %[2]v',
        stack: traceStack('dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu'),
      },
      {
        title: one(r`BUG: workqueue leaked lock or atomic`),
        report: seq(r`BUG: workqueue leaked lock or atomic`, r`.*last function: ([a-zA-Z0-9_]+)$`),
        fmt: 'BUG: workqueue leaked lock or atomic in %[1]v',
        noStackTrace: true,
      },
      {
        // arm and arm64 print the wait-context check this way; x86 as a lockdep WARNING.
        title: one(r`BUG: Invalid wait context`),
        fmt: 'WARNING: locking bug in %[1]v',
        stack: traceStack('lock_sock', 'release_sock'),
      },
    ],
  },
  {
    header: 'WARNING:',
    formats: [
      {
        title: one(r`WARNING: .*kernel/locking/lockdep\.c.*lock_`),
        fmt: 'WARNING: locking bug in %[1]v',
        stack: warningStack('lock_sock', 'release_sock'),
      },
      {
        title: one(r`WARNING: .*still has locks held!`),
        report: seq(r`WARNING: .*still has locks held!`, r`.*at: {{FUNC}}`),
        fmt: 'WARNING: still has locks held in %[1]v',
      },
      {
        title: one(r`WARNING: Nested lock was not taken`),
        fmt: 'WARNING: nested lock was not taken in %[1]v',
        stack: warningStack(),
      },
      {
        title: one(r`WARNING: lock held when returning to user space`),
        report: seq(r`WARNING: lock held when returning to user space`, r`.*leaving the kernel with locks still held`, r`.*at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'WARNING: lock held when returning to user space in %[1]v',
        noStackTrace: true,
      },
      {
        title: one(r`WARNING: possible circular locking dependency detected`),
        report: seq(r`WARNING: possible circular locking dependency detected`, r`.*is trying to acquire lock`),
        fmt: 'possible deadlock in %[1]v',
        stack: {
          parts: [lockAt, lockAt, PARSE_STACK],
          // Workqueue internals take locks of the work items: their deadlocks are the work's.
          skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'],
        },
      },
      {
        title: one(r`WARNING: possible irq lock inversion dependency detected`),
        report: seq(r`WARNING: possible irq lock inversion dependency detected`, r`.*just changed the state of lock`, r`.*at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'possible deadlock in %[1]v',
      },
      {
        title: one(r`WARNING: .*-safe -> .*-unsafe lock order detected`),
        fmt: 'possible deadlock in %[1]v',
        stack: { parts: [c(r`which became (?:.*) at:`), PARSE_STACK] },
      },
      {
        title: one(r`WARNING: possible recursive locking detected`),
        report: seq(r`WARNING: possible recursive locking detected`, r`.*is trying to acquire lock`, r`.*at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'possible deadlock in %[1]v',
      },
      {
        title: one(r`WARNING: inconsistent lock state`),
        report: seq(r`WARNING: inconsistent lock state`, r`.*takes`, r`.*at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'inconsistent lock state in %[2]v',
        stack: traceStack(),
      },
      {
        title: one(r`WARNING: suspicious RCU usage`),
        report: seq(r`WARNING: suspicious RCU usage`, r`.*?{{SRC}}`),
        fmt: 'WARNING: suspicious RCU usage in %[2]v',
        stack: traceStack('rcu', 'kmem', 'slab'),
      },
      {
        title: one(r`WARNING: bad unlock balance detected!`),
        fmt: 'WARNING: bad unlock balance in %[1]v',
        stack: { parts: [c(r`{{PC}} +{{FUNC}}`), ...traceStack().parts] },
      },
      {
        title: one(r`WARNING: held lock freed!`),
        report: seq(r`WARNING: held lock freed!`, r`.*at:(?: {{PC}})? +{{FUNC}}`),
        fmt: 'WARNING: held lock freed in %[1]v',
      },
    ],
  },
  {
    // Lockdep of kernels before 4.15 printed its reports as `[ INFO: ... ]`.
    header: 'INFO:',
    formats: [
      {
        title: one(r`INFO: possible circular locking dependency detected`),
        report: seq(r`INFO: possible circular locking dependency detected \]`, r`.*is trying to acquire lock`, r`.*at: {{PC}} +{{FUNC}}`),
        fmt: 'possible deadlock in %[1]v',
      },
      {
        title: one(r`INFO: possible irq lock inversion dependency detected`),
        report: seq(r`INFO: possible irq lock inversion dependency detected \]`, r`.*just changed the state of lock`, r`.*at: {{PC}} +{{FUNC}}`),
        fmt: 'possible deadlock in %[1]v',
      },
      {
        title: one(r`INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected`),
        report: seq(r`INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \]`, r`.*is trying to acquire`, r`.*at: {{PC}} +{{FUNC}}`),
        fmt: 'possible deadlock in %[1]v',
      },
      {
        title: one(r`INFO: possible recursive locking detected`),
        report: seq(r`INFO: possible recursive locking detected \]`, r`.*is trying to acquire lock`, r`.*at: {{PC}} +{{FUNC}}`),
        fmt: 'possible deadlock in %[1]v',
      },
      {
        title: one(r`INFO: inconsistent lock state`),
        report: seq(r`INFO: inconsistent lock state \]`, r`.*takes`, r`.*at: {{PC}} +{{FUNC}}`),
        fmt: 'inconsistent lock state in %[1]v',
      },
      {
        title: one(r`INFO: trying to register non-static key`),
        fmt: 'INFO: trying to register non-static key in %[1]v',
        stack: traceStack('stack', 'lock', 'IRQ'),
      },
      {
        title: one(r`INFO: suspicious RCU usage`),
        report: seq(r`INFO: suspicious RCU usage`, r`.*?{{SRC}}`),
        fmt: 'INFO: suspicious RCU usage in %[2]v',
        stack: traceStack('rcu', 'kmem', 'slab'),
      },
    ],
  },
];
