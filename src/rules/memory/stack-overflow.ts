// Kernel stack overflow: guard page hit, double fault, "corrupted stack end", stack-protector: which chain ate the stack.

import { baseName, blameRecursion, blameReport, culpritOfBlame, NO_BLAME, reportFrames } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { dominantModule } from '../stacks';
import { ev, mainFrames, paragraphs, reportsWhere, steps, t, who, whoZh } from '../reports';

const HEADER = /stack guard page was hit|[Kk]ernel stack overflow|corrupted stack end detected|stack-protector: Kernel stack is corrupted in|PANIC: double fault|thread overran stack|Kernel panic - not syncing: (?:stack is corrupted|corrupted stack end)|Insufficient stack space to handle exception/;

export const stackOverflow: Rule = {
  meta: {
    id: 'KT-stack-overflow',
    rootCauseClass: 'stack-overflow',
    summary: t('The kernel stack overflowed (guard page, double fault, corrupted stack end) or a stack buffer overran its canary', '内核栈溢出（保护页、double fault、栈底被破坏），或栈上缓冲区越过了 canary'),
    docs: t(
      `Looks for "BUG: stack guard page was hit", "kernel stack overflow", "PANIC: double fault" (on
x86_64 a stack overflow faults on the guard page and the fault handler cannot push its frame:
double fault), "Kernel panic - not syncing: corrupted stack end detected inside scheduler"
(STACK_END_MAGIC overwritten) and "stack-protector: Kernel stack is corrupted in: FUNC".
Stack exhaustion comes from deep recursion (file systems over stacked block devices, nested
network devices, recursive callbacks) or from huge local variables; the repeated frames of the
trace show the recursion. The stack-protector case is different: a local buffer in FUNC was
written past its end (memory-corruption of the stack frame), not an exhausted stack.
What to do: find the repeating frames or the function with the huge frame ("bt -f", objdump of
its prologue "sub $0x...,%rsp"), bound the recursion or move the buffer off the stack.`,
      `匹配 "BUG: stack guard page was hit"、"kernel stack overflow"、"PANIC: double fault"（x86_64 上栈溢出
会在保护页上出错，异常处理又无法压栈，于是变成 double fault）、"Kernel panic - not syncing: corrupted
stack end detected inside scheduler"（STACK_END_MAGIC 被覆盖）以及 "stack-protector: Kernel stack is
corrupted in: 函数"。
栈耗尽来自深递归（叠在多层块设备上的文件系统、嵌套的网络设备、递归回调）或巨大的局部变量；调用栈中
重复出现的帧就是递归。stack-protector 则不同：是该函数中的局部缓冲区写越界了（栈帧被破坏），而不是
栈被耗尽。
处理办法：找出重复的帧或栈帧特别大的函数（"bt -f"，反汇编其序言中的 "sub $0x...,%rsp"），限制递归
深度或把缓冲区移出栈。`,
    ),
    references: ['Documentation/arch/x86/kernel-stacks.rst', 'CONFIG_VMAP_STACK', 'CONFIG_STACKPROTECTOR'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const protector = /stack-protector/.test(hit.header.text);
      const protFn = protector ? /corrupted in:? ?(?:\[<[0-9a-f]+>\] )?(?:[0-9a-f]{8,16}\b ?)?([A-Za-z_][\w.]*)?/.exec(hit.header.text)?.[1] ?? r.frame ?? null : null;
      const frames = mainFrames(r).filter((f) => f.function !== null);
      const counts = new Map<string, number>();
      for (const f of frames) counts.set(f.function as string, (counts.get(f.function as string) ?? 0) + 1);
      const repeated = [...counts.entries()].filter(([, n]) => n >= 3).sort((a, b) => b[1] - a[1]);
      const mod = dominantModule(frames);
      const recursion = protector ? null : blameRecursion(reportFrames(r));
      const c = protFn ? { ...NO_BLAME, function: baseName(protFn), basis: 'ip' as const } : recursion ?? blameReport(r, 'fault');
      const evidence = [ev(hit.header.no, protector ? 'the stack canary of a frame was overwritten' : 'the kernel stack was exhausted', protector ? '某个栈帧的 canary 被覆盖' : '内核栈被耗尽')];
      if (repeated[0]) {
        const f = frames.find((x) => x.function === repeated[0][0]);
        if (f) evidence.push(ev(f.line, `${repeated[0][0]} appears ${repeated[0][1]} times: recursion`, `${repeated[0][0]} 出现了 ${repeated[0][1]} 次：递归`));
      }
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      out.push({
        report: hit.index,
        rootCauseClass: protector ? 'memory-corruption' : 'stack-overflow',
        confidence: protector ? 0.8 : repeated.length > 0 ? 0.85 : 0.75,
        summary: protector
          ? t(`Stack buffer overflow in ${protFn ?? who(c)}: a local buffer was written past its end`, `${protFn ?? whoZh(c)} 中的栈缓冲区溢出：局部缓冲区写越界`)
          : t(`Kernel stack overflow${repeated[0] ? `: ${repeated[0][0]} recursed ${repeated[0][1]}+ times` : c.function ? ` in ${who(c)}` : ''}`, `内核栈溢出${repeated[0] ? `：${repeated[0][0]} 递归了 ${repeated[0][1]} 次以上` : c.function ? `，位于 ${whoZh(c)}` : ''}`),
        explanation: paragraphs([
          protector
            ? t(`The stack protector found the canary of ${protFn ?? 'a function'}'s frame overwritten when it returned: a local array or struct in that function (or a callee given its address) was written beyond its size. The stack itself was not exhausted.`, `栈保护在 ${protFn ?? '某个函数'} 返回时发现其栈帧的 canary 被覆盖：该函数中的局部数组或结构体（或拿到其地址的被调函数）写超了大小。栈本身并没有被耗尽。`)
            : t(`The kernel stack (16 KiB on x86_64 since 3.15) ran out${/double fault/.test(hit.header.text) ? ': the fault on the guard page could not even push its exception frame, hence the double fault' : ''}${/stack end/.test(hit.header.text) ? ': the magic word at the end of the stack was overwritten' : ''}.`, `内核栈（x86_64 自 3.15 起为 16 KiB）被耗尽了${/double fault/.test(hit.header.text) ? '：在保护页上出错后连异常帧都无法压栈，于是变成了 double fault' : ''}${/stack end/.test(hit.header.text) ? '：栈末端的魔数被覆盖了' : ''}。`),
          !protector && repeated.length > 0 ? t(`The trace repeats ${repeated.slice(0, 3).map(([f, n]) => `${f} (x${n})`).join(', ')}: unbounded recursion is what consumed the stack.`, `调用栈中重复出现 ${repeated.slice(0, 3).map(([f, n]) => `${f}（${n} 次）`).join('、')}：是无界递归耗尽了栈。`) : null,
          !protector && repeated.length === 0 ? t('No frame repeats: look for functions with very large frames (big local arrays/structs) or a long chain of stacked subsystems (file system over loop/dm/md devices, nested network devices).', '没有重复的帧：找栈帧特别大的函数（大的局部数组/结构体），或者很长的子系统叠加链（文件系统叠在 loop/dm/md 设备上、嵌套的网络设备）。') : null,
          mod && !protector ? t(`${mod.count} frames belong to ${mod.module}.`, `有 ${mod.count} 个帧属于 ${mod.module}。`) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t('crash> bt -f     (frame sizes: where the stack went)', 'crash> bt -f（各帧大小：栈空间用在了哪里）'),
          protector ? t(`Audit the local buffers of ${protFn ?? 'that function'}: every copy into them (memcpy/strcpy/sprintf/copy_from_user) needs a bound of sizeof(buffer).`, `审查 ${protFn ?? '该函数'} 的局部缓冲区：每一次向其拷贝（memcpy/strcpy/sprintf/copy_from_user）都要以 sizeof(缓冲区) 为上限。`) : t(`Bound the recursion${repeated[0] ? ` in ${repeated[0][0]}` : ''} (depth limit, or an iterative rewrite); move large locals to the heap.`, `限制${repeated[0] ? ` ${repeated[0][0]} 的` : ''}递归深度（加深度上限或改为迭代）；把大的局部变量移到堆上。`),
          t('CONFIG_VMAP_STACK=y and CONFIG_DEBUG_STACK_USAGE=y / the stack tracer (/sys/kernel/tracing/stack_trace) show the deepest stacks on a test machine.', '在测试机上打开 CONFIG_VMAP_STACK=y 和 CONFIG_DEBUG_STACK_USAGE=y，或使用 stack tracer（/sys/kernel/tracing/stack_trace）查看最深的栈。'),
        ),
        facts: { stackProtector: protector, protectedFunction: protFn, recursion: repeated.slice(0, 3).map(([f, n]) => ({ function: f, count: n })) },
      });
    }
    return out;
  },
};
