// "Attempted to kill init!" / "Attempted to kill the idle task!": why PID 1 or an idle task died, from what came before.

import { paragraphs } from '../reports';
import { EXIT_STATUSES, SIGNALS } from '../../knowledge/signals';
import { blameReport, culpritOfBlame } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';

const PANIC = /Kernel panic - not syncing: Attempted to kill (init|the idle task)!(?: exitcode=(0x[0-9a-f]{1,8}))?/;

const messages = {
  summaryInitAfter: { en: 'PID 1 (init) died after "{{title}}": the kernel cannot continue', zh: 'init（PID 1）在 "{{title}}" 之后退出：内核无法继续运行' },
  summaryIdleAfter: { en: 'The idle task died after "{{title}}": the kernel cannot continue', zh: 'idle 任务在 "{{title}}" 之后退出：内核无法继续运行' },
  summaryInitSignal: { en: 'PID 1 (init) was killed by {{signal}}: the kernel cannot continue', zh: 'init（PID 1）被 {{signal}} 杀死：内核无法继续运行' },
  summaryInitExit: { en: 'PID 1 (init) exited with status {{status}}: the kernel cannot continue', zh: 'init（PID 1）以退出状态 {{status}} 退出：内核无法继续运行' },
  summaryInit: { en: 'PID 1 (init) exited: the kernel cannot continue', zh: 'init（PID 1）退出了：内核无法继续运行' },
  summaryIdle: { en: 'The idle task died: the kernel cannot continue', zh: 'idle 任务退出了：内核无法继续运行' },
  explainInit: { en: 'PID 1 exited, and the kernel panics because it cannot run without an init process to reap orphans.', zh: 'PID 1 退出了，内核因为离不开负责回收孤儿进程的 init 而 panic。' },
  explainIdle: { en: 'An idle task exited, and the kernel panics because a CPU cannot run without its idle task.', zh: 'idle 任务退出了，内核因为 CPU 离不开自己的 idle 任务而 panic。' },
  explainPrev: { en: 'The report before it ("{{title}}") killed {{victim}}: that is the bug to fix, and this panic is its consequence.', zh: '它之前的报告（"{{title}}"）导致了{{victim}}的死亡：那才是要修的 bug，这个 panic 只是后果。' },
  victimInit: { en: 'init', zh: ' init ' },
  victimIdle: { en: 'the idle task', zh: ' idle 任务' },
  explainSignal: { en: 'PID 1 was killed by signal {{number}} ({{signal}}){{meaning}}.', zh: 'init 被信号 {{number}}（{{signal}}）杀死{{meaning}}。' },
  explainSignalUnknown: { en: 'PID 1 was killed by signal {{number}}.', zh: 'init 被信号 {{number}} 杀死。' },
  meaningCrashed: { en: ': init itself crashed in user space (a bad binary or library, a corrupted root file system, or bad memory)', zh: '：init 自己在用户态崩溃了（程序或库有问题、根文件系统损坏，或者内存故障）' },
  meaningKilled: { en: ': something sent SIGKILL to PID 1 (the OOM killer never picks init, so look for a user or a watchdog)', zh: '：有人向 PID 1 发送了 SIGKILL（OOM killer 不会选中 init，所以要找用户操作或看门狗）' },
  meaningAborted: { en: ': init aborted itself (a failed assertion in init)', zh: '：init 自己中止了（init 中的断言失败）' },
  explainExit: { en: 'PID 1 exited normally with status {{status}}{{meaning}}.', zh: 'init 以状态 {{status}} 正常退出{{meaning}}。' },
  meaningNotFound: { en: ' (command not found: a missing binary or shared library in the initramfs or root file system)', zh: '（找不到命令：initramfs 或根文件系统中缺少程序或共享库）' },
  meaningFailed: { en: ' (a failed boot script, or a root file system that could not be mounted)', zh: '（启动脚本失败，或者根文件系统无法挂载）' },
  meaningNotExecutable: { en: ' (a file that cannot be executed: wrong architecture or missing permissions)', zh: '（文件无法执行：架构不对或缺少权限）' },
  explainNothing: { en: 'No earlier report and no exit code: look above the panic for the last messages of init or of the kernel.', zh: '前面没有报告，也没有退出码：在 panic 上方查看 init 或内核的最后几条消息。' },
  evInit: { en: 'init exited{{code}}', zh: 'init 退出{{code}}' },
  evIdle: { en: 'an idle task exited', zh: 'idle 任务退出' },
  withCode: { en: ' with exitcode {{code}}', zh: '，exitcode {{code}}' },
  evPrev: { en: 'the earlier report that killed it', zh: '导致它死亡的更早的报告' },
  stepPrev: { en: 'Analyse the earlier report first ("{{title}}").', zh: '先分析更早的那个报告（"{{title}}"）。' },
  stepRoot: { en: 'Boot with init=/bin/sh or rd.break to check the initramfs and root file system (missing libraries, wrong architecture, corrupted files).', zh: '用 init=/bin/sh 或 rd.break 启动，检查 initramfs 和根文件系统（缺库、架构不对、文件损坏）。' },
  stepLog: { en: 'crash> log | grep -n -B30 "Attempted to kill"     (what happened just before)', zh: 'crash> log | grep -n -B30 "Attempted to kill"（之前刚发生了什么）' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

const SIGNAL_MEANING: Record<string, keyof typeof messages> = { crashed: 'meaningCrashed', killed: 'meaningKilled', aborted: 'meaningAborted' };
const EXIT_MEANING: Record<string, keyof typeof messages> = { 'not-found': 'meaningNotFound', failed: 'meaningFailed', 'not-executable': 'meaningNotExecutable' };

export const killedInit: Rule = {
  meta: {
    id: 'KT-killed-init',
    rootCauseClass: 'other',
    summary: { en: 'init (PID 1) or an idle task died, which the kernel cannot survive', zh: 'init（PID 1）或 idle 任务退出了，内核无法继续运行' },
    docs: {
      en: `Looks for "Kernel panic - not syncing: Attempted to kill init! exitcode=0x..." and "Attempted
to kill the idle task!". The panic only says that PID 1 (or a CPU's idle task) exited; the cause
is what made it exit, printed before: an oops in init's context (then the oops is the bug),
a fatal signal (exitcode 0x0000000b = SIGSEGV, 0x00000009 = SIGKILL, 0x00000007 = SIGBUS,
0x00000004 = SIGILL, 0x00000006 = SIGABRT), or init exiting normally (exitcode 0x00000100 = exit(1),
0x00007f00 = exit(127): a missing binary or library in the initramfs/root file system).
The idle task dies only through an oops in interrupt or early boot code.
What to do: read the report that precedes the panic, or for a plain exit code check the
initramfs/root file system and init's own logs.`,
      zh: `匹配 "Kernel panic - not syncing: Attempted to kill init! exitcode=0x..." 和 "Attempted to kill the
idle task!"。panic 本身只说明 PID 1（或某个 CPU 的 idle 任务）退出了；原因是让它退出的事情，打印在
前面：init 上下文中的 oops（那么 oops 才是 bug）、致命信号（exitcode 0x0000000b = SIGSEGV、
0x00000009 = SIGKILL、0x00000007 = SIGBUS、0x00000004 = SIGILL、0x00000006 = SIGABRT），或者 init
正常退出（exitcode 0x00000100 = exit(1)，0x00007f00 = exit(127)：initramfs/根文件系统中缺少程序或库）。
idle 任务只会因为中断或早期启动代码中的 oops 而死。
处理办法：阅读 panic 之前的报告；如果只是退出码，检查 initramfs/根文件系统以及 init 自己的日志。`,
    },
    references: ['kernel/exit.c: find_child_reaper()', 'kernel/sched/core.c (idle task)'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const l of ctx.findLines(PANIC, 5)) {
      const m = PANIC.exec(l.text);
      // The "---[ end Kernel panic ... ]---" trailer repeats the panic line.
      if (!m || l.text.includes('---[ end')) continue;
      const idle = m[1] !== 'init';
      const code = m[2] ? Number.parseInt(m[2], 16) : null;
      const before = ctx.analysis.reports.map((r, i) => ({ r, i })).filter(({ r }) => r.headerLine < l.no && !PANIC.test(ctx.line(r.headerLine)?.text ?? ''));
      const prev = before[before.length - 1] ?? null;
      const own = ctx.analysis.reports.findIndex((r) => l.no >= r.startLine && l.no <= r.endLine);
      const sig = code !== null && (code & 0x7f) !== 0 ? code & 0x7f : null;
      const status = code !== null && (code & 0x7f) === 0 ? (code >> 8) & 0xff : null;
      const sigRow = sig !== null ? SIGNALS.find((s) => s.number === sig) ?? null : null;
      const exitRow = status !== null ? EXIT_STATUSES.find((s) => s.status === status) ?? null : null;
      const data = {
        title: prev?.r.title ?? null, number: sig, signal: sigRow?.name ?? (sig !== null ? String(sig) : null), status,
        victim: msg(idle ? 'victimIdle' : 'victimInit'), code: m[2] ? msg('withCode', { code: m[2] }) : null,
        meaning: sigRow && SIGNAL_MEANING[sigRow.meaning] ? msg(SIGNAL_MEANING[sigRow.meaning]) : exitRow ? msg(EXIT_MEANING[exitRow.meaning]) : null,
      };
      const evidence: FindingDraft['evidence'] = [{ line: l.no, note: idle ? msg('evIdle') : msg('evInit', data) }];
      if (prev) evidence.push({ line: prev.r.headerLine, note: msg('evPrev') });
      const paras: L10n[] = [msg(idle ? 'explainIdle' : 'explainInit')];
      if (prev) paras.push(msg('explainPrev', data));
      else if (sig !== null && !idle) paras.push(sigRow ? msg('explainSignal', data) : msg('explainSignalUnknown', data));
      else if (status !== null && !idle) paras.push(msg('explainExit', data));
      else paras.push(msg('explainNothing'));
      const summary = prev
        ? msg(idle ? 'summaryIdleAfter' : 'summaryInitAfter', data)
        : idle ? msg('summaryIdle') : sig !== null ? msg('summaryInitSignal', data) : status !== null ? msg('summaryInitExit', data) : msg('summaryInit');
      const nextSteps: L10n[] = [];
      if (prev) nextSteps.push(msg('stepPrev', data));
      else if (!idle) nextSteps.push(msg('stepRoot'));
      nextSteps.push(msg('stepLog'));
      out.push({
        report: own >= 0 ? own : prev?.i,
        confidence: prev ? 0.7 : code !== null ? 0.65 : 0.5,
        secondaryClasses: prev ? [] : sigRow?.name === 'SIGBUS' ? ['hardware'] : [],
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: prev ? culpritOfBlame(blameReport(prev.r, 'fault')) : null,
        nextSteps,
        facts: { idle, exitcode: m[2] ?? null, signal: sig, exitStatus: status, precedingReport: prev?.r.title ?? null },
      });
    }
    return out;
  },
};
