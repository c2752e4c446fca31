// An impossible preempt count plus a wild access reading thread_info: the kernel stack overflowed into thread_info.

import { decodePreempt } from '../../decode';
import { THREAD_INFO_READERS } from '../../knowledge/functions';
import { baseName, dominantModule, framesOf } from '../stacks';
import { addressClass, eraOf, releaseOf, scheduleBugs, decodingRelease } from '../facts';
import { messenger } from '../messages';
import { faultAddressOf, paragraphs } from '../reports';
import type { FindingDraft, L10n, Rule } from '../types';

const messages = {
  summary: { en: 'Kernel stack overflow: preempt count {{count}} is impossible, so thread_info was overwritten', zh: '内核栈溢出：preempt count {{count}} 不可能出现，thread_info 已被覆盖' },
  summaryChain: { en: 'Kernel stack overflow: preempt count {{count}} is impossible, so thread_info was overwritten; the deep {{module}} call chain consumed the stack', zh: '内核栈溢出：preempt count {{count}} 不可能出现，thread_info 已被覆盖；{{module}} 的深调用链耗尽了内核栈' },
  whyCount: { en: '"scheduling while atomic" printed preempt count {{count}}. No real nesting of preempt, softirq, hardirq and NMI sections produces it ({{problems}}): the count is not a count any more, it is stack data written over thread_info.', zh: '"scheduling while atomic" 打印的 preempt count 为 {{count}}。任何真实的 preempt、softirq、hardirq、NMI 嵌套都不会产生这个值（{{problems}}）：它已经不是计数，而是覆盖在 thread_info 上的栈数据。' },
  whyEra: { en: 'The log dates the kernel to {{era}}: on x86_64 of that era thread_info lives at the bottom of the 8 KiB kernel stack, so a stack that grows too deep overwrites it before anything else.', zh: '从日志判断内核属于 {{era}}：这个年代的 x86_64 内核中，thread_info 位于 8 KiB 内核栈的底部，栈过深时最先被覆盖的就是它。' },
  whyNoEra: { en: 'On x86_64 kernels before 4.9 thread_info lives at the bottom of the kernel stack, so a stack that grows too deep overwrites it first.', zh: '4.9 之前的 x86_64 内核中 thread_info 位于内核栈底部，栈过深时最先被覆盖。' },
  whyWildUser: { en: 'Scheduler code then used the corrupted thread_info: {{fn}} reads task_thread_info(p)->cpu and dereferenced {{address}}, a user-space address that no kernel pointer should hold. That fault is a victim of the corruption, not its cause.', zh: '随后调度器代码使用了被破坏的 thread_info：{{fn}} 读取 task_thread_info(p)->cpu，访问了 {{address}}，这是一个任何内核指针都不该持有的用户态地址。这次出错是破坏的受害者，而不是原因。' },
  whyWild: { en: 'Scheduler code then used the corrupted thread_info: {{fn}} reads task_thread_info(p)->cpu and dereferenced {{address}}, an address no kernel pointer should hold. That fault is a victim of the corruption, not its cause.', zh: '随后调度器代码使用了被破坏的 thread_info：{{fn}} 读取 task_thread_info(p)->cpu，访问了 {{address}}，这是一个任何内核指针都不该持有的地址。这次出错是破坏的受害者，而不是原因。' },
  whyChain: { en: 'The stack consumer is the deep {{module}} chain ({{chain}}...).', zh: '消耗栈空间的是 {{module}} 的深调用链（{{chain}}...）。' },
  evCount: { en: 'preempt count {{count}} is impossible: {{problems}}', zh: 'preempt count {{count}} 不可能出现：{{problems}}' },
  evWildAddress: { en: 'a kernel access to {{address}} ({{region}})', zh: '内核访问了 {{address}}（{{region}}）' },
  evWildReader: { en: '{{fn}} reads task_thread_info(p)->cpu / ->flags', zh: '{{fn}} 读取 task_thread_info(p)->cpu / ->flags' },
  evChain: { en: '{{count}} frames of {{module}} on the stack: the deep chain that consumed it', zh: '栈上有 {{count}} 个 {{module}} 的帧：消耗栈空间的深调用链' },
  evEra: { en: 'dates the kernel: {{era}}, thread_info at the bottom of an 8 KiB stack', zh: '据此判断内核年代：{{era}}，thread_info 位于 8 KiB 内核栈底部' },
  stepBt: { en: 'crash> bt -f     (stack usage per frame: where the stack went)', zh: 'crash> bt -f（逐帧的栈用量：栈空间用在了哪里）' },
  stepStruct: { en: 'crash> struct thread_info <stack base>     (the overwritten fields: preempt_count, cpu, flags)', zh: 'crash> struct thread_info <栈底地址>（查看被覆盖的字段：preempt_count、cpu、flags）' },
  stepUpgrade: { en: 'Check the known issues for this kernel and upgrade to one with 16 KiB stacks; meanwhile reduce stack depth (no stacked block devices over XFS, no heavy work in I/O completion).', zh: '查对应内核的已知问题，升级到 16 KiB 内核栈的内核；在此之前减少栈深度（XFS 下不要叠加多层块设备，不要在 I/O 完成路径中做重活）。' },
  stepTracer: { en: 'On a test machine, CONFIG_DEBUG_STACK_USAGE or CONFIG_STACK_TRACER (echo 1 > /proc/sys/kernel/stack_tracer_enabled; cat /sys/kernel/debug/tracing/stack_trace) shows the deepest stack.', zh: '在测试机上打开 CONFIG_DEBUG_STACK_USAGE 或 CONFIG_STACK_TRACER（echo 1 > /proc/sys/kernel/stack_tracer_enabled; cat /sys/kernel/debug/tracing/stack_trace）可以看到最深的栈。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const threadInfoOverwritten: Rule = {
  meta: {
    id: 'KT-thread-info-overwritten',
    rootCauseClass: 'stack-overflow',
    summary: {
      en: 'An impossible preempt count (and wild accesses through thread_info): the kernel stack overflowed into thread_info',
      zh: '不可能出现的 preempt count（以及经 thread_info 的野指针访问）：内核栈溢出覆盖了 thread_info',
    },
    docs: {
      en: `On kernels where struct thread_info sits at the bottom of the kernel stack (x86_64 before 4.9;
8 KiB stacks before 3.15), a stack that grows too deep overwrites thread_info first: its
preempt_count, flags and cpu fields become stack data. The signs are a preempt count no
nesting of preempt/softirq/hardirq/NMI sections can produce (e.g. 0xffff8811: bits set where
no field lives, depths in the thousands) and then faults in scheduler code that reads
thread_info of a task (task_rq_lock -> task_cpu(p), try_to_wake_up) on an address that is not
a kernel address. The function that faults is a victim; the stack consumer is the deep call
chain on the stack, often filesystem and block I/O completion paths (XFS on RHEL 6).
What to do: find the deep chain (crash "bt -f", stack usage per frame), check the known
issues for the kernel, and prefer a kernel with 16 KiB stacks (x86_64 since 3.15/3.16; RHEL 6
since 2.6.32-520.el6) or with thread_info moved off the stack (4.9, THREAD_INFO_IN_TASK) and
VMAP_STACK guard pages (4.9+) that catch the overflow where it happens.`,
      zh: `在 thread_info 位于内核栈底部的内核上（4.9 之前的 x86_64；3.15 之前栈只有 8 KiB），栈一旦过深就会
先覆盖 thread_info：其中的 preempt_count、flags、cpu 字段变成了栈上的数据。表现是出现任何
preempt/softirq/hardirq/NMI 嵌套都不可能产生的 preempt count（如 0xffff8811：在没有字段的位上置位，
深度达到数千），随后调度器中读取任务 thread_info 的代码（task_rq_lock -> task_cpu(p)、
try_to_wake_up）访问了一个非内核地址而出错。出错的函数只是受害者；真正消耗栈的是栈上很深的调用链，
常见于文件系统和块设备 I/O 完成路径（RHEL 6 上的 XFS）。
处理办法：找出这条深调用链（crash 的 bt -f，逐帧的栈用量），查对应内核的已知问题，优先换用 16 KiB
内核栈的内核（x86_64 自 3.15/3.16 起；RHEL 6 自 2.6.32-520.el6 起），或 thread_info 已移出内核栈
（4.9，THREAD_INFO_IN_TASK）并带 VMAP_STACK 保护页（4.9 起）的内核，后者能在溢出发生处直接抓到。`,
    },
    references: ['arch/x86/include/asm/thread_info.h', 'upstream 6538b8e (3.16): x86_64: expand kernel stack to 16K', 'upstream c65eacb (4.9): sched/core: Allow putting thread_info into task_struct'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const a = ctx.analysis;
    for (const bug of scheduleBugs(ctx)) {
      const release = releaseOf(a, bug.report);
      const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      if (pc.plausible || pc.underflow) continue;
      const era = release ? null : eraOf(ctx);
      const problems = { en: pc.problems.map((p) => p.en).join('; '), zh: pc.problems.map((p) => p.zh).join('；') };
      const evidence: FindingDraft['evidence'] = [{ line: bug.header.no, note: msg('evCount', { count: bug.raw, problems }) }];
      // A wild access in a thread_info reader, in the same or a following report (the fault address only where the report is a page fault).
      let wild: { fn: string; addr: string; region: string } | null = null;
      for (const r of a.reports) {
        const ip = r.registers?.ip;
        const fault = faultAddressOf(ctx, r);
        if (!ip?.function || !fault || fault.line === null || !THREAD_INFO_READERS.some((p) => p.test(baseName(ip.function as string)))) continue;
        const cls = addressClass(fault.value, releaseOf(a, r));
        wild = { fn: `${ip.function}${ip.offset !== null ? `+0x${ip.offset.toString(16)}` : ''}`, addr: fault.value, region: cls.region };
        evidence.push({ line: fault.line, note: msg('evWildAddress', { address: fault.value, region: cls.label }) });
        evidence.push({ line: ip.line, note: msg('evWildReader', { fn: wild.fn }) });
        break;
      }
      const frames = a.reports.flatMap((r) => r.traces.flatMap(framesOf));
      const consumer = dominantModule(frames);
      let chain: string | null = null;
      if (consumer) {
        const mf = frames.filter((f) => f.module === consumer.module);
        evidence.push({ line: mf[mf.length - 1].line, note: msg('evChain', { count: consumer.count, module: consumer.module }) });
        chain = mf
          .map((f) => f.function)
          .reverse()
          .filter((fn, i, all) => i === 0 || fn !== all[i - 1])
          .slice(0, 8)
          .join(' -> ');
      }
      if (era) evidence.push({ line: era.line, note: msg('evEra', { era: era.label }) });
      out.push({
        report: bug.index,
        confidence: wild ? 0.88 : 0.72,
        summary: consumer ? msg('summaryChain', { count: bug.raw, module: consumer.module }) : msg('summary', { count: bug.raw }),
        explanation: paragraphs([
          msg('whyCount', { count: bug.raw, problems }),
          era ? msg('whyEra', { era: era.label }) : msg('whyNoEra'),
          wild ? msg(wild.region === 'user' ? 'whyWildUser' : 'whyWild', { fn: wild.fn, address: wild.addr }) : null,
          consumer ? msg('whyChain', { module: consumer.module, chain }) : null,
        ]),
        evidence,
        culprit: consumer ? { function: null, module: consumer.module } : null,
        nextSteps: [msg('stepBt'), msg('stepStruct'), msg('stepUpgrade'), msg('stepTracer')],
        facts: { preemptCount: bug.raw, preempt: pc, plausible: false, wildAccess: wild, stackConsumer: consumer?.module ?? null, era: era?.label.en ?? null },
      });
    }
    return out;
  },
};
