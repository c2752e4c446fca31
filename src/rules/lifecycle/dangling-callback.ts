// A callback dispatcher (timer, work, RCU, notifier...) faulted on an address in the modules area: an object of an unloaded module was still queued.

import { paragraphs } from '../reports';
import { LOCK_DOMAINS } from '../../knowledge/functions';
import { matchesAny, EXCEPTION_ENTRIES } from '../../knowledge/contexts';
import { machineOf, type MachineModel } from '../../machine';
import type { CallTrace, StackSegment } from '../../model/types';
import { releaseOf } from '../facts';
import { allStacks, baseName, framesOf } from '../stacks';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';
import { unloadedModuleAccess } from './unloaded-module-access';
import { isModulesArea, mechanismData, mechanismOfDispatcher, unloadEvidence, type Mechanism } from './unload';

const messages = {
  summary: { en: '{{fault}} faulted on {{address}} in the modules area: {{aMechanism}} of an unloaded module was still queued{{who}}', zh: '{{fault}} 访问模块区地址 {{address}} 出错：已卸载模块的{{aMechanism}}仍在队列中{{who}}' },
  whoModule: { en: ' ({{module}} was unloaded before)', zh: '（之前卸载了 {{module}}）' },
  explainFaultReg: { en: 'The faulting instruction is in {{fault}}, the kernel code that runs the {{mechanism}}s that drivers and modules register. {{register}} holds {{address}}, which lies in the kernel\'s module mapping area.', zh: '出错指令位于 {{fault}}，这是内核中负责运行驱动和模块所注册的{{mechanism}}的代码。{{register}} 的值为 {{address}}，位于内核模块映射区。' },
  explainFetch: { en: '{{fault}}, the kernel code that runs the {{mechanism}}s that drivers and modules register, called {{address}}, and fetching the instruction there faulted (crash cannot name the address): it lies in the kernel\'s module mapping area.', zh: '{{fault}} 是内核中负责运行驱动和模块所注册的{{mechanism}}的代码，它调用了 {{address}}，而在那里取指令时出错（crash 无法解析这个地址）：该地址位于内核模块映射区。' },
  explainFaultAddr: { en: 'The faulting instruction is in {{fault}}, the kernel code that runs the {{mechanism}}s that drivers and modules register. The fault address {{address}} lies in the kernel\'s module mapping area.', zh: '出错指令位于 {{fault}}，这是内核中负责运行驱动和模块所注册的{{mechanism}}的代码。出错地址 {{address}} 位于内核模块映射区。' },
  explainWhy: { en: 'Core kernel code that dereferences a module address while running callbacks was walking {{aMechanism}} (or calling a function) that lived in a module. When a module is unloaded without stopping it, the {{mechanism}} stays queued while its memory is unmapped: the next time it runs, it faults exactly like this.', zh: '内核核心代码在运行回调时访问模块地址，说明它正在处理一个位于模块内存中的{{aMechanism}}（或调用模块中的函数）。模块卸载时如果没有停止它，这个{{mechanism}}仍留在队列里而内存已被解除映射：下次运行时就会这样出错。' },
  explainDeadlock: { en: 'What followed is a self-deadlock on the same CPU: {{dispatcher}} holds the {{lock}} while it runs, the oops printk went to the console, and the console code called back into {{taker}}(), which spins on that same lock. With interrupts off, the NMI watchdog reported a Hard LOCKUP: that is the symptom, the fault is the cause.', zh: '随后发生的是同一 CPU 上的自死锁：{{dispatcher}} 运行期间持有 {{lock}}，oops 的 printk 输出到控制台，控制台代码又调用了 {{taker}}()，在同一把锁上自旋。由于中断已关闭，NMI watchdog 报告了 Hard LOCKUP：那只是症状，根因是这次异常。' },
  explainDeadlockNoWatchdog: { en: 'What followed is a self-deadlock on the same CPU: {{dispatcher}} holds the {{lock}} while it runs, and the oops path called back into {{taker}}(), which spins on that same lock. The CPU can only spin from there: any lockup reported later is the symptom, the fault is the cause.', zh: '随后发生的是同一 CPU 上的自死锁：{{dispatcher}} 运行期间持有 {{lock}}，而 oops 路径又调用了 {{taker}}()，在同一把锁上自旋。此后该 CPU 只能一直自旋：之后报告的任何 lockup 都只是症状，根因是这次异常。' },
  explainModule: { en: 'The module is gone, so its name is not on this stack, but the log names it: {{module}} ({{how}}). It is the prime suspect, though "last unloaded" is a hint rather than proof when several modules came and went: look for {{aMechanism}} it arms and does not stop with {{stoppedBy}} on unload.', zh: '模块已经不在了，所以调用栈里看不到它的名字，但日志给出了它：{{module}}（{{how}}）。它是头号嫌疑；不过如果先后有多个模块被加载和卸载，"last unloaded" 只是线索而不是证据：查它启动了哪个{{aMechanism}}、卸载时却没有用 {{stoppedBy}} 停止。' },
  explainNoModule: { en: 'The module is gone, so its name is not on this stack, and the log does not say which module was unloaded: the fix belongs in whichever module arms {{aMechanism}} and can be unloaded without {{stoppedBy}}.', zh: '模块已经不在了，所以调用栈里看不到它的名字，日志里也没有说明卸载了哪个模块：需要修的是那个启动了{{aMechanism}}、却能在没有 {{stoppedBy}} 的情况下被卸载的模块。' },
  howLast: { en: 'printed as last unloaded', zh: '日志显示为最后卸载的模块' },
  howCommand: { en: 'removed by the command in the log', zh: '日志中的命令卸载了它' },
  howWorkqueue: { en: 'the workqueue of the dead work item is named after it', zh: '失效工作项所在的工作队列以它命名' },
  evRip: { en: 'the fault interrupted {{fault}}, which runs {{mechanism}}s', zh: '异常发生在 {{fault}}，该函数负责运行{{mechanism}}' },
  evRegister: { en: '{{register}} = {{address}}: in the modules mapping area', zh: '{{register}} = {{address}}：位于模块映射区' },
  evUnreadable: { en: 'crash cannot read it in the dump ({{by}}): nothing is mapped there any more', zh: 'crash 在转储中也读不到它（{{by}}）：那里已经没有映射任何内存' },
  evFaultAddress: { en: 'fault address {{address}}: in the modules mapping area', zh: '出错地址 {{address}}：位于模块映射区' },
  evEntry: { en: 'the exception entry: a fault, not an interrupt', zh: '异常入口：这是一次缺页/保护异常，而不是中断' },
  evTaker: { en: '{{taker}}(): spins on the lock {{dispatcher}} already holds', zh: '{{taker}}()：在 {{dispatcher}} 已持有的锁上自旋' },
  evWatchdog: { en: 'the NMI watchdog fired later: the Hard LOCKUP is a symptom', zh: '随后 NMI watchdog 触发：Hard LOCKUP 只是症状' },
  evUnload: { en: '{{module}}: the module the log says was unloaded', zh: '{{module}}：日志显示被卸载的模块' },
  stepDis: { en: 'crash> dis -l {{fault}}     (which field of the {{mechanism}} was being read)', zh: 'crash> dis -l {{fault}}（确认正在读取{{mechanism}}的哪个字段）' },
  stepMod: { en: 'crash> mod     crash> sym {{address}}     (no loaded module should own {{address}})', zh: 'crash> mod     crash> sym {{address}}（应该没有任何已加载模块拥有 {{address}}）' },
  stepTimer: { en: 'crash> rd {{address}} 8     crash> timer     (the stale timer and the other pending ones)', zh: 'crash> rd {{address}} 8     crash> timer（残留的定时器以及其他待处理的定时器）' },
  stepRd: { en: 'crash> rd {{address}} 8     (the stale object)', zh: 'crash> rd {{address}} 8（残留的对象）' },
  stepLog: { en: 'crash> log | grep -iE "rmmod|modprobe -r|unload|insmod"     (which modules came and went before the crash)', zh: 'crash> log | grep -iE "rmmod|modprobe -r|unload|insmod"（崩溃前有哪些模块被加载和卸载）' },
  stepExit: { en: 'In {{module}}: every {{mechanism}} it arms must be stopped with {{stoppedBy}} on module exit and on every init failure path, and must not be re-armed afterwards.', zh: '在 {{module}} 中：它启动的每个{{mechanism}}都必须在模块退出以及每条初始化失败路径上用 {{stoppedBy}} 停止，并且之后不能再被重新启动。' },
  stepExitUnknown: { en: 'In the modules that were unloaded: every {{mechanism}} armed must be stopped with {{stoppedBy}} on module exit and on every init failure path, and must not be re-armed afterwards.', zh: '在被卸载过的模块中：每个启动过的{{mechanism}}都必须在模块退出以及每条初始化失败路径上用 {{stoppedBy}} 停止，并且之后不能再被重新启动。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Fault {
  /** The fault was the instruction fetch of the callback itself (crash: `[exception RIP: unknown or invalid address]`). */
  fetched?: boolean;
  trace: CallTrace;
  segment: StackSegment;
  dispatcherFn: string;
  offset: string;
  mechanism: Mechanism;
  entryLine: number | null;
  address: string;
  register: string | null;
  addressLine: number | null;
  report: number | null;
}

const HEX = /^[0-9a-f]{8,16}$/;

/** Faults whose interrupted RIP is inside a callback dispatcher (crash `[exception RIP: f+N]` after a fault entry, or the oops IP). */
function dispatcherFaults(ctx: RuleContext): Fault[] {
  const out: Fault[] = [];
  const a = ctx.analysis;
  for (const s of allStacks(a)) {
    const segs = s.trace.segments;
    segs.forEach((seg, i) => {
      if (!seg.exceptionRip) return;
      // crash cannot name where an instruction fetch faulted (`[exception RIP: unknown or invalid address]`): the
      // dispatcher is then the caller of the callback it jumped into, and RIP the callback's address.
      const fetched = /unknown or invalid address/.test(seg.exceptionRip);
      const caller = fetched ? seg.frames.find((f) => f.reliable && f.function !== null) : null;
      const fn = fetched ? (caller?.function ? baseName(caller.function) : '') : baseName(seg.exceptionRip.replace(/\+.*$/, ''));
      const mechanism = fn !== '' ? mechanismOfDispatcher(fn) : null;
      if (!mechanism) return;
      // The segment before (inner) must end in a fault entry: the exception was a fault, not an interrupt.
      const inner = segs[i - 1];
      const entry = inner?.frames[inner.frames.length - 1];
      if (!entry || !entry.function || !matchesAny(entry.function, EXCEPTION_ENTRIES)) return;
      const release = releaseOf(a, s.report !== null ? a.reports[s.report] : null);
      const regs = Object.entries(seg.registers ?? {}).filter(([reg]) => !fetched || reg === 'RIP' || reg === 'EIP' || reg === 'PC');
      for (const [reg, val] of regs) {
        if (!HEX.test(val) || !isModulesArea(val, release)) continue;
        const addrLine = seg.registerLines.find((no) => ctx.line(no)?.text.includes(val)) ?? null;
        const offset = fetched ? (caller?.offset !== null && caller?.offset !== undefined ? `+0x${caller.offset.toString(16)}` : '') : seg.exceptionRip.slice(seg.exceptionRip.indexOf('+') < 0 ? seg.exceptionRip.length : seg.exceptionRip.indexOf('+'));
        out.push({ fetched, trace: s.trace, segment: seg, dispatcherFn: fn, offset, mechanism, entryLine: entry.line, address: val, register: reg, addressLine: addrLine, report: s.report });
        return;
      }
    });
  }
  a.reports.forEach((r, i) => {
    const ip = r.registers?.ip;
    if (!ip || !ip.function) return;
    const mechanism = mechanismOfDispatcher(ip.function);
    if (!mechanism) return;
    const addr = r.fault.address;
    if (!addr || !isModulesArea(addr, releaseOf(a, r))) return;
    const trace = r.traces[0];
    if (!trace) return;
    const fromCr2 = addr === r.registers?.values.CR2 && r.fault.addressLine !== null && !/ at |address/.test(ctx.line(r.fault.addressLine)?.text ?? '');
    out.push({ trace, segment: trace.segments[0], dispatcherFn: baseName(ip.function), offset: ip.offset !== null ? `+0x${ip.offset.toString(16)}` : '', mechanism, entryLine: null, address: addr, register: fromCr2 ? 'CR2' : null, addressLine: r.fault.addressLine, report: i });
  });
  return out;
}

/** An address crash could not read within the page of `address` (the timer's own word, a field of the freed object). */
function unreadableNear(m: MachineModel, address: string): MachineModel['unreadable'][number] | null {
  const page = (a: string): bigint | null => (/^[0-9a-f]{1,16}$/i.test(a) ? BigInt(`0x${a}`) >> 12n : null);
  const p = page(address);
  return p === null ? null : m.unreadable.find((u) => page(u.address) === p) ?? null;
}

export const danglingCallback: Rule = {
  meta: {
    id: 'KT-dangling-callback-after-unload',
    rootCauseClass: 'dangling-callback-after-unload',
    summary: {
      en: 'A timer/work/RCU/notifier dispatcher faulted on an address in the modules area: a callback left behind by an unloaded module',
      zh: '定时器/工作队列/RCU/通知链的分发函数访问模块区地址出错：已卸载模块遗留的回调',
    },
    docs: {
      en: `Looks for a fault (page fault, general protection) whose interrupted instruction is inside a
function that runs callbacks registered by other code (run_timer_softirq/__run_timers/call_timer_fn,
__hrtimer_run_queues, process_one_work, rcu_do_batch, tasklet_action, notifier_call_chain,
handle_irq_event) while a register or the fault address points into the modules mapping
area (ffffffffa0000000.. on kernels without KASLR, ffffffffc0000000.. with it). The dispatcher
was following a pointer into module memory (the timer_list, work_struct or function) that
is no longer mapped: the module that owned the callback was unloaded (or its init failed)
without stopping it. The mechanism is the dispatcher's; the module is the one the log says
went away (an rmmod command, "[last unloaded: M]"), a hint rather than proof. (A jump into the
freed code itself, or core code reading a module's registered object, is KT-unloaded-module-access.)
Related damage: the oops printk may itself deadlock (e.g. the console's cursor timer takes
the timer base lock that run_timer_softirq holds), turning the fault into a Hard LOCKUP.
What to do: find which module had a timer/work/callback at that address (crash "mod",
"timer", "sym", and the modules loaded and unloaded before the crash), and make its exit
and error paths stop it synchronously (del_timer_sync()/timer_shutdown_sync(),
cancel_work_sync(), rcu_barrier(), tasklet_kill(), unregister the notifier, free_irq()),
and make sure nothing re-arms it after that.`,
      zh: `匹配这样的异常（缺页、通用保护错误）：被中断的指令位于运行其他代码所注册回调的分发函数内
（run_timer_softirq/__run_timers/call_timer_fn、__hrtimer_run_queues、process_one_work、rcu_do_batch、
tasklet_action、notifier_call_chain、handle_irq_event），同时某个寄存器或出错地址指向模块映射区
（未开 KASLR 时为 ffffffffa0000000 起，开启时为 ffffffffc0000000 起）。分发函数顺着指针访问了已经
不存在的模块内存（timer_list、work_struct 或回调函数本身）：拥有该回调的模块已被卸载（或初始化
失败）却没有停止它。回调机制由分发函数决定；模块取日志中说明被卸载的那个（rmmod 命令、
"[last unloaded: M]"），这只是线索而不是证据。（直接跳进已释放的模块代码，或核心代码读取模块注册的
对象，由 KT-unloaded-module-access 处理。）
连带问题：oops 的 printk 本身可能死锁（例如控制台光标定时器要获取 run_timer_softirq 已持有的
timer base 锁），于是异常最终表现为 Hard LOCKUP。
处理办法：查清是哪个模块在该地址上有定时器/工作项/回调（crash 的 mod、timer、sym 命令，以及崩溃前
加载和卸载过的模块），在它的退出路径和错误路径上同步停止（del_timer_sync()/timer_shutdown_sync()、
cancel_work_sync()、rcu_barrier()、tasklet_kill()、注销通知链、free_irq()），并确保之后不会再被重新
激活。`,
    },
    references: ['Documentation/core-api/timers (del_timer_sync)', 'kernel/time/timer.c: call_timer_fn()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    // One finding per report: a report the unloaded-module rule explains is its.
    const covered = new Set(unloadedModuleAccess.check(ctx).map((d) => d.report).filter((x): x is number => x !== undefined));
    const seen = new Set<CallTrace>();
    for (const f of dispatcherFaults(ctx)) {
      if ((f.report !== null && covered.has(f.report)) || seen.has(f.trace)) continue;
      seen.add(f.trace);
      const frames = framesOf(f.trace);
      const domain = LOCK_DOMAINS.find((d) => d.holders.test(f.dispatcherFn) && frames.some((fr) => fr.function !== null && d.takers.test(fr.function)));
      const takerFrame = domain ? frames.find((fr) => fr.function !== null && domain.takers.test(fr.function)) ?? null : null;
      const watchdog = frames.find((fr) => fr.function !== null && baseName(fr.function) === 'watchdog_overflow_callback');
      const r = f.report !== null ? ctx.analysis.reports[f.report] : null;
      const unload = unloadEvidence(ctx, r);
      const mech = mechanismData(f.mechanism);
      const address = f.address;
      const data = {
        ...mech, fault: `${f.dispatcherFn}${f.offset}`, address, register: f.register, module: unload?.module ?? null, lock: domain?.lock ?? null,
        taker: takerFrame?.function ? baseName(takerFrame.function) : null,
        who: unload ? msg('whoModule', { module: unload.module }) : null,
        how: msg(unload?.how === 'last' ? 'howLast' : unload?.how === 'workqueue' ? 'howWorkqueue' : 'howCommand'),
      };
      const evidence: FindingDraft['evidence'] = [];
      const ripLine = f.segment.registerLines[0] ?? r?.registers?.ip?.line;
      if (ripLine !== undefined) evidence.push({ line: ripLine, note: msg('evRip', data) });
      if (f.addressLine !== null) evidence.push({ line: f.addressLine, note: msg(f.register ? 'evRegister' : 'evFaultAddress', data) });
      if (f.entryLine !== null) evidence.push({ line: f.entryLine, note: msg('evEntry') });
      if (takerFrame) evidence.push({ line: takerFrame.line, note: msg('evTaker', data) });
      if (watchdog) evidence.push({ line: watchdog.line, note: msg('evWatchdog') });
      if (unload) evidence.push({ line: unload.line, note: msg('evUnload', data) });
      // crash read the dump and could not read the address either: the module's memory is gone.
      const gone = f.address ? unreadableNear(machineOf(ctx.analysis), f.address) : null;
      if (gone) evidence.push({ line: gone.lines[0], note: msg('evUnreadable', { ...data, by: gone.by.join(', ') }) });
      const paras: L10n[] = [msg(f.fetched ? 'explainFetch' : f.register ? 'explainFaultReg' : 'explainFaultAddr', data), msg('explainWhy', data)];
      if (domain && takerFrame) paras.push(msg(watchdog ? 'explainDeadlock' : 'explainDeadlockNoWatchdog', data));
      paras.push(unload ? msg('explainModule', data) : msg('explainNoModule', data));
      const nextSteps: L10n[] = [msg('stepDis', data), msg('stepMod', data), msg(f.mechanism.mechanism === 'timer' ? 'stepTimer' : 'stepRd', data)];
      if (!unload || unload.how === 'last') nextSteps.push(msg('stepLog'));
      nextSteps.push(unload ? msg('stepExit', data) : msg('stepExitUnknown', data));
      out.push({
        report: f.report ?? undefined,
        confidence: 0.86,
        secondaryClasses: domain && takerFrame ? ['deadlock-aa'] : [],
        summary: msg('summary', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: unload ? { function: null, module: unload.module } : null,
        nextSteps,
        facts: { lastUnloaded: unload?.how === 'last' ? unload.module : null, unloadedModule: unload?.module ?? null, unloadEvidence: unload?.how ?? null, faultingFunction: f.dispatcherFn, faultingOffset: f.offset, faultAddress: f.address, addressRegion: 'modules', crashCannotRead: gone !== null, callbackKind: f.mechanism.mechanism, register: f.register, selfDeadlockLock: domain && takerFrame ? domain.lock : null },
      });
    }
    return out;
  },
};
