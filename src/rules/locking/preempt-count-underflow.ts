// A preempt count below zero: one release too many, or a release after the kernel reset the count on an earlier BUG.

import { paragraphs } from '../reports';
import { decodePreempt } from '../../decode';
import { decodingRelease, scheduleBugs } from '../facts';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summaryConsequence: {
    en: '{{who}}: the count went {{deficit}} below zero after the kernel reset it at the earlier report: a consequence, not a new bug',
    zh: '{{who}}：内核在上一条报告时重置了计数，之后计数比零少了 {{deficit}}：这是后果，不是新的 bug',
  },
  summary: { en: '{{who}} released more than it took: the preempt count is {{deficit}} below zero', zh: '{{who}} 的释放次数多于获取次数：preempt count 比零少了 {{deficit}}' },
  evCount: { en: 'Preempt count {{raw}}: {{deficit}} below zero.', zh: 'preempt count {{raw}}：比零少 {{deficit}}。' },
  evEarlier: { en: 'The same task was reported before with {{raw}}; the kernel then reset its count.', zh: '同一任务之前已报告过（{{raw}}）；随后内核重置了它的计数。' },
  explainValue: {
    en: 'The printed value {{raw}} is not a nesting depth but a small negative number: the count is {{deficit}} below zero, about {{bh}} local_bh_enable()/spin_unlock_bh() and {{pre}} preempt_enable()/spin_unlock() more than were taken.',
    zh: '打印出的值 {{raw}} 不是嵌套深度，而是一个不大的负数：计数比零少 {{deficit}}，相当于 local_bh_enable()/spin_unlock_bh() 多调用了约 {{bh}} 次、preempt_enable()/spin_unlock() 多调用了 {{pre}} 次。',
  },
  explainConsequence: {
    en: 'The same task was reported "scheduling while atomic" at line {{line}} with {{raw}}. After printing that, the kernel resets the task\'s count; the code that slept under the lock then released it normally and drove the count below zero. Fix the first report; this one goes away with it.',
    zh: '同一任务在第 {{line}} 行已报告过 "scheduling while atomic"（{{raw}}）。打印之后内核重置了该任务的计数；原先持锁睡眠的代码随后照常释放锁，把计数减到了零以下。修好第一条报告，这一条自然消失。',
  },
  explainLook: {
    en: 'Look for a release on a path that never took the lock: a double unlock on an error path, or an unlock in a callee and again in its caller.',
    zh: '找一条根本没有加锁却执行了释放的路径：错误分支上的重复解锁，或者被调函数和调用者各解锁了一次。',
  },
  stepFirst: { en: 'Read the first report (line {{line}}) and fix the sleep under the lock there.', zh: '先看第一条报告（第 {{line}} 行），修复那里持锁睡眠的问题。' },
  stepPair: { en: 'Check every unlock on the path in the trace against a matching lock taken on the same path (error paths first).', zh: '对照调用栈上的路径，检查每一次解锁是否都有同一路径上的加锁与之配对（先看错误分支）。' },
  stepProve: { en: 'CONFIG_PROVE_LOCKING=y reports "bad unlock balance" at the first extra release.', zh: '打开 CONFIG_PROVE_LOCKING=y，lockdep 会在第一次多余的释放处报告 "bad unlock balance"。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

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
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const bugs = scheduleBugs(ctx);
    for (const bug of bugs) {
      const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      if (!pc.underflow) continue;
      const earlier = bugs.find((b) => b.pid === bug.pid && b.header.no < bug.header.no && b !== bug);
      const u = pc.underflow;
      const who = `${bug.comm}/${bug.pid}`;
      const evidence: FindingDraft['evidence'] = [{ line: bug.header.no, note: msg('evCount', { raw: bug.raw, deficit: u.deficit }) }];
      if (earlier) evidence.push({ line: earlier.header.no, note: msg('evEarlier', { raw: earlier.raw }) });
      const paras: L10n[] = [
        msg('explainValue', { raw: bug.raw, deficit: u.deficit, bh: u.bhEnables, pre: u.preemptEnables }),
        earlier ? msg('explainConsequence', { line: earlier.header.no, raw: earlier.raw }) : msg('explainLook'),
      ];
      out.push({
        report: bug.index,
        confidence: earlier ? 0.45 : 0.72,
        summary: earlier ? msg('summaryConsequence', { who, deficit: u.deficit }) : msg('summary', { who, deficit: u.deficit }),
        explanation: paragraphs(paras),
        evidence,
        culprit: null,
        nextSteps: earlier ? [msg('stepFirst', { line: earlier.header.no })] : [msg('stepPair'), msg('stepProve')],
        facts: { preemptCount: bug.raw, preempt: pc, underflow: u, consequenceOfLine: earlier?.header.no ?? null },
      });
    }
    return out;
  },
};
