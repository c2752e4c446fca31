// A task went back to user space with bottom halves still disabled: a spin_lock_bh()/local_bh_disable() leaked.

import { paragraphs } from '../reports';
import { decodePreempt } from '../../decode';
import { RETURN_TO_USER } from '../../knowledge/functions';
import { findFrame, suspectModules } from '../stacks';
import { decodingRelease, exitWithIrqCount, inferredPanics, moduleMessageBefore, releaseOf, scheduleBugs, taintLine } from '../facts';
import { readLockdep } from '../lockdep';
import { listOf, messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';
import type { LogLine } from '../../model/types';

/** Lines before the report searched for the task's refused user fault. */
const SEGFAULT_LOOKBACK = 200;

const messages = {
  summaryOne: { en: 'An unbalanced spin_lock_bh()/local_bh_disable(): {{who}} went back to user space with bottom halves disabled', zh: '一次未配对的 spin_lock_bh()/local_bh_disable()：{{who}} 带着关闭的 BH 返回了用户态' },
  summaryMany: { en: '{{n}} unbalanced spin_lock_bh()/local_bh_disable() calls: {{who}} went back to user space with bottom halves disabled', zh: '{{n}} 次未配对的 spin_lock_bh()/local_bh_disable()：{{who}} 带着关闭的 BH 返回了用户态' },
  evCount: {
    en: 'Preempt count {{raw}}: softirq-disable depth {{n}} ({{n}} x 0x200), preempt depth {{depth}}{{offset}}, no softirq being served.',
    zh: 'preempt count {{raw}}：软中断关闭深度 {{n}}（{{n}} x 0x200），抢占深度 {{depth}}{{offset}}，并非在处理软中断。',
  },
  offsetIncluded: { en: " (after schedule()'s own +1)", zh: '（已扣除 schedule() 自身的 +1）' },
  evReturn: { en: '{{fn}} is on the return-to-user path.', zh: '{{fn}} 位于返回用户态的路径上。' },
  evTaint: { en: 'Taint {{letters}}: out-of-tree, unsigned or proprietary modules are loaded.', zh: '污染标记 {{letters}}：加载了树外、未签名或专有模块。' },
  evAiee: { en: '{{caller}} called panic(): the exit with the leaked count.', zh: '{{caller}} 调用了 panic()：任务带着泄漏的计数退出。' },
  evSegfault: { en: 'A user-space fault refused while atomic: page faults are disabled with the leaked count, so the task got SIGSEGV.', zh: '原子上下文中用户态缺页被拒绝：泄漏的计数使缺页处理被禁用，任务因此收到 SIGSEGV。' },
  evModuleSaid: { en: 'The module {{module}} printed this just before: the code path that leaked.', zh: '模块 {{module}} 紧接着之前打印了这条信息：发生泄漏的代码路径。' },
  explainCount: { en: 'The preempt count printed by "scheduling while atomic" is {{raw}}. How it is read on this kernel: {{basis}}.', zh: '"scheduling while atomic" 打印的 preempt count 为 {{raw}}。在这个内核上的解读方式：{{basis}}。' },
  explainDepthOne: {
    en: 'It decodes to a softirq-disable depth of 1: bottom halves were disabled once (spin_lock_bh() or local_bh_disable(), 0x200 each) and not enabled again; no softirq was being served and no hard interrupt was active.',
    zh: '解码结果：软中断关闭深度为 1，即 BH 被关闭了 1 次（spin_lock_bh() 或 local_bh_disable()，每次 0x200）且没有重新打开；当时不在处理软中断，也没有硬中断。',
  },
  explainDepthMany: {
    en: 'It decodes to a softirq-disable depth of {{n}}: bottom halves were disabled {{n}} times (spin_lock_bh() or local_bh_disable(), 0x200 each) and not enabled again; no softirq was being served and no hard interrupt was active.',
    zh: '解码结果：软中断关闭深度为 {{n}}，即 BH 被关闭了 {{n}} 次（spin_lock_bh() 或 local_bh_disable()，每次 0x200）且没有重新打开；当时不在处理软中断，也没有硬中断。',
  },
  explainPath: {
    en: 'The stack shows the task on its way back to user space ({{path}}): the system call or interrupt it was returning from left the kernel with BH still disabled. That can only be a leak in the code that just ran, typically an error path that releases a _bh lock with plain spin_unlock() or returns between lock and unlock.',
    zh: '调用栈显示任务正在返回用户态（{{path}}）：它刚返回的系统调用或中断在离开内核时 BH 仍然是关闭的。这只能是刚执行过的代码里发生了泄漏，典型情形是错误分支用普通 spin_unlock() 释放 _bh 锁，或者在加锁和解锁之间直接 return。',
  },
  explainSegfault: {
    en: 'With the count set, in_atomic() is true and the page-fault handler refuses user faults: the task\'s next page fault in user space became a SIGSEGV ("{{segfault}}..."), and it exited.',
    zh: '计数未清时 in_atomic() 为真，缺页处理会拒绝用户态缺页：任务在用户态的下一次缺页变成了 SIGSEGV（"{{segfault}}..."），随即退出。',
  },
  explainAiee: {
    en: 'The later panic from {{caller}}() is "{{message}}": the exiting task still had the softirq count set, so in_interrupt() was true. It is the consequence of the same leak.',
    zh: '随后 {{caller}}() 中的 panic 是 "{{message}}"：退出的任务仍带着软中断计数，in_interrupt() 为真。它是同一个泄漏的后果。',
  },
  explainExiting: { en: 'The report was raised while the task was exiting. The exit is a consequence of the leak, not its cause.', zh: '这条报告是在任务退出过程中产生的。退出是泄漏的后果，不是原因。' },
  explainExitingRule: { en: 'The report was raised while the task was exiting; on this kernel {{rule}}. The exit is a consequence of the leak, not its cause.', zh: '这条报告是在任务退出过程中产生的；在这个内核上，{{rule}}。退出是泄漏的后果，不是原因。' },
  explainExitRule: { en: 'When this task exits: {{rule}}.', zh: '该任务退出时：{{rule}}。' },
  explainExitUnknown: {
    en: 'When this task exits, older kernels (before 5.17) panic "Aiee, killing interrupt handler!" in do_exit(); newer ones report "scheduling while atomic" from do_task_dead().',
    zh: '该任务退出时，较老的内核（5.17 之前）会在 do_exit() 中 panic："Aiee, killing interrupt handler!"；较新的内核则由 do_task_dead() 报告 "scheduling while atomic"。',
  },
  evNoLocks: { en: 'Lockdep sees no lock held by this task: the lock was released, but not its bottom-half disable.', zh: 'lockdep 认为这个任务没有持有任何锁：锁已经释放了，但关闭的 BH 没有恢复。' },
  explainNoLocks: {
    en: 'Lockdep prints no lock held by {{task}}: every lock it tracks was released, so what leaked is the bottom-half disable alone: a spin_lock_bh() released with plain spin_unlock() (which drops the lock but leaves bottom halves disabled), or a bare local_bh_disable().',
    zh: 'lockdep 打印出 {{task}} 没有持有任何锁：它跟踪的锁都已释放，所以泄漏的只是 BH 关闭本身：用普通 spin_unlock() 释放的 spin_lock_bh()（锁释放了，BH 却仍然关闭），或者单独的 local_bh_disable()。',
  },
  explainSaid: { en: 'The module {{module}} printed "{{text}}" just before: that is the code path to read first.', zh: '模块 {{module}} 在此之前打印了 "{{text}}"：应当首先阅读这条代码路径。' },
  explainSuspects: { en: 'Out-of-tree or unsigned modules are loaded ({{suspects}}): their code paths are the first suspects.', zh: '系统加载了树外或未签名模块（{{suspects}}）：它们的代码路径是首要嫌疑。' },
  explainSuspectsLast: { en: 'Out-of-tree or unsigned modules are loaded ({{suspects}}); the last unloaded module was {{last}}: their code paths are the first suspects.', zh: '系统加载了树外或未签名模块（{{suspects}}）；最后卸载的模块是 {{last}}：它们的代码路径是首要嫌疑。' },
  stepReviewSaid: {
    en: 'Review the code {{comm}} ran just before (the path in {{module}} that prints "{{text}}") for spin_lock_bh()/local_bh_disable() released with plain spin_unlock() or skipped on an error path.',
    zh: '检查 {{comm}} 之前执行的代码（{{module}} 中打印 "{{text}}" 的路径），找出用普通 spin_unlock() 释放、或在错误分支漏掉释放的 spin_lock_bh()/local_bh_disable()。',
  },
  stepReviewSuspects: {
    en: 'Review the code {{comm}} ran just before (the failing configuration or ioctl path of {{suspects}}) for spin_lock_bh()/local_bh_disable() released with plain spin_unlock() or skipped on an error path.',
    zh: '检查 {{comm}} 之前执行的代码（失败的配置或 ioctl 路径，重点是 {{suspects}}），找出用普通 spin_unlock() 释放、或在错误分支漏掉释放的 spin_lock_bh()/local_bh_disable()。',
  },
  stepReview: {
    en: 'Review the code {{comm}} ran just before (the failing configuration or ioctl path) for spin_lock_bh()/local_bh_disable() released with plain spin_unlock() or skipped on an error path.',
    zh: '检查 {{comm}} 之前执行的代码（失败的配置或 ioctl 路径），找出用普通 spin_unlock() 释放、或在错误分支漏掉释放的 spin_lock_bh()/local_bh_disable()。',
  },
  stepGrep: {
    en: 'Search the suspect sources with grep -n "spin_lock_bh\\|spin_unlock(\\|local_bh_disable\\|local_bh_enable": every _bh lock needs a _bh unlock on every return path.',
    zh: '在嫌疑源码中执行 grep -n "spin_lock_bh\\|spin_unlock(\\|local_bh_disable\\|local_bh_enable"：每个 _bh 加锁在每条返回路径上都必须有 _bh 解锁。',
  },
  stepDebug: {
    en: 'Reproduce on a debug kernel with CONFIG_PROVE_LOCKING=y and CONFIG_DEBUG_ATOMIC_SLEEP=y: lockdep reports the unbalanced unlock where it happens.',
    zh: '在打开 CONFIG_PROVE_LOCKING=y 和 CONFIG_DEBUG_ATOMIC_SLEEP=y 的调试内核上复现：lockdep 会在不配对解锁的地方直接报错。',
  },
  stepCrash: {
    en: 'crash> mod     (which out-of-tree modules are loaded)   crash> log | grep -i -B5 "scheduling while atomic"     (what ran before)',
    zh: 'crash> mod（查看加载的树外模块）  crash> log | grep -i -B5 "scheduling while atomic"（查看之前执行了什么）',
  },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** Sentences that end without a period in the decoders' texts, as one clause. */
function clause(t: L10n): L10n {
  return { en: t.en.replace(/[.。]$/, ''), zh: t.zh.replace(/[.。]$/, '') };
}

export const bhLeakReturnToUser: Rule = {
  meta: {
    id: 'KT-bh-leak-return-to-user',
    rootCauseClass: 'lock-imbalance',
    summary: {
      en: 'A task returned to user space with bottom halves disabled: a _bh lock or local_bh_disable() was never released',
      zh: '任务带着关闭的软中断（BH）返回用户态：某个 _bh 锁或 local_bh_disable() 没有配对释放',
    },
    docs: {
      en: `Looks for "BUG: scheduling while atomic" whose preempt count decodes to one or more
softirq-disable units (SOFTIRQ_DISABLE_OFFSET, 0x200 each) and no softirq being served,
raised on the way back to user space (sysret_careful / retint_careful / schedule_user /
exit_to_user_mode). A system call or interrupt must leave the kernel with the count it
entered with; reaching the return-to-user path with BH disabled means the code that just
ran took spin_lock_bh() or local_bh_disable() more often than it released them. The usual
shape is an error path that unlocks a _bh lock with plain spin_unlock(), or returns early
between lock and unlock. The number of leaks is the softirq-disable depth.
When the task later exits, do_exit() (or make_task_dead() on recent kernels) sees
in_interrupt() true and panics "Aiee, killing interrupt handler!": that panic is a
consequence, not a second bug.
What to do: review every exit path of the code the task ran last (the system call that
returned, the ioctl/netlink/configuration handler of the out-of-tree modules listed) for a
spin_lock_bh()/local_bh_disable() without its _bh release; CONFIG_PROVE_LOCKING or
CONFIG_DEBUG_ATOMIC_SLEEP catch it where it happens.`,
      zh: `匹配 "BUG: scheduling while atomic"，其 preempt count 解码后含一个或多个软中断关闭单位
（SOFTIRQ_DISABLE_OFFSET，每个 0x200）且不在软中断处理中，并且发生在返回用户态的路径上
（sysret_careful / retint_careful / schedule_user / exit_to_user_mode）。系统调用或中断返回
用户态时，preempt count 必须和进入内核时一致；带着 BH 关闭走到返回用户态的路径，说明刚执行的
代码调用 spin_lock_bh() 或 local_bh_disable() 的次数多于释放次数。最常见的情形是错误处理分支
用普通的 spin_unlock() 释放了 _bh 锁，或者在加锁和解锁之间提前 return。泄漏的次数就是软中断
关闭深度。
任务随后退出时，do_exit()（新内核中是 make_task_dead()）看到 in_interrupt() 为真，会 panic：
"Aiee, killing interrupt handler!"。这个 panic 只是后果，不是另一个 bug。
处理办法：检查任务最后执行的代码（刚返回的系统调用、列出的树外模块的 ioctl/netlink/配置处理
函数）的每条退出路径，找出没有配对 _bh 释放的 spin_lock_bh()/local_bh_disable()；打开
CONFIG_PROVE_LOCKING 或 CONFIG_DEBUG_ATOMIC_SLEEP 可以在出问题的地方直接抓到。`,
    },
    references: ['Documentation/kernel-hacking/locking.rst', 'include/linux/preempt.h (SOFTIRQ_DISABLE_OFFSET)'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const bug of scheduleBugs(ctx)) {
      const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      if (!pc.plausible || pc.softirqDisableDepth < 1 || pc.servingSoftirq || pc.hardirqDepth > 0 || pc.nmi) continue;
      const trace = bug.report.traces.find((t) => findFrame(t, RETURN_TO_USER));
      if (!trace || !findFrame(trace, RETURN_TO_USER)) continue;
      const entry = trace.segments.flatMap((s) => s.frames).filter((f) => f.function && RETURN_TO_USER.some((p) => p.test(f.function as string)));
      const n = pc.softirqDisableDepth;
      const suspects = suspectModules(bug.report);
      const last = bug.report.lastUnloaded;
      const aiee = inferredPanics(ctx).find((p) => p.caller === 'do_exit' || p.caller === 'make_task_dead');
      const taint = taintLine(ctx, bug.report);
      const evidence: FindingDraft['evidence'] = [
        { line: bug.header.no, note: msg('evCount', { raw: bug.raw, n, depth: pc.callerPreemptDepth, offset: pc.scheduleOffsetIncluded ? msg('offsetIncluded') : null }) },
        ...entry.map((f) => ({ line: f.line, note: msg('evReturn', { fn: f.function }) })),
      ];
      const letters = (bug.report.kernel.taint?.flags ?? []).filter((f) => 'OEP'.includes(f));
      if (taint && letters.length > 0) evidence.push({ line: taint.no, note: msg('evTaint', { letters: letters.join('') }) });
      if (aiee) evidence.push({ line: aiee.callerLine, note: msg('evAiee', { caller: aiee.caller }) });
      const exiting = trace.segments.flatMap((sg) => sg.frames).some((f) => f.reliable && (f.function === 'do_exit' || f.function === 'do_task_dead'));
      const exitRule = exitWithIrqCount(releaseOf(ctx.analysis, bug.report));
      const escaped = bug.comm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const ownSegfault = new RegExp(`${escaped}\\[${bug.pid}\\]: segfault at `);
      // The refused user fault comes just before the report: a bounded look back, not a search of the whole log.
      let segfault: LogLine | null = null;
      for (let no = bug.header.no - 1; no >= Math.max(1, bug.header.no - SEGFAULT_LOOKBACK) && !segfault; no--) {
        const l = ctx.line(no);
        if (l && ownSegfault.test(l.text)) segfault = l;
      }
      if (segfault) evidence.push({ line: segfault.no, note: msg('evSegfault') });
      const said = moduleMessageBefore(ctx, bug.report, segfault?.no ?? bug.header.no);
      if (said) evidence.push({ line: said.no, note: msg('evModuleSaid', { module: said.module }) });
      const who = `${bug.comm}/${bug.pid}`;
      const noLocks = readLockdep(ctx, bug.report).noLocksHeld;
      if (noLocks) evidence.push({ line: noLocks.line, note: msg('evNoLocks') });
      const suspectText = suspects.length > 0 ? listOf(suspects) : null;
      const rule = exitRule ? { en: exitRule.en, zh: exitRule.zh } : null;
      const paras: L10n[] = [
        msg('explainCount', { raw: bug.raw, basis: clause(pc.basisText) }),
        n === 1 ? msg('explainDepthOne') : msg('explainDepthMany', { n }),
        msg('explainPath', { path: entry.map((f) => f.function).join(' -> ') }),
      ];
      if (segfault) paras.push(msg('explainSegfault', { segfault: segfault.text.trim().slice(0, 60) }));
      if (aiee) paras.push(msg('explainAiee', { caller: aiee.caller, message: aiee.message.replace('Kernel panic - not syncing: ', '') }));
      else if (exiting) paras.push(rule ? msg('explainExitingRule', { rule }) : msg('explainExiting'));
      else paras.push(rule ? msg('explainExitRule', { rule }) : msg('explainExitUnknown'));
      if (noLocks) paras.push(msg('explainNoLocks', { task: noLocks.task }));
      if (said) paras.push(msg('explainSaid', { module: said.module, text: said.text }));
      if (suspectText) paras.push(last ? msg('explainSuspectsLast', { suspects: suspectText, last }) : msg('explainSuspects', { suspects: suspectText }));
      const review = said ? msg('stepReviewSaid', { comm: bug.comm, module: said.module, text: said.text }) : suspectText ? msg('stepReviewSuspects', { comm: bug.comm, suspects: suspectText }) : msg('stepReview', { comm: bug.comm });
      out.push({
        report: bug.index,
        confidence: aiee || segfault ? 0.9 : 0.85,
        summary: n === 1 ? msg('summaryOne', { who }) : msg('summaryMany', { n, who }),
        explanation: paragraphs(paras),
        evidence,
        culprit: said ? { function: null, module: said.module } : null,
        nextSteps: [review, msg('stepGrep'), msg('stepDebug'), msg('stepCrash')],
        facts: {
          preemptCount: bug.raw,
          preempt: pc,
          leakedBhDisables: n,
          returnToUser: entry.map((f) => f.function),
          suspectModules: suspects,
          lastUnloaded: last,
          inferredPanic: aiee ? aiee.message : null,
          exitBehaviour: exitRule ? exitRule.en : null,
          refusedUserFault: segfault ? segfault.no : null,
          moduleMessage: said,
        },
      });
    }
    return out;
  },
};
