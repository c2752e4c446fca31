// An impossible preempt count plus a wild access reading thread_info: the kernel stack overflowed into thread_info.

import { decodePreempt } from '../../decode';
import { THREAD_INFO_READERS } from '../../knowledge/functions';
import { baseName, dominantModule, framesOf } from '../stacks';
import { addressClass, eraOf, releaseOf, scheduleBugs, decodingRelease } from '../facts';
import type { FindingDraft, Rule } from '../types';

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
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const a = ctx.analysis;
    for (const bug of scheduleBugs(ctx)) {
      const release = releaseOf(a, bug.report);
      const pc = decodePreempt(bug.value, { release: decodingRelease(ctx, bug.report), source: 'schedule-bug' });
      if (pc.plausible || pc.underflow) continue;
      const era = release ? null : eraOf(ctx);
      const evidence: FindingDraft['evidence'] = [
        { line: bug.header.no, note: { en: `preempt count ${bug.raw} is impossible: ${pc.problems.map((p) => p.en).join('; ')}`, zh: `preempt count ${bug.raw} 不可能出现：${pc.problems.map((p) => p.zh).join('；')}` } },
      ];
      // A wild access in a thread_info reader, in the same or a following report.
      let wild: { fn: string; addr: string; region: string } | null = null;
      for (const r of a.reports) {
        const ip = r.registers?.ip;
        const addr = r.fault.address;
        if (!ip?.function || !addr || r.fault.addressLine === null || !THREAD_INFO_READERS.some((p) => p.test(baseName(ip.function as string)))) continue;
        const cls = addressClass(addr, releaseOf(a, r));
        wild = { fn: `${ip.function}${ip.offset !== null ? `+0x${ip.offset.toString(16)}` : ''}`, addr, region: cls.region };
        evidence.push({ line: r.fault.addressLine, note: { en: `a kernel access to ${addr} (${cls.label.en})`, zh: `内核访问了 ${addr}（${cls.label.zh}）` } });
        evidence.push({ line: ip.line, note: { en: `${wild.fn} reads task_thread_info(p)->cpu / ->flags`, zh: `${wild.fn} 读取 task_thread_info(p)->cpu / ->flags` } });
        break;
      }
      const frames = a.reports.flatMap((r) => r.traces.flatMap(framesOf));
      const consumer = dominantModule(frames);
      if (consumer) {
        const mf = frames.filter((f) => f.module === consumer.module);
        const deepest = mf[mf.length - 1];
        evidence.push({ line: deepest.line, note: { en: `${consumer.count} frames of ${consumer.module} on the stack: the deep chain that consumed it`, zh: `栈上有 ${consumer.count} 个 ${consumer.module} 的帧：消耗栈空间的深调用链` } });
      }
      if (era) evidence.push({ line: era.line, note: { en: `dates the kernel: ${era.label.en}, thread_info at the bottom of an 8 KiB stack`, zh: `据此判断内核年代：${era.label.zh}，thread_info 位于 8 KiB 内核栈底部` } });
      const chain = consumer
        ? frames
            .filter((f) => f.module === consumer.module)
            .map((f) => f.function)
            .reverse()
            .filter((fn, i, all) => i === 0 || fn !== all[i - 1])
            .slice(0, 8)
            .join(' -> ')
        : null;
      const stackWords = era ? '8 KiB' : 'the';
      out.push({
        report: bug.index,
        confidence: wild ? 0.88 : 0.72,
        summary: {
          en: `Kernel stack overflow: preempt count ${bug.raw} is impossible, thread_info was overwritten${consumer ? `; the deep ${consumer.module} call chain consumed the stack` : ''}`,
          zh: `内核栈溢出：preempt count ${bug.raw} 不可能出现，thread_info 已被覆盖${consumer ? `；${consumer.module} 的深调用链耗尽了内核栈` : ''}`,
        },
        explanation: {
          en: [
            `"scheduling while atomic" printed preempt count ${bug.raw}. No real nesting of preempt, softirq, hardirq and NMI sections produces it (${pc.problems.map((p) => p.en).join('; ')}): the count is not a count any more, it is stack data written over thread_info.`,
            era ? `The log dates the kernel to ${era.label.en}: on x86_64 of that era thread_info lives at the bottom of the ${stackWords} kernel stack, so a stack that grows too deep overwrites it before anything else.` : `On x86_64 kernels before 4.9 thread_info lives at the bottom of the kernel stack, so a stack that grows too deep overwrites it first.`,
            wild ? `Scheduler code then used the corrupted thread_info: ${wild.fn} reads task_thread_info(p)->cpu and dereferenced ${wild.addr}, ${wild.region === 'user' ? 'a user-space address that no kernel pointer should hold' : 'an address no kernel pointer should hold'}. That fault is a victim of the corruption, not its cause.` : '',
            consumer ? `The stack consumer is the deep ${consumer.module} chain (${chain}...).` : '',
          ].filter(Boolean).join('\n\n'),
          zh: [
            `"scheduling while atomic" 打印的 preempt count 为 ${bug.raw}。任何真实的 preempt、softirq、hardirq、NMI 嵌套都不会产生这个值（${pc.problems.map((p) => p.zh).join('；')}）：它已经不是计数，而是覆盖在 thread_info 上的栈数据。`,
            era ? `从日志判断内核属于 ${era.label.zh}：这个年代的 x86_64 内核中，thread_info 位于 ${era ? '8 KiB ' : ''}内核栈的底部，栈过深时最先被覆盖的就是它。` : '4.9 之前的 x86_64 内核中 thread_info 位于内核栈底部，栈过深时最先被覆盖。',
            wild ? `随后调度器代码使用了被破坏的 thread_info：${wild.fn} 读取 task_thread_info(p)->cpu，访问了 ${wild.addr}，${wild.region === 'user' ? '这是一个任何内核指针都不该持有的用户态地址' : '这是一个任何内核指针都不该持有的地址'}。这次出错是破坏的受害者，而不是原因。` : '',
            consumer ? `消耗栈空间的是 ${consumer.module} 的深调用链（${chain}...）。` : '',
          ].filter(Boolean).join('\n\n'),
        },
        evidence,
        culprit: consumer ? { function: null, module: consumer.module } : null,
        nextSteps: [
          { en: 'crash> bt -f     (stack usage per frame: where the 8 KiB went)', zh: 'crash> bt -f（逐帧的栈用量：8 KiB 用在了哪里）' },
          { en: 'crash> struct thread_info <stack base>     (the overwritten fields: preempt_count, cpu, flags)', zh: 'crash> struct thread_info <栈底地址>（查看被覆盖的字段：preempt_count、cpu、flags）' },
          { en: 'Check the known issues for this kernel and upgrade to one with 16 KiB stacks; meanwhile reduce stack depth (no stacked block devices over XFS, no heavy work in I/O completion).', zh: '查对应内核的已知问题，升级到 16 KiB 内核栈的内核；在此之前减少栈深度（XFS 下不要叠加多层块设备，不要在 I/O 完成路径中做重活）。' },
          { en: 'On a test machine: CONFIG_DEBUG_STACK_USAGE / CONFIG_STACK_TRACER (echo 1 > /proc/sys/kernel/stack_tracer_enabled; cat /sys/kernel/debug/tracing/stack_trace) shows the deepest stack.', zh: '在测试机上打开 CONFIG_DEBUG_STACK_USAGE / CONFIG_STACK_TRACER（echo 1 > /proc/sys/kernel/stack_tracer_enabled; cat /sys/kernel/debug/tracing/stack_trace）可以看到最深的栈。' },
        ],
        facts: { preemptCount: bug.raw, preempt: pc, plausible: false, wildAccess: wild, stackConsumer: consumer?.module ?? null, era: era?.label.en ?? null },
      });
    }
    return out;
  },
};
