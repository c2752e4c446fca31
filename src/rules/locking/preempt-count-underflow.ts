// A preempt count below zero: one release too many, or a release after the kernel reset the count on an earlier BUG.

import { decodePreempt } from '../../decode';
import { decodingRelease, scheduleBugs } from '../facts';
import type { FindingDraft, Rule } from '../types';

export const preemptCountUnderflow: Rule = {
  meta: {
    id: 'KT-preempt-count-underflow',
    rootCauseClass: 'lock-imbalance',
    summary: {
      en: 'The preempt count went below zero: a spin_unlock_bh()/local_bh_enable()/preempt_enable() without its lock, or after the kernel reset the count',
      zh: 'preempt count 减到了零以下：多了一次 spin_unlock_bh()/local_bh_enable()/preempt_enable()，或是在内核重置计数之后又做了释放',
    },
    docs: {
      en: `A printed preempt count just below 2^31 (x86 masks the need-resched bit) or 2^32, such as
0x7ffffe00 or 0xfffffe00, is a small negative number: the code released more than it took
(0x200 per local_bh_enable()/spin_unlock_bh(), 1 per preempt_enable()/spin_unlock()).
One common way to get there is not a second bug: after printing "BUG: scheduling while atomic",
the kernel resets the task's count so it can go on; the code that was sleeping under a _bh
lock then releases it as usual and takes the count below zero. So when an earlier report of
the same task precedes it, the underflow is that report's consequence. Otherwise look for a
release on a path that never took the lock (a double unlock on an error path).`,
      zh: `打印出来的 preempt count 略小于 2^31（x86 打印时屏蔽了 need-resched 位）或 2^32，例如 0x7ffffe00 或
0xfffffe00，其实是一个不大的负数：代码释放的次数多于获取的次数（local_bh_enable()/spin_unlock_bh() 每次
0x200，preempt_enable()/spin_unlock() 每次 1）。
常见的一种来历并不是第二个 bug：内核打印 "BUG: scheduling while atomic" 之后会重置该任务的计数以便继续运行；
原先在 _bh 锁下睡眠的代码随后照常释放锁，计数就被减到零以下。所以如果同一任务之前已有一条报告，这次下溢
只是那条报告的后果。否则就要找一条根本没有加锁却执行了释放的路径（错误分支上的重复解锁）。`,
    },
    references: ['kernel/sched/core.c: __schedule_bug(), schedule_debug()'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const bugs = scheduleBugs(ctx);
    for (const bug of bugs) {
      const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      if (!pc.underflow) continue;
      const earlier = bugs.find((b) => b.pid === bug.pid && b.header.no < bug.header.no && b !== bug);
      const u = pc.underflow;
      const evidence: FindingDraft['evidence'] = [
        { line: bug.header.no, note: { en: `preempt count ${bug.raw}: ${u.deficit} below zero`, zh: `preempt count ${bug.raw}：比零少 ${u.deficit}` } },
      ];
      if (earlier) evidence.push({ line: earlier.header.no, note: { en: `the same task was reported before with ${earlier.raw}; the kernel then reset its count`, zh: `同一任务之前已报告过（${earlier.raw}）；随后内核重置了它的计数` } });
      out.push({
        report: bug.index,
        confidence: earlier ? 0.45 : 0.72,
        summary: earlier
          ? {
              en: `${bug.comm}/${bug.pid}: the count went ${u.deficit} below zero after the kernel reset it at the earlier report: a consequence, not a new bug`,
              zh: `${bug.comm}/${bug.pid}：内核在上一条报告时重置了计数，之后计数比零少了 ${u.deficit}：这是后果，不是新的 bug`,
            }
          : {
              en: `${bug.comm}/${bug.pid} released more than it took: the preempt count is ${u.deficit} below zero`,
              zh: `${bug.comm}/${bug.pid} 的释放次数多于获取次数：preempt count 比零少了 ${u.deficit}`,
            },
        explanation: {
          en: [
            `${bug.raw} is not a nesting depth but a small negative number: the count is ${u.deficit} below zero, about ${u.bhEnables} local_bh_enable()/spin_unlock_bh() and ${u.preemptEnables} preempt_enable()/spin_unlock() more than were taken.`,
            earlier
              ? `The same task was reported "scheduling while atomic" at line ${earlier.header.no} with ${earlier.raw}. After printing that, the kernel resets the task's count; the code that slept under the lock then released it normally and drove the count below zero. Fix the first report; this one goes away with it.`
              : 'Look for a release on a path that never took the lock: a double unlock on an error path, or an unlock in a callee and again in its caller.',
          ].join('\n\n'),
          zh: [
            `${bug.raw} 不是嵌套深度，而是一个不大的负数：计数比零少 ${u.deficit}，相当于 local_bh_enable()/spin_unlock_bh() 多调用了约 ${u.bhEnables} 次、preempt_enable()/spin_unlock() 多调用了 ${u.preemptEnables} 次。`,
            earlier
              ? `同一任务在第 ${earlier.header.no} 行已报告过 "scheduling while atomic"（${earlier.raw}）。打印之后内核重置了该任务的计数；原先持锁睡眠的代码随后照常释放锁，把计数减到了零以下。修好第一条报告，这一条自然消失。`
              : '找一条根本没有加锁却执行了释放的路径：错误分支上的重复解锁，或者被调函数和调用者各解锁了一次。',
          ].join('\n\n'),
        },
        evidence,
        culprit: null,
        nextSteps: earlier
          ? [{ en: `Read the first report (line ${earlier.header.no}) and fix the sleep under the lock there.`, zh: `先看第一条报告（第 ${earlier.header.no} 行），修复那里持锁睡眠的问题。` }]
          : [
              { en: 'Check every unlock on the path in the trace against a matching lock taken on the same path (error paths first).', zh: '对照调用栈上的路径，检查每一次解锁是否都有同一路径上的加锁与之配对（先看错误分支）。' },
              { en: 'CONFIG_PROVE_LOCKING=y reports "bad unlock balance" at the first extra release.', zh: '打开 CONFIG_PROVE_LOCKING=y，lockdep 会在第一次多余的释放处报告 "bad unlock balance"。' },
            ],
        facts: { preemptCount: bug.raw, preempt: pc, underflow: u, consequenceOfLine: earlier?.header.no ?? null },
      });
    }
    return out;
  },
};
