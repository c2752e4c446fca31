// "csd: Detected non-responsive CSD lock (#1) on CPU#N, waiting ... for CPU#M func": CPU M does not answer an IPI because it runs with interrupts off.

import { paragraphs } from '../reports';
import { IPI_WAITERS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { NO_BLAME, baseName, blameFrames, blameOfSite, culpritOfBlame, type Blame } from '../blame';
import { cpuBacktraces, reportFromLines, sampleFrames, sightings, type CpuBacktrace, type Sighting } from '../facts';
import { parseSymbolOffset } from '../../parse/frames';
import { messenger } from '../messages';
import type { LogLine } from '../../model/types';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';
import { spinningIn } from './spinning';

/**
 * The forms CONFIG_CSD_LOCK_WAIT_DEBUG has printed: "csd: Detected|Continued non-responsive CSD lock (#1) on
 * CPU#0, waiting 5000000001 ns for CPU#01 func(info)", "csd: CSD lock (#1) unresponsive on CPU#0, waiting ...
 * for CPU#01 func", and "csd: Detected non-responding CPU#1".
 */
const HEADER = /csd: (?:(?:Detected|Continued) non-responsive CSD lock \(#(\d{1,6})\) on CPU#(\d{1,5}), waiting (\d{1,20}) ns for CPU#(\d{1,5}) (\S{1,300})|CSD lock \(#(\d{1,6})\) unresponsive on CPU#(\d{1,5}), waiting (\d{1,20}) ns for CPU#(\d{1,5}) (\S{1,300})|Detected non-respon\w{1,8} CPU#(\d{1,5}))/;
const STOP = /csd: (?:Detected|Continued|CSD lock \(#\d+\) unresponsive)|Kernel panic - not syncing|BUG: soft lockup|Watchdog detected hard LOCKUP/;
const UNSTUCK = /csd: CSD lock \(#(\d{1,6})\) got unstuck on CPU#(\d{1,5}), CPU#(\d{1,5}) released the lock/;

const messages = {
  summaryLoop: { en: 'CPU {{target}} did not answer a cross-CPU call for {{secs}} s: {{who}} was running there with interrupts off{{still}}', zh: 'CPU {{target}} 在 {{secs}} 秒内没有响应跨 CPU 调用：那里正在关中断运行 {{who}}{{still}}' },
  summarySpin: { en: 'CPU {{target}} did not answer a cross-CPU call for {{secs}} s: {{who}} spins there with interrupts off on a lock that is never released{{still}}', zh: 'CPU {{target}} 在 {{secs}} 秒内没有响应跨 CPU 调用：{{who}} 在那里关中断自旋，等一把始终不释放的锁{{still}}' },
  summaryUnknown: { en: 'CPU {{target}} did not answer a cross-CPU call for {{secs}} s: it runs with interrupts off, and the log does not show what it runs{{still}}', zh: 'CPU {{target}} 在 {{secs}} 秒内没有响应跨 CPU 调用：它在关中断运行，日志中没有显示它在运行什么{{still}}' },
  summaryNoTarget: { en: 'A CPU did not answer a cross-CPU call (non-responsive CSD lock): it runs with interrupts off, and the log does not say which CPU', zh: '某个 CPU 没有响应跨 CPU 调用（CSD 锁无响应）：它在关中断运行，日志没有说明是哪个 CPU' },
  still: { en: ' (still waiting at the later reports: {{n}} reports)', zh: '（之后的报告中仍在等待：共报告了 {{n}} 次）' },
  secsUnknown: { en: 'some', zh: '若干' },
  explainCsd: { en: 'CPU {{waiter}} asked CPU {{target}} to run {{func}} (an smp_call_function*() IPI) and has waited {{secs}} s for it. A CPU runs such a request from its interrupt handler, so a target that never answers runs with interrupts disabled: an irqs-off loop, a spin_lock_irqsave() held too long, or a lock it spins on with interrupts off. CPU {{waiter}} is only the victim; what CPU {{target}} runs is the cause.', zh: 'CPU {{waiter}} 请求 CPU {{target}} 运行 {{func}}（smp_call_function*() 发出的 IPI），已经等了 {{secs}} 秒。CPU 是在中断处理中执行这种请求的，所以一直不响应的目标 CPU 正在关中断运行：关中断的循环、持有太久的 spin_lock_irqsave()，或者关中断等一把锁。CPU {{waiter}} 只是受害者；CPU {{target}} 在运行的东西才是原因。' },
  explainTarget: { en: 'The backtrace of CPU {{target}} shows it in {{who}}; the instruction it was sampled at ({{ip}}) is only where the loop was.', zh: 'CPU {{target}} 的回溯显示它在 {{who}} 中；采样到的指令（{{ip}}）只是循环恰好所在的位置。' },
  explainTargetHere: { en: 'The backtrace of CPU {{target}} shows it looping in {{who}} itself.', zh: 'CPU {{target}} 的回溯显示它就在 {{who}} 中循环。' },
  explainSpin: { en: 'It spins in {{spinner}} with interrupts off: the lock\'s holder (possibly CPU {{waiter}} itself, which waits for this CPU) never releases it, a deadlock.', zh: '它在 {{spinner}} 中关中断自旋：持锁者（可能正是在等这个 CPU 的 CPU {{waiter}}）一直不释放这把锁，这是死锁。' },
  explainNoTarget: { en: 'The log has no backtrace of CPU {{target}} (no "NMI backtrace for cpu {{target}}" or task dump), so what it runs is not known.', zh: '日志中没有 CPU {{target}} 的回溯（没有 "NMI backtrace for cpu {{target}}" 或 task dump），所以不知道它在运行什么。' },
  explainNoTargetCpu: { en: 'The report does not say which CPU failed to answer, so its stack cannot be picked out of the log; that CPU runs with interrupts disabled.', zh: '报告没有说明是哪个 CPU 没有响应，所以无法从日志中找出它的调用栈；那个 CPU 正在关中断运行。' },
  explainUnstuck: { en: 'CPU {{target}} answered in the end ("got unstuck"): a long interrupts-off section rather than a permanent hang.', zh: 'CPU {{target}} 最终还是响应了（"got unstuck"）：这是一段很长的关中断区间，而不是永久挂死。' },
  explainRepeats: { en: 'The same request was reported {{n}} times while CPU {{waiter}} kept waiting.', zh: '在 CPU {{waiter}} 持续等待期间，同一个请求被报告了 {{n}} 次。' },
  evHeader: { en: 'CPU {{waiter}} waits for CPU {{target}} to run {{func}}', zh: 'CPU {{waiter}} 在等 CPU {{target}} 运行 {{func}}' },
  evLater: { en: 'still waiting', zh: '仍在等待' },
  evBacktrace: { en: 'the backtrace of CPU {{target}}, the CPU that does not answer', zh: 'CPU {{target}}（不响应的那个 CPU）的回溯' },
  evTarget: { en: '{{who}}: what CPU {{target}} runs with interrupts off', zh: '{{who}}：CPU {{target}} 关中断运行的代码' },
  evSpinner: { en: '{{spinner}}: spinning with interrupts off', zh: '{{spinner}}：关中断自旋' },
  evUnstuck: { en: 'CPU {{target}} finally answered', zh: 'CPU {{target}} 最终响应了' },
  evWaiter: { en: '{{caller}}: the caller on CPU {{waiter}} that waits', zh: '{{caller}}：CPU {{waiter}} 上正在等待的调用者' },
  stepBtTarget: { en: 'crash> bt -c {{target}}     (what CPU {{target}} runs with interrupts off)', zh: 'crash> bt -c {{target}}（CPU {{target}} 关中断运行的代码）' },
  stepDis: { en: 'crash> dis -l {{location}}     (the loop or lock around the sampled instruction)', zh: 'crash> dis -l {{location}}（采样指令附近的循环或锁）' },
  stepIrqOff: { en: 'In {{who}}: find the local_irq_save()/spin_lock_irqsave() region around the loop; shorten it, or bound the wait so the CPU takes its interrupts again.', zh: '在 {{who}} 中：找到循环外面的 local_irq_save()/spin_lock_irqsave() 区间；缩短它，或者给等待设上限，让该 CPU 能重新处理中断。' },
  stepLockdep: { en: 'Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports the lock-order problem before it deadlocks.', zh: '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在真正死锁之前报告锁顺序问题。' },
  stepNmi: { en: 'Boot with csdlock_debug=ext (or trigger_all_cpu_backtrace via sysrq l): the kernel then prints the backtrace of the CPU that does not answer.', zh: '用 csdlock_debug=ext 启动（或用 sysrq l 打印所有 CPU 的回溯）：内核会打印不响应的 CPU 的回溯。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Wait {
  id: string | null;
  waiter: string | null;
  target: string | null;
  ns: number | null;
  func: string | null;
}

function waitOf(s: Sighting): Wait {
  const m = s.match;
  if (m[1] !== undefined) return { id: m[1], waiter: m[2], target: m[4], ns: Number(m[3]), func: m[5] };
  if (m[6] !== undefined) return { id: m[6], waiter: m[7], target: m[9], ns: Number(m[8]), func: m[10] };
  return { id: null, waiter: null, target: m[11] ?? null, ns: null, func: null };
}

function who(b: Pick<Blame, 'function' | 'module'>): string {
  return b.module ? `${b.function} [${b.module}]` : (b.function as string);
}

/** The requested function as printed, `csd_read_counters+0x0/0x20 [csdlock](0xffff...)` read as `csd_read_counters [csdlock]`. */
function funcName(raw: string | null): string | null {
  if (!raw) return null;
  const s = parseSymbolOffset(raw);
  if (s) return s.module ? `${baseName(s.function)} [${s.module}]` : baseName(s.function);
  const bare = /^([A-Za-z_.$][\w.$]{0,200})/.exec(raw);
  return bare ? baseName(bare[1]) : null;
}

const CPU_LINE = /^CPU: (\d{1,5}) PID: \d/;

/** The waiting CPU's own dump_stack() after the message: the caller of smp_call_function*() (evidence only, it is the victim). */
function waiterBlame(ctx: RuleContext, from: number, to: number, cpu: number): Blame {
  const inBacktrace = cpuBacktraces(ctx, from, to);
  for (let no = from + 1; no <= to && no <= from + 400; no++) {
    const l = ctx.line(no);
    if (!l || !CPU_LINE.test(l.text) || Number(CPU_LINE.exec(l.text)?.[1]) !== cpu) continue;
    if (inBacktrace.some((b) => l.no >= b.report.startLine && l.no <= b.report.endLine)) continue;
    const r = reportFromLines(ctx, l, 'csd waiter', STOP);
    const frames = r?.traces.flatMap((t) => t.segments.flatMap((s) => s.frames)) ?? [];
    if (frames.some((f) => f.function !== null && matchesAny(baseName(f.function), IPI_WAITERS))) return blameFrames(frames, { mode: 'wait', detectedIn: null });
  }
  return NO_BLAME;
}

/** "got unstuck ... CPU#M released the lock" after the last report of the wait: the target answered in the end. */
function unstuckLine(ctx: RuleContext, from: number, target: number | null): LogLine | null {
  if (target === null) return null;
  for (let no = from + 1; no <= from + 600; no++) {
    const l = ctx.line(no);
    if (!l) continue;
    const m = UNSTUCK.exec(l.text);
    if (m && Number(m[3]) === target) return l;
  }
  return null;
}

export const csdLock: Rule = {
  meta: {
    id: 'KT-csd-lock-unresponsive',
    rootCauseClass: 'other',
    summary: { en: 'A CPU did not answer a cross-CPU function call (non-responsive CSD lock): it runs with interrupts off', zh: '某个 CPU 没有响应跨 CPU 函数调用（CSD 锁无响应）：它在关中断运行' },
    docs: {
      en: `Looks for CONFIG_CSD_LOCK_WAIT_DEBUG's "csd: Detected non-responsive CSD lock (#N) on CPU#A, waiting T ns
for CPU#B func(info)" (also "Continued ...", the older "csd: CSD lock (#N) unresponsive on CPU#A ..." and
"csd: Detected non-responding CPU#B"). CPU A sent CPU B a function-call IPI (smp_call_function_single(),
on_each_cpu(), a TLB flush) and has waited T ns for it. A CPU runs these requests from its interrupt
handler, so a CPU that never answers runs with interrupts disabled. The waiting CPU is a victim. The
culprit is what CPU B runs, read from its NMI backtrace (or task dump) when the log has one, with the
lockup walk (the frame its samples share, else the first frame above library leaves); class other, or
deadlock-aa when it spins on a lock with interrupts off. "got unstuck" means B answered in the end: a long
interrupts-off section rather than a hang.
What to do: "bt -c B" in a vmcore, and shorten or bound the interrupts-off region that CPU B runs.`,
      zh: `匹配 CONFIG_CSD_LOCK_WAIT_DEBUG 打印的 "csd: Detected non-responsive CSD lock (#N) on CPU#A, waiting T ns
for CPU#B func(info)"（以及 "Continued ..."、较早的 "csd: CSD lock (#N) unresponsive on CPU#A ..." 和
"csd: Detected non-responding CPU#B"）。CPU A 向 CPU B 发了函数调用 IPI（smp_call_function_single()、
on_each_cpu()、TLB flush），已经等了 T 纳秒。CPU 是在中断处理中执行这种请求的，所以一直不响应的 CPU 正在关中断
运行。等待的 CPU 只是受害者。嫌疑是 CPU B 正在运行的代码：如果日志中有它的 NMI 回溯（或 task dump），就用 lockup
的方式归咎（所有采样共有的帧，否则是库函数叶子之上的第一个帧）；分类为 other，如果它在关中断等锁则为 deadlock-aa。
"got unstuck" 表示 B 最终响应了：这是一段很长的关中断区间，而不是挂死。
处理办法：有 vmcore 时用 "bt -c B"，并缩短或限制 CPU B 运行的关中断区间。`,
    },
    references: ['kernel/smp.c: csd_lock_wait_toolong()', 'Documentation/admin-guide/kernel-parameters.txt (csdlock_debug)'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const groups: Array<{ wait: Wait; hits: Sighting[] }> = [];
    for (const s of sightings(ctx, HEADER, { title: 'csd: non-responsive CSD lock', stop: STOP })) {
      const w = waitOf(s);
      const same = groups.find((g) => g.wait.target === w.target && g.wait.waiter === w.waiter && g.wait.id === w.id);
      if (same) same.hits.push(s);
      else groups.push({ wait: w, hits: [s] });
    }
    for (const g of groups) {
      const first = g.hits[0];
      const last = g.hits[g.hits.length - 1];
      const n = g.hits.length;
      const target = g.wait.target !== null ? Number(g.wait.target) : null;
      const waiter = g.wait.waiter ?? (first.report.cpu !== null ? String(first.report.cpu) : null);
      const to = Math.max(last.report.endLine, last.header.no + 200);
      const backtraces: CpuBacktrace[] = target !== null ? cpuBacktraces(ctx, first.header.no, to).filter((b) => b.cpu === target && (b.stack.frames.length > 0 || b.stack.detectedIn !== null)) : [];
      const sample = backtraces[0] ?? null;
      const blame = sample ? blameFrames(sampleFrames(sample.stack), { mode: 'lockup', detectedIn: sample.stack.detectedIn, samples: backtraces.slice(1).map((b) => sampleFrames(b.stack)) }) : null;
      const culprit = blame?.function ? blame : null;
      const spin = sample ? spinningIn(sample.stack, sample.report.registers?.values.RDI ?? null, sample.line) : null;
      const unstuck = unstuckLine(ctx, last.header.no, target);
      const lastNs = waitOf(last).ns ?? g.wait.ns;
      // The caller on the waiting CPU (its dump_stack): only evidence, it is the victim.
      const waiterCaller = waiter !== null ? waiterBlame(ctx, first.header.no, to, Number(waiter)) : NO_BLAME;
      const ip = sample?.stack.detectedIn?.function ?? null;
      const data = {
        target, waiter, n, func: funcName(g.wait.func) ?? '?', secs: lastNs !== null ? Math.round(lastNs / 1e8) / 10 : msg('secsUnknown'),
        who: culprit ? who(culprit) : null, ip: ip ? baseName(ip) : null, location: culprit?.location ?? null, spinner: spin?.spinner.function ? baseName(spin.spinner.function) : null,
        still: n > 1 ? msg('still', { n }) : null, caller: waiterCaller.function ? who(waiterCaller) : null,
      };
      const evidence: FindingDraft['evidence'] = [{ line: first.header.no, note: msg('evHeader', data) }];
      for (const h of g.hits.slice(1)) evidence.push({ line: h.header.no, note: msg('evLater') });
      if (sample) evidence.push({ line: sample.line, note: msg('evBacktrace', data) });
      if (spin) evidence.push({ line: spin.spinner.line, note: msg('evSpinner', data) });
      if (culprit?.line !== null && culprit?.line !== undefined) evidence.push({ line: culprit.line, note: msg('evTarget', data) });
      if (data.caller && waiterCaller.line !== null) evidence.push({ line: waiterCaller.line, note: msg('evWaiter', data) });
      if (unstuck) evidence.push({ line: unstuck.no, note: msg('evUnstuck', data) });
      const paras: L10n[] = [];
      if (target === null || waiter === null) {
        paras.push(msg('explainNoTargetCpu'));
      } else {
        paras.push(msg('explainCsd', data));
        if (culprit) paras.push(spin ? msg('explainSpin', data) : msg(ip && baseName(ip) === culprit.function ? 'explainTargetHere' : 'explainTarget', data));
        else paras.push(msg('explainNoTarget', data));
      }
      if (n > 1 && waiter !== null) paras.push(msg('explainRepeats', data));
      if (unstuck) paras.push(msg('explainUnstuck', data));
      const nextSteps: L10n[] = [];
      if (target !== null) nextSteps.push(msg('stepBtTarget', data));
      if (data.location) nextSteps.push(msg('stepDis', data));
      if (spin) nextSteps.push(msg('stepLockdep'));
      else if (culprit) nextSteps.push(msg('stepIrqOff', data));
      if (!sample) nextSteps.push(msg('stepNmi'));
      const indices = g.hits.map((h) => h.index).filter((x): x is number => x !== null);
      const requested = g.wait.func ? blameOfSite({ ...(parseSymbolOffset(g.wait.func) ?? { function: g.wait.func, offset: null, module: null }), line: first.header.no }, 'printed') : null;
      out.push({
        report: indices[0],
        alsoExplains: indices.slice(1),
        rootCauseClass: spin ? 'deadlock-aa' : 'other',
        confidence: culprit ? 0.65 : 0.45,
        summary: target === null ? msg('summaryNoTarget') : msg(!culprit ? 'summaryUnknown' : spin ? 'summarySpin' : 'summaryLoop', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: culprit ? culpritOfBlame(culprit) : null,
        nextSteps,
        facts: { waitingCpu: waiter !== null ? Number(waiter) : null, targetCpu: target, csdLock: g.wait.id, requestedFunction: requested?.function ?? null, waitedNs: lastNs, reports: n, unstuck: unstuck !== null, spinning: spin !== null, blameBasis: culprit?.basis ?? null },
      });
    }
    return out;
  },
};
