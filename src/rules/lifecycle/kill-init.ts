// "Attempted to kill init!" / "Attempted to kill the idle task!": why PID 1 or an idle task died, from what came before.

import type { FindingDraft, Rule } from '../types';
import { ev, paragraphs, steps, t } from '../reports';

const PANIC = /Kernel panic - not syncing: Attempted to kill (init|the idle task)!(?: exitcode=(0x[0-9a-f]+))?/;

export const killedInit: Rule = {
  meta: {
    id: 'KT-killed-init',
    rootCauseClass: 'other',
    summary: t('init (PID 1) or an idle task died, which the kernel cannot survive', 'init（PID 1）或 idle 任务退出了，内核无法继续运行'),
    docs: t(
      `Looks for "Kernel panic - not syncing: Attempted to kill init! exitcode=0x..." and "Attempted
to kill the idle task!". The panic only says that PID 1 (or a CPU's idle task) exited; the cause
is what made it exit, printed before: an oops in init's context (then the oops is the bug),
a fatal signal (exitcode 0x0000000b = SIGSEGV, 0x00000009 = SIGKILL, 0x00000007 = SIGBUS,
0x00000004 = SIGILL, 0x00000006 = SIGABRT), or init exiting normally (exitcode 0x00000100 = exit(1),
0x00007f00 = exit(127): a missing binary or library in the initramfs/root file system).
The idle task dies only through an oops in interrupt or early boot code.
What to do: read the report that precedes the panic, or for a plain exit code check the
initramfs/root file system and init's own logs.`,
      `匹配 "Kernel panic - not syncing: Attempted to kill init! exitcode=0x..." 和 "Attempted to kill the
idle task!"。panic 本身只说明 PID 1（或某个 CPU 的 idle 任务）退出了；原因是让它退出的事情，打印在
前面：init 上下文中的 oops（那么 oops 才是 bug）、致命信号（exitcode 0x0000000b = SIGSEGV、
0x00000009 = SIGKILL、0x00000007 = SIGBUS、0x00000004 = SIGILL、0x00000006 = SIGABRT），或者 init
正常退出（exitcode 0x00000100 = exit(1)，0x00007f00 = exit(127)：initramfs/根文件系统中缺少程序或库）。
idle 任务只会因为中断或早期启动代码中的 oops 而死。
处理办法：阅读 panic 之前的报告；如果只是退出码，检查 initramfs/根文件系统以及 init 自己的日志。`,
    ),
    references: ['kernel/exit.c: find_child_reaper()', 'kernel/sched/core.c (idle task)'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const l of ctx.findLines(PANIC, 5)) {
      const m = PANIC.exec(l.text);
      if (!m) continue;
      const idle = m[1] !== 'init';
      const code = m[2] ? Number.parseInt(m[2], 16) : null;
      const before = ctx.analysis.reports.map((r, i) => ({ r, i })).filter(({ r }) => r.headerLine < l.no && !PANIC.test(ctx.line(r.headerLine)?.text ?? ''));
      const prev = before[before.length - 1] ?? null;
      const own = ctx.analysis.reports.findIndex((r) => l.no >= r.startLine && l.no <= r.endLine);
      const sig = code !== null && (code & 0x7f) !== 0 ? code & 0x7f : null;
      const exit = code !== null && (code & 0x7f) === 0 ? (code >> 8) & 0xff : null;
      const SIGNALS: Record<number, string> = { 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };
      const evidence = [ev(l.no, idle ? 'an idle task exited' : `init exited${code !== null ? ` with exitcode ${m[2]}` : ''}`, idle ? 'idle 任务退出' : `init 退出${code !== null ? `，exitcode ${m[2]}` : ''}`)];
      if (prev) evidence.push(ev(prev.r.headerLine, `the earlier report: ${prev.r.title}`, `更早的报告：${prev.r.title}`));
      const cause = prev
        ? t(`The report before it ("${prev.r.title}") killed ${idle ? 'the idle task' : 'init'}: that is the bug to fix; this panic is its consequence.`, `它之前的报告（"${prev.r.title}"）导致了 ${idle ? 'idle 任务' : 'init'} 的死亡：那才是要修的 bug，这个 panic 只是后果。`)
        : sig !== null
          ? t(`init was killed by signal ${sig}${SIGNALS[sig] ? ` (${SIGNALS[sig]})` : ''}${sig === 11 || sig === 7 || sig === 4 ? ': init itself crashed in user space (a bad binary or library, a corrupted root file system, or bad memory)' : sig === 9 ? ': something sent SIGKILL to PID 1 (the OOM killer cannot, so look for a user or a watchdog)' : ''}.`, `init 被信号 ${sig}${SIGNALS[sig] ? `（${SIGNALS[sig]}）` : ''} 杀死${sig === 11 || sig === 7 || sig === 4 ? '：init 自己在用户态崩溃了（程序或库有问题、根文件系统损坏，或者内存故障）' : sig === 9 ? '：有人向 PID 1 发送了 SIGKILL（OOM killer 不会杀 init，所以要找用户操作或看门狗）' : ''}。`)
          : exit !== null
            ? t(`init exited normally with status ${exit}${exit === 127 ? ' (command not found: a missing binary or shared library in the initramfs/root)' : exit === 1 ? ' (a failed boot script, or a root file system that could not be mounted)' : ''}.`, `init 以状态 ${exit} 正常退出${exit === 127 ? '（找不到命令：initramfs/根文件系统中缺少程序或共享库）' : exit === 1 ? '（启动脚本失败，或者根文件系统无法挂载）' : ''}。`)
            : t('No earlier report and no exit code: look above the panic for the messages of init or of the kernel just before.', '前面没有报告，也没有退出码：在 panic 上方查看 init 或内核的最后几条消息。');
      out.push({
        report: own >= 0 ? own : prev?.i,
        confidence: prev ? 0.7 : code !== null ? 0.65 : 0.5,
        secondaryClasses: prev ? [] : sig === 7 ? ['hardware'] : [],
        summary: t(`${idle ? 'The idle task' : 'init (PID 1)'} died${prev ? ` after "${prev.r.title}"` : sig !== null ? ` from signal ${SIGNALS[sig] ?? sig}` : exit !== null ? ` with exit status ${exit}` : ''}: the kernel cannot continue`, `${idle ? 'idle 任务' : 'init（PID 1）'}${prev ? `在 "${prev.r.title}" 之后` : sig !== null ? `因信号 ${SIGNALS[sig] ?? sig}` : exit !== null ? `以退出状态 ${exit}` : ''}退出：内核无法继续运行`),
        explanation: paragraphs([
          t(`${idle ? 'An idle task' : 'PID 1'} exited, and the kernel panics because it cannot run without ${idle ? 'it' : 'an init process to reap orphans'}.`, `${idle ? 'idle 任务' : 'PID 1'} 退出了，内核因为离不开${idle ? '它' : '负责回收孤儿进程的 init'}而 panic。`),
          cause,
        ]),
        evidence,
        culprit: prev?.r.frame ? { function: prev.r.frame, module: null } : null,
        nextSteps: steps(
          prev ? t(`Analyse the earlier report first ("${prev.r.title}").`, `先分析更早的那个报告（"${prev.r.title}"）。`) : null,
          !idle ? t('Boot with init=/bin/sh or rd.break to check the initramfs/root file system (missing libraries, wrong architecture, corrupted files).', '用 init=/bin/sh 或 rd.break 启动，检查 initramfs/根文件系统（缺库、架构不对、文件损坏）。') : null,
          t('crash> log | grep -n -B30 "Attempted to kill"     (what happened just before)', 'crash> log | grep -n -B30 "Attempted to kill"（之前刚发生了什么）'),
        ),
        facts: { idle, exitcode: m[2] ?? null, signal: sig, exitStatus: exit, precedingReport: prev?.r.title ?? null },
      });
    }
    return out;
  },
};
