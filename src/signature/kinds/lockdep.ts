// Lockdep and lock debugging reports: deadlocks, lock state, RCU misuse, spinlock debugging.

import type { OopsFormat, OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, lines, one, callTrace, warningStack } from '../patterns';

const r = String.raw;

const lockSkip = ['lock_sock', 'release_sock'];

/** lockdep prints the same reports as WARNING: (newer kernels) and INFO: (older ones). */
function deadlockFormats(prefix: string): OopsFormat[] {
  return [
    {
      title: one(`${prefix}: possible circular locking dependency detected`),
      report: lines(`${prefix}: possible circular locking dependency detected`, 'is trying to acquire lock'),
      fmt: 'possible deadlock in %[1]v',
      stack: { parts: [c(r`at: (?:{{PC}} +)?{{FUNC}}`), c(r`at: (?:{{PC}} +)?{{FUNC}}`), PARSE_STACK], skip: lockSkip },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: possible irq lock inversion dependency detected`),
      report: lines(`${prefix}: possible irq lock inversion dependency detected`, 'just changed the state of lock', r`at: (?:{{PC}} +)?{{FUNC}}`),
      fmt: 'possible deadlock in %[1]v',
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: .*-safe -> .*-unsafe lock order detected`),
      fmt: 'possible deadlock in %[1]v',
      stack: {
        parts: [c('which became (?:.*) at:'), PARSE_STACK],
        // Cut short: the lock being acquired is all there is.
        parts2: [c(r`at: (?:{{PC}} +)?{{FUNC}}`)],
        skip: lockSkip,
      },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: possible recursive locking detected`),
      report: lines(`${prefix}: possible recursive locking detected`, 'is trying to acquire lock'),
      fmt: 'possible deadlock in %[1]v',
      stack: { parts: [c(r`at: (?:{{PC}} +)?{{FUNC}}`), c(r`at: (?:{{PC}} +)?{{FUNC}}`), PARSE_STACK], skip: lockSkip },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: inconsistent lock state`),
      report: lines(`${prefix}: inconsistent lock state`, 'takes', r`at: (?:{{PC}} +)?{{FUNC}}`),
      fmt: 'inconsistent lock state in %[2]v',
      stack: { parts: [callTrace, PARSE_STACK] },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: suspicious RCU usage`),
      report: lines(`${prefix}: suspicious RCU usage`, '{{SRC}}'),
      fmt: `${prefix}: suspicious RCU usage in %[2]v`,
      stack: { parts: [c('stack backtrace:'), callTrace, PARSE_STACK], parts2: [c('stack backtrace:'), PARSE_STACK], skip: ['rcu', 'kmem', 'slab'] },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: trying to register non-static key`),
      fmt: `${prefix}: trying to register non-static key in %[1]v`,
      stack: { parts: [callTrace, PARSE_STACK], skip: ['stack', 'lock', 'IRQ'] },
    },
    {
      title: one(`${prefix}: .*still has locks held!`),
      report: lines(`${prefix}: .*still has locks held!`, r`at: (?:{{PC}} +)?{{FUNC}}`),
      fmt: `${prefix}: still has locks held in %[1]v`,
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: lock held when returning to user space`),
      report: lines(`${prefix}: lock held when returning to user space`, r`at: (?:{{PC}} +)?{{FUNC}}`),
      fmt: `${prefix}: lock held when returning to user space in %[1]v`,
      noStackTrace: true,
    },
    {
      title: one(`${prefix}: bad unlock balance detected!`),
      fmt: `${prefix}: bad unlock balance in %[1]v`,
      stack: { parts: [c('is trying to release lock'), PARSE_STACK], parts2: [callTrace, PARSE_STACK], skip: lockSkip },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: held lock freed!`),
      report: lines(`${prefix}: held lock freed!`, r`at:(?: {{PC}})? +{{FUNC}}`),
      fmt: `${prefix}: held lock freed in %[1]v`,
      stack: { parts: [c(r`at:(?: {{PC}})? +{{FUNC}}`), callTrace, PARSE_STACK] },
      type: 'LOCKDEP',
    },
    {
      title: one(`${prefix}: Nested lock was not taken`),
      fmt: `${prefix}: nested lock was not taken in %[1]v`,
      stack: { parts: [callTrace, PARSE_STACK] },
      type: 'LOCKDEP',
    },
  ];
}

export const lockdepKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: spinlock (lockup suspected|already unlocked|recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)`),
        fmt: 'BUG: spinlock %[1]v in %[2]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['spin_', '_lock', '_unlock'] },
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: rwlock (lockup suspected|already unlocked|recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)`),
        fmt: 'BUG: rwlock %[1]v in %[2]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['rwlock', '_lock', '_unlock'] },
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: .*still has locks held!`),
        report: lines(r`BUG: .*still has locks held!`, r`{{PC}} +{{FUNC}}`),
        fmt: 'BUG: still has locks held in %[1]v',
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: lock held when returning to user space`),
        report: lines(r`BUG: lock held when returning to user space`, r`at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'BUG: lock held when returning to user space in %[1]v',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: bad unlock balance detected!`),
        fmt: 'BUG: bad unlock balance in %[1]v',
        stack: { parts: [c('is trying to release lock'), PARSE_STACK], skip: lockSkip },
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: held lock freed!`),
        report: lines(r`BUG: held lock freed!`, r`at: (?:{{PC}} +)?{{FUNC}}`),
        fmt: 'BUG: held lock freed in %[1]v',
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: using __this_cpu_([a-z_]+)\(\) in preemptible`),
        fmt: 'BUG: using __this_cpu_%[1]v() in preemptible code in %[2]v',
        stack: {
          parts: [callTrace, PARSE_STACK],
          skip: ['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu'],
        },
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: using smp_processor_id\(\) in preemptible`),
        fmt: 'BUG: using smp_processor_id() in preemptible code in %[1]v',
        stack: {
          parts: [callTrace, PARSE_STACK],
          skip: ['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu'],
        },
        type: 'LOCKDEP',
      },
      {
        title: one(r`BUG: workqueue leaked lock or atomic`),
        report: lines(r`BUG: workqueue leaked lock or atomic`, r`last function: ([a-zA-Z0-9_]+)`),
        fmt: 'BUG: workqueue leaked lock or atomic in %[1]v',
        noStackTrace: true,
      },
      {
        // lockdep ran out of one of its static tables.
        title: one(r`BUG: (MAX_[A-Z_]{1,40}) too low!`),
        fmt: 'BUG: %[1]v too low!',
        noStackTrace: true,
      },
      {
        // lockdep's wait-context check reports through its locking-bug path.
        title: one(r`BUG: Invalid wait context`),
        fmt: 'WARNING: locking bug in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['lock'] },
        type: 'LOCKDEP',
      },
    ],
  },
  {
    header: 'WARNING:',
    formats: [
      ...deadlockFormats('WARNING'),
      {
        title: one(r`WARNING: .*kernel/locking/lockdep\.c.*lock_`),
        fmt: 'WARNING: locking bug in %[1]v',
        stack: warningStack(lockSkip),
        type: 'LOCKDEP',
      },
    ],
  },
  {
    header: 'INFO:',
    formats: deadlockFormats('INFO'),
  },
];
