// A callback dispatcher (timer, work, RCU, notifier...) faulted on an address in the modules area: a callback of an unloaded module.

import { CALLBACK_DISPATCHERS, LOCK_DOMAINS } from '../../knowledge/functions';
import { matchesAny } from '../../knowledge/contexts';
import { EXCEPTION_ENTRIES } from '../../knowledge/contexts';
import type { CallTrace, StackSegment } from '../../model/types';
import { addressClass, releaseOf } from '../facts';
import { allStacks, baseName, framesOf } from '../stacks';
import type { FindingDraft, Rule, RuleContext } from '../types';

interface Fault {
  trace: CallTrace;
  segment: StackSegment;
  dispatcherFn: string;
  offset: string;
  kind: (typeof CALLBACK_DISPATCHERS)[number];
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
      const fn = baseName(seg.exceptionRip.replace(/\+.*$/, ''));
      const kind = CALLBACK_DISPATCHERS.find((d) => d.fn.test(fn));
      if (!kind) return;
      // The segment before (inner) must end in a fault entry: the exception was a fault, not an interrupt.
      const inner = segs[i - 1];
      const entry = inner?.frames[inner.frames.length - 1];
      if (!entry || !entry.function || !matchesAny(entry.function, EXCEPTION_ENTRIES)) return;
      const release = releaseOf(a, s.report !== null ? a.reports[s.report] : null);
      for (const [reg, val] of Object.entries(seg.registers ?? {})) {
        if (!HEX.test(val) || addressClass(val, release).region !== 'modules') continue;
        const addrLine = seg.registerLines.find((no) => ctx.line(no)?.text.includes(val)) ?? null;
        out.push({ trace: s.trace, segment: seg, dispatcherFn: fn, offset: seg.exceptionRip.slice(fn.length), kind, entryLine: entry.line, address: val, register: reg, addressLine: addrLine, report: s.report });
        return;
      }
    });
  }
  a.reports.forEach((r, i) => {
    const ip = r.registers?.ip;
    if (!ip || !ip.function) return;
    const kind = CALLBACK_DISPATCHERS.find((d) => d.fn.test(baseName(ip.function as string)));
    if (!kind) return;
    const addr = r.fault.address;
    if (!addr || addressClass(addr, releaseOf(a, r)).region !== 'modules') return;
    const trace = r.traces[0];
    if (!trace) return;
    const fromCr2 = addr === r.registers?.values.CR2 && r.fault.addressLine !== null && !/ at |address/.test(ctx.line(r.fault.addressLine)?.text ?? '');
    out.push({ trace, segment: trace.segments[0], dispatcherFn: ip.function, offset: ip.offset !== null ? `+0x${ip.offset.toString(16)}` : '', kind, entryLine: null, address: addr, register: fromCr2 ? 'CR2' : null, addressLine: r.fault.addressLine, report: i });
  });
  return out;
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
function that runs callbacks registered by other code (run_timer_softirq/call_timer_fn,
__hrtimer_run_queues, process_one_work, rcu_do_batch, tasklet_action, notifier_call_chain,
handle_irq_event) while a register or the fault address points into the modules mapping
area (ffffffffa0000000.. on kernels without KASLR, ffffffffc0000000.. with it). The dispatcher
was following a pointer into module memory (the timer_list, work_struct or function) that
is no longer mapped: the module that owned the callback was unloaded (or its init failed)
without cancelling it.
Related damage: the oops printk may itself deadlock (e.g. the console's cursor timer takes
the timer base lock that run_timer_softirq holds), turning the fault into a Hard LOCKUP.
What to do: find which module had a timer/work/callback at that address (crash "mod",
"timer", "sym", and the modules loaded and unloaded before the crash), and make its exit
and error paths cancel it synchronously (del_timer_sync()/timer_shutdown_sync(),
cancel_work_sync(), rcu_barrier(), tasklet_kill(), unregister the notifier, free_irq()),
and make sure nothing re-arms it after that.`,
      zh: `匹配这样的异常（缺页、通用保护错误）：被中断的指令位于运行其他代码所注册回调的分发函数内
（run_timer_softirq/call_timer_fn、__hrtimer_run_queues、process_one_work、rcu_do_batch、
tasklet_action、notifier_call_chain、handle_irq_event），同时某个寄存器或出错地址指向模块映射区
（未开 KASLR 时为 ffffffffa0000000 起，开启时为 ffffffffc0000000 起）。分发函数顺着指针访问了已经
不存在的模块内存（timer_list、work_struct 或回调函数本身）：拥有该回调的模块已被卸载（或初始化
失败）却没有取消它。
连带问题：oops 的 printk 本身可能死锁（例如控制台光标定时器要获取 run_timer_softirq 已持有的
timer base 锁），于是异常最终表现为 Hard LOCKUP。
处理办法：查清是哪个模块在该地址上有定时器/工作项/回调（crash 的 mod、timer、sym 命令，以及崩溃前
加载和卸载过的模块），在它的退出路径和错误路径上同步取消（del_timer_sync()/timer_shutdown_sync()、
cancel_work_sync()、rcu_barrier()、tasklet_kill()、注销通知链、free_irq()），并确保之后不会再被重新
激活。`,
    },
    references: ['Documentation/core-api/timers (del_timer_sync)', 'kernel/time/timer.c: call_timer_fn()'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const f of dispatcherFaults(ctx)) {
      const frames = framesOf(f.trace);
      const spinner = LOCK_DOMAINS.find((d) => d.holders.test(f.dispatcherFn) && frames.some((fr) => fr.function !== null && d.takers.test(fr.function)));
      const watchdog = frames.find((fr) => fr.function === 'watchdog_overflow_callback');
      const evidence: FindingDraft['evidence'] = [];
      const ripLine = f.segment.registerLines[0];
      if (ripLine !== undefined) evidence.push({ line: ripLine, note: { en: `the fault interrupted ${f.dispatcherFn}${f.offset}, which runs ${f.kind.kind} callbacks`, zh: `异常发生在 ${f.dispatcherFn}${f.offset}，该函数负责运行${kindZh(f.kind.kind)}回调` } });
      if (f.addressLine !== null) evidence.push({ line: f.addressLine, note: { en: `${f.register ?? 'fault address'} = ${f.address}: in the modules mapping area`, zh: `${f.register ?? '出错地址'} = ${f.address}：位于模块映射区` } });
      if (f.entryLine !== null) evidence.push({ line: f.entryLine, note: { en: 'the exception entry: a fault, not an interrupt', zh: '异常入口：这是一次缺页/保护异常，而不是中断' } });
      if (watchdog) evidence.push({ line: watchdog.line, note: { en: 'the NMI watchdog fired later: the Hard LOCKUP is a symptom', zh: '随后 NMI watchdog 触发：Hard LOCKUP 只是症状' } });
      const kindWord = f.kind.kind;
      // The module printed as last unloaded is the prime suspect: its memory is what was unmapped.
      const reports = ctx.analysis.reports;
      const owner = (f.report !== null ? reports[f.report] : null) ?? reports.find((r) => r.lastUnloaded) ?? null;
      const lastUnloaded = owner?.lastUnloaded ?? reports.find((r) => r.lastUnloaded)?.lastUnloaded ?? null;
      if (lastUnloaded) {
        const ml = ctx.findLines(/\[last unloaded: /, 1)[0];
        if (ml) evidence.push({ line: ml.no, note: { en: `${lastUnloaded} was the last module unloaded before the crash`, zh: `${lastUnloaded} 是崩溃前最后卸载的模块` } });
      }
      out.push({
        report: f.report ?? undefined,
        confidence: 0.86,
        secondaryClasses: spinner ? ['deadlock-aa'] : [],
        summary: {
          en: `${f.dispatcherFn}${f.offset} faulted on ${f.address} in the modules area: a ${kindWord} callback of an unloaded module was still queued`,
          zh: `${f.dispatcherFn}${f.offset} 访问模块区地址 ${f.address} 出错：已卸载模块的${kindZh(kindWord)}回调仍在队列中`,
        },
        explanation: {
          en: [
            `The faulting instruction is in ${f.dispatcherFn}${f.offset}, the kernel code that runs ${kindWord} callbacks registered by drivers and modules. ${f.register ?? 'The fault address'} holds ${f.address}, which lies in the kernel's module mapping area.`,
            `Core kernel code dereferencing a module address while running callbacks means it was walking a ${kindWord} object (or calling a function) that lived in a module. When the module is unloaded without cancelling it, the ${kindWord} stays queued and its memory is unmapped: the next expiry faults exactly like this.`,
            spinner
              ? `What followed is a self-deadlock on the same CPU: ${f.dispatcherFn} holds the ${spinner.lock} while it runs, the oops printk went to the console, and the console code called back into ${frames.find((fr) => fr.function !== null && spinner.takers.test(fr.function))?.function}(), which spins on that same lock. With interrupts off, the NMI watchdog reported a Hard LOCKUP: that is the symptom, the fault is the cause.`
              : '',
            lastUnloaded
              ? `The module is gone, so its name is not in this stack, but the log names the last module unloaded: ${lastUnloaded}. It is the prime suspect: look for a ${kindWord} it arms and does not cancel with ${f.kind.release} on unload.`
              : `The module is gone, so its name is not in this stack: the fix belongs in whichever module armed a ${kindWord} and can be unloaded without ${f.kind.release}.`,
          ].filter(Boolean).join('\n\n'),
          zh: [
            `出错指令位于 ${f.dispatcherFn}${f.offset}，这是内核中负责运行驱动和模块注册的${kindZh(kindWord)}回调的代码。${f.register ?? '出错地址'} 的值为 ${f.address}，位于内核模块映射区。`,
            `内核核心代码在运行回调时访问模块地址，说明它正在处理一个位于模块内存中的${kindZh(kindWord)}对象（或调用模块中的函数）。模块卸载时如果没有取消它，这个${kindZh(kindWord)}仍留在队列里而内存已被解除映射：下一次到期时就会这样出错。`,
            spinner
              ? `随后发生的是同一 CPU 上的自死锁：${f.dispatcherFn} 运行期间持有 ${spinner.lock}，oops 的 printk 输出到控制台，控制台代码又调用了 ${frames.find((fr) => fr.function !== null && spinner.takers.test(fr.function))?.function}()，在同一把锁上自旋。由于中断已关闭，NMI watchdog 报告了 Hard LOCKUP：那只是症状，根因是这次异常。`
              : '',
            lastUnloaded
              ? `模块已经不在了，所以调用栈里看不到它的名字，但日志给出了最后卸载的模块：${lastUnloaded}。它是头号嫌疑：查它启动了哪个${kindZh(kindWord)}、卸载时却没有用 ${f.kind.release} 取消。`
              : `模块已经不在了，所以调用栈里看不到它的名字：需要修的是那个注册了${kindZh(kindWord)}、却能在没有 ${f.kind.release} 的情况下被卸载的模块。`,
          ].filter(Boolean).join('\n\n'),
        },
        evidence,
        culprit: { function: null, module: lastUnloaded },
        nextSteps: [
          { en: `crash> dis -l ${f.dispatcherFn}${f.offset.replace(/^\+/, '+')}     (which field of the ${kindWord} was being read)`, zh: `crash> dis -l ${f.dispatcherFn}${f.offset}（确认正在读取${kindZh(kindWord)}的哪个字段）` },
          { en: `crash> mod     crash> sym ${f.address}     (no loaded module should own ${f.address})`, zh: `crash> mod     crash> sym ${f.address}（应该没有任何已加载模块拥有 ${f.address}）` },
          { en: `crash> rd ${f.address} 8     crash> timer     (the stale object and the other pending ${kindWord}s)`, zh: `crash> rd ${f.address} 8     crash> timer（查看残留对象和其他待处理的${kindZh(kindWord)}）` },
          { en: 'crash> log | grep -iE "unload|rmmod|insmod|init failed"     (which modules came and went before the crash)', zh: 'crash> log | grep -iE "unload|rmmod|insmod|init failed"（崩溃前有哪些模块被加载和卸载）' },
          { en: `In the candidate modules: every ${kindWord} armed must be cancelled with ${f.kind.release} on module exit and on every init failure path, and must not be re-armed afterwards.`, zh: `在嫌疑模块中：每个启动过的${kindZh(kindWord)}都必须在模块退出以及每条初始化失败路径上用 ${f.kind.release} 取消，并且之后不能再被重新启动。` },
        ],
        facts: { lastUnloaded, faultingFunction: f.dispatcherFn, faultingOffset: f.offset, faultAddress: f.address, addressRegion: 'modules', callbackKind: kindWord, register: f.register, selfDeadlockLock: spinner ? spinner.lock : null },
      });
    }
    return out;
  },
};

function kindZh(kind: string): string {
  const words: Record<string, string> = { timer: '定时器', hrtimer: '高精度定时器', work: '工作项', rcu: 'RCU ', tasklet: 'tasklet ', notifier: '通知链', irq: '中断处理', kthread: '内核线程' };
  return words[kind] ?? kind;
}
