// Kernel stack overflow: guard page hit, double fault, "corrupted stack end", stack-protector: which chain ate the stack.

import { baseName, blameRecursion, blameReport, culpritOfBlame, NO_BLAME, reportFrames } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';
import { dominantModule } from '../stacks';
import { culpritLabel, mainFrames, paragraphs, reportsWhere } from '../reports';

const HEADER = /stack guard page was hit|[Kk]ernel stack overflow|corrupted stack end detected|stack-protector: Kernel stack is corrupted in|PANIC: double fault|thread overran stack|Kernel panic - not syncing: (?:stack is corrupted|corrupted stack end)|Insufficient stack space to handle exception/;
const PROTECTED_FN = /corrupted in:? ?(?:\[<[0-9a-f]{1,16}>\] )?(?:[0-9a-f]{8,16}\b ?)?([A-Za-z_][\w.]{0,127})?/;

const messages = {
  summaryProtector: { en: 'Stack buffer overflow in {{fn}}: a local buffer was written past its end', zh: '{{fn}} 中的栈缓冲区溢出：局部缓冲区写越界' },
  summaryProtectorNoFn: { en: 'Stack buffer overflow: a local buffer was written past its end', zh: '栈缓冲区溢出：局部缓冲区写越界' },
  summaryRecursion: { en: 'Kernel stack overflow: {{fn}} recursed {{count}}+ times', zh: '内核栈溢出：{{fn}} 递归了 {{count}} 次以上' },
  summaryIn: { en: 'Kernel stack overflow in {{culprit}}', zh: '内核栈溢出，位于 {{culprit}}' },
  summaryPlain: { en: 'Kernel stack overflow', zh: '内核栈溢出' },

  whyProtector: { en: 'The stack protector found the canary of {{fn}}\'s frame overwritten when it returned: a local array or struct in that function (or a callee given its address) was written beyond its size. The stack itself was not exhausted.', zh: '栈保护在 {{fn}} 返回时发现其栈帧的 canary 被覆盖：该函数中的局部数组或结构体（或拿到其地址的被调函数）写超了大小。栈本身并没有被耗尽。' },
  whyProtectorNoFn: { en: 'The stack protector found a frame\'s canary overwritten when the function returned: a local array or struct (or a callee given its address) was written beyond its size. The stack itself was not exhausted.', zh: '栈保护在函数返回时发现栈帧的 canary 被覆盖：局部数组或结构体（或拿到其地址的被调函数）写超了大小。栈本身并没有被耗尽。' },
  whyExhausted: { en: 'The kernel stack (16 KiB on x86_64 since 3.15) ran out.', zh: '内核栈（x86_64 自 3.15 起为 16 KiB）被耗尽了。' },
  whyDoubleFault: { en: 'The kernel stack (16 KiB on x86_64 since 3.15) ran out: the fault on the guard page could not even push its exception frame, hence the double fault.', zh: '内核栈（x86_64 自 3.15 起为 16 KiB）被耗尽了：在保护页上出错后连异常帧都无法压栈，于是变成了 double fault。' },
  whyStackEnd: { en: 'The kernel stack ran out: the magic word at the end of the stack (STACK_END_MAGIC) was overwritten, and the scheduler noticed it at the next switch.', zh: '内核栈被耗尽了：栈末端的魔数（STACK_END_MAGIC）被覆盖，调度器在下一次切换时发现了它。' },
  whyRepeats: { en: 'The trace repeats {{list}}: unbounded recursion is what consumed the stack.', zh: '调用栈中重复出现 {{list}}：是无界递归耗尽了栈。' },
  repeatItem: { en: '{{fn}} (x{{count}})', zh: '{{fn}}（{{count}} 次）' },
  whyNoRepeat: { en: 'No frame repeats: look for functions with very large frames (big local arrays or structs) or a long chain of stacked subsystems (a file system over loop/dm/md devices, nested network devices).', zh: '没有重复的帧：找栈帧特别大的函数（大的局部数组或结构体），或者很长的子系统叠加链（文件系统叠在 loop/dm/md 设备上、嵌套的网络设备）。' },
  whyModule: { en: '{{count}} frames belong to {{module}}.', zh: '有 {{count}} 个帧属于 {{module}}。' },

  evCanary: { en: 'the stack canary of a frame was overwritten', zh: '某个栈帧的 canary 被覆盖' },
  evExhausted: { en: 'the kernel stack was exhausted', zh: '内核栈被耗尽' },
  evRepeat: { en: '{{fn}} appears {{count}} times: recursion', zh: '{{fn}} 出现了 {{count}} 次：递归' },
  evCulprit: { en: '{{culprit}}: the guilty frame', zh: '{{culprit}}：嫌疑帧' },

  stepBt: { en: 'crash> bt -f     (frame sizes: where the stack went)', zh: 'crash> bt -f（各帧大小：栈空间用在了哪里）' },
  stepAudit: { en: 'Audit the local buffers of {{fn}}: every copy into them (memcpy/strcpy/sprintf/copy_from_user) needs a bound of sizeof(buffer).', zh: '审查 {{fn}} 的局部缓冲区：每一次向其拷贝（memcpy/strcpy/sprintf/copy_from_user）都要以 sizeof(缓冲区) 为上限。' },
  stepAuditNoFn: { en: 'Audit the local buffers of the function named by the stack protector: every copy into them (memcpy/strcpy/sprintf/copy_from_user) needs a bound of sizeof(buffer).', zh: '审查栈保护指出的函数的局部缓冲区：每一次向其拷贝（memcpy/strcpy/sprintf/copy_from_user）都要以 sizeof(缓冲区) 为上限。' },
  stepBoundIn: { en: 'Bound the recursion in {{fn}} (a depth limit, or an iterative rewrite); move large locals to the heap.', zh: '限制 {{fn}} 的递归深度（加深度上限或改为迭代）；把大的局部变量移到堆上。' },
  stepBound: { en: 'Bound the recursion (a depth limit, or an iterative rewrite); move large locals to the heap.', zh: '限制递归深度（加深度上限或改为迭代）；把大的局部变量移到堆上。' },
  stepKasanStack: { en: 'Rebuild a test kernel with CONFIG_KASAN (it instruments stack variables) and CONFIG_FORTIFY_SOURCE: the overflowing write is then reported where it happens.', zh: '用 CONFIG_KASAN（它会检测栈上变量）和 CONFIG_FORTIFY_SOURCE 重新编译测试内核：越界写会在发生处被报告。' },
  stepTracer: { en: 'CONFIG_VMAP_STACK=y and CONFIG_DEBUG_STACK_USAGE=y, or the stack tracer (/sys/kernel/tracing/stack_trace), show the deepest stacks on a test machine.', zh: '在测试机上打开 CONFIG_VMAP_STACK=y 和 CONFIG_DEBUG_STACK_USAGE=y，或使用 stack tracer（/sys/kernel/tracing/stack_trace）查看最深的栈。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const stackOverflow: Rule = {
  meta: {
    id: 'KT-stack-overflow',
    rootCauseClass: 'stack-overflow',
    summary: { en: 'The kernel stack overflowed (guard page, double fault, corrupted stack end) or a stack buffer overran its canary', zh: '内核栈溢出（保护页、double fault、栈底被破坏），或栈上缓冲区越过了 canary' },
    docs: {
      en: `Looks for "BUG: stack guard page was hit", "kernel stack overflow", "PANIC: double fault" (on
x86_64 a stack overflow faults on the guard page and the fault handler cannot push its frame:
double fault), "Kernel panic - not syncing: corrupted stack end detected inside scheduler"
(STACK_END_MAGIC overwritten) and "stack-protector: Kernel stack is corrupted in: FUNC".
Stack exhaustion comes from deep recursion (file systems over stacked block devices, nested
network devices, recursive callbacks) or from huge local variables; the repeated frames of the
trace show the recursion, and the culprit is the call that closes the cycle. The
stack-protector case is different: a local buffer in FUNC was written past its end
(memory-corruption of the stack frame), not an exhausted stack.
What to do: find the repeating frames or the function with the huge frame ("bt -f", objdump of
its prologue "sub $0x...,%rsp"), bound the recursion or move the buffer off the stack.`,
      zh: `匹配 "BUG: stack guard page was hit"、"kernel stack overflow"、"PANIC: double fault"（x86_64 上栈溢出
会在保护页上出错，异常处理又无法压栈，于是变成 double fault）、"Kernel panic - not syncing: corrupted
stack end detected inside scheduler"（STACK_END_MAGIC 被覆盖）以及 "stack-protector: Kernel stack is
corrupted in: 函数"。
栈耗尽来自深递归（叠在多层块设备上的文件系统、嵌套的网络设备、递归回调）或巨大的局部变量；调用栈中
重复出现的帧就是递归，嫌疑函数是闭合递归环的那次调用。stack-protector 则不同：是该函数中的局部缓冲区
写越界了（栈帧被破坏），而不是栈被耗尽。
处理办法：找出重复的帧或栈帧特别大的函数（"bt -f"，反汇编其序言中的 "sub $0x...,%rsp"），限制递归
深度或把缓冲区移出栈。`,
    },
    references: ['Documentation/arch/x86/kernel-stacks.rst', 'CONFIG_VMAP_STACK', 'CONFIG_STACKPROTECTOR'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const header = hit.header.text;
      const protector = /stack-protector/.test(header);
      const protFnRaw = protector ? PROTECTED_FN.exec(header)?.[1] ?? r.frame ?? null : null;
      const protFn = protFnRaw ? baseName(protFnRaw) : null;
      const frames = mainFrames(r).filter((f) => f.function !== null);
      const counts = new Map<string, number>();
      for (const f of frames) {
        const name = baseName(f.function as string);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      const repeated = [...counts.entries()].filter(([, n]) => n >= 3).sort((a, b) => b[1] - a[1]);
      const mod = dominantModule(frames);
      const recursion = protector ? null : blameRecursion(reportFrames(r));
      const c = protFn ? { ...NO_BLAME, function: protFn, basis: 'ip' as const } : recursion ?? blameReport(r, 'fault');
      const culprit = culpritLabel(c);

      const evidence: FindingDraft['evidence'] = [{ line: hit.header.no, note: msg(protector ? 'evCanary' : 'evExhausted') }];
      if (repeated[0]) {
        const f = frames.find((x) => baseName(x.function as string) === repeated[0][0]);
        if (f) evidence.push({ line: f.line, note: msg('evRepeat', { fn: repeated[0][0], count: repeated[0][1] }) });
      }
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });

      const list = repeated.slice(0, 3).map(([fn, count]) => msg('repeatItem', { fn, count }));
      const listData = { en: list.map((x) => x.en).join(', '), zh: list.map((x) => x.zh).join('、') };
      const summary = protector
        ? protFn ? msg('summaryProtector', { fn: protFn }) : msg('summaryProtectorNoFn')
        : repeated[0] ? msg('summaryRecursion', { fn: repeated[0][0], count: repeated[0][1] }) : culprit ? msg('summaryIn', { culprit }) : msg('summaryPlain');
      const exhausted = /double fault/.test(header) ? 'whyDoubleFault' : /stack end/.test(header) ? 'whyStackEnd' : 'whyExhausted';
      const boundFn = repeated[0]?.[0] ?? null;
      out.push({
        report: hit.index,
        rootCauseClass: protector ? 'memory-corruption' : 'stack-overflow',
        confidence: protector ? 0.8 : repeated.length > 0 ? 0.85 : 0.75,
        summary,
        explanation: paragraphs([
          protector ? (protFn ? msg('whyProtector', { fn: protFn }) : msg('whyProtectorNoFn')) : msg(exhausted),
          !protector && repeated.length > 0 ? msg('whyRepeats', { list: listData }) : null,
          !protector && repeated.length === 0 ? msg('whyNoRepeat') : null,
          mod && !protector ? msg('whyModule', { count: mod.count, module: mod.module }) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: protector
          ? [protFn ? msg('stepAudit', { fn: protFn }) : msg('stepAuditNoFn'), msg('stepKasanStack')]
          : [msg('stepBt'), boundFn ? msg('stepBoundIn', { fn: boundFn }) : msg('stepBound'), msg('stepTracer')],
        facts: { stackProtector: protector, protectedFunction: protFn, recursion: repeated.slice(0, 3).map(([f, n]) => ({ function: f, count: n })) },
      });
    }
    return out;
  },
};
