// A paste with no report (crash bt -a, NMI backtraces) in which a CPU waits for others to run a cross-CPU call, and one of them cannot.

import { machineOf, spinDeadlockClass } from '../../machine';
import { culpritOfBlame } from '../blame';
import { messenger } from '../messages';
import { paragraphs } from '../reports';
import type { FindingDraft, L10n, Rule } from '../types';
import { lockupView } from './machine-view';

const messages = {
  summary: { en: 'CPU {{cpu}} waits in {{fn}}() for CPU {{blocker}} to run a cross-CPU call, and CPU {{blocker}} {{doing}}', zh: 'CPU {{cpu}} 在 {{fn}}() 中等 CPU {{blocker}} 执行跨 CPU 调用，而 CPU {{blocker}} {{doing}}' },
  explain: { en: '{{fn}}() sends an IPI and waits until every target CPU has run the function. A CPU runs such a request from its interrupt handler, so one that runs with interrupts disabled never answers, and the sender waits for as long as that lasts. The waiting CPU is a consequence; the CPU it waits for is the one to fix.', zh: '{{fn}}() 发出 IPI 并等待每个目标 CPU 执行完函数。CPU 是在中断处理中执行这类请求的，所以关着中断运行的 CPU 永远不会响应，发送方就要一直等下去。等待的 CPU 只是后果；要修的是它在等的那个 CPU。' },
  named: { en: 'The kernel itself named CPU {{blocker}} as the one that does not answer (csd lock debugging).', zh: '内核自己指出了不响应的是 CPU {{blocker}}（csd 锁调试）。' },
  inferred: { en: 'No report names the CPU that does not answer: CPU {{blocker}} is the one stopped with interrupts disabled.', zh: '没有报告指出哪个 CPU 不响应：CPU {{blocker}} 是唯一停在关中断状态的 CPU。' },
  evWaiter: { en: 'CPU {{cpu}} waits in {{fn}}()', zh: 'CPU {{cpu}} 在 {{fn}}() 中等待' },
  stepDis: { en: 'crash> bt -c {{blocker}}     crash> dis -l {{location}}     (the interrupts-off region CPU {{blocker}} is in)', zh: 'crash> bt -c {{blocker}}     crash> dis -l {{location}}（CPU {{blocker}} 所在的关中断区间）' },
  stepCsd: { en: 'Boot with csdlock_debug=1 (CONFIG_CSD_LOCK_WAIT_DEBUG): the kernel then names the CPU that does not answer and prints its stack.', zh: '用 csdlock_debug=1 启动（CONFIG_CSD_LOCK_WAIT_DEBUG）：内核会指出不响应的 CPU 并打印它的调用栈。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const ipiWaitBlocked: Rule = {
  meta: {
    id: 'KT-ipi-wait-blocked',
    rootCauseClass: 'other',
    summary: { en: 'A paste with no report shows a CPU waiting for a cross-CPU call that another CPU, running with interrupts off, does not answer', zh: '没有崩溃报告的粘贴内容中，有 CPU 在等待跨 CPU 调用，而另一个关中断运行的 CPU 不响应' },
    docs: {
      en: `Fires only when the input holds no crash report (a crash bt -a, NMI backtraces of every CPU)
and the machine model has a CPU waiting in smp_call_function_many/_single or csd_lock_wait for a
CPU that cannot answer: the one the kernel named (csd lock debugging) or the one stopped with
interrupts disabled. The culprit is what that CPU runs: the holder of the lock it spins on when
the model confirms one (the class then follows the lock: AA, AB-BA), else the owner of its loop.`,
      zh: `仅在输入中没有崩溃报告（crash 的 bt -a、所有 CPU 的 NMI 回溯）、且整机模型中有 CPU 在
smp_call_function_many/_single 或 csd_lock_wait 中等待一个无法响应的 CPU 时触发：那个 CPU 要么是内核点名的
（csd 锁调试），要么是停在关中断状态的那个。嫌疑是那个 CPU 在运行的代码：如果它在等一把模型确认了持有者的锁，
就是持锁者（类别随锁而定：AA、AB-BA），否则是它所在循环的拥有者。`,
    },
    references: ['kernel/smp.c'],
    messages,
  },
  check(ctx) {
    if (ctx.analysis.reports.length > 0) return [];
    const m = machineOf(ctx.analysis);
    const out: FindingDraft[] = [];
    for (const ipi of m.ipiWaits) {
      if (ipi.blockedBy.length === 0) continue;
      const view = lockupView(m, ipi.cpu, null);
      const b = view.blocker;
      if (!b) continue;
      const waiter = m.contexts[ipi.context];
      const data = { cpu: ipi.cpu, fn: ipi.function, blocker: b.cpu, doing: b.doing, location: b.blame?.location ?? b.blame?.function ?? '<function>' };
      const paras: L10n[] = [msg('explain', data), msg(ipi.named ? 'named' : 'inferred', data), ...view.paragraphs];
      const evidence: FindingDraft['evidence'] = waiter.lines[0] !== undefined ? [{ line: waiter.lines[0], note: msg('evWaiter', data) }] : [];
      evidence.push(...view.evidence);
      out.push({
        rootCauseClass: b.ring ? 'deadlock-abba' : b.spins ? spinDeadlockClass(m, b.cpu) : 'other',
        // A target that spins is stuck on its lock: the finding on that lock (the cause) ranks first.
        confidence: b.ring ? 0.65 : b.spins ? 0.4 : b.blame ? 0.55 : 0.45,
        summary: msg('summary', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: b.blame ? culpritOfBlame(b.blame) : null,
        nextSteps: [msg('stepDis', data), ...(ipi.named ? [] : [msg('stepCsd')])],
        facts: { cpu: ipi.cpu, function: ipi.function, blockedBy: ipi.blockedBy, named: ipi.named, blockerSpins: b.spins },
      });
    }
    return out;
  },
};
