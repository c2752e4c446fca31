// UBSAN reports: undefined behaviour at a source line (array index, shift, overflow, bad enum/bool load).

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, RootCauseClass, Rule } from '../types';
import { ev, linesOf, paragraphs, reportsWhere, steps, t, taskOf, who, whoZh } from '../reports';

const HEADER = /UBSAN: ([a-z-]+|Undefined behaviour) in (\S+?:\d+)(?::\d+)?/;

/** What each UBSAN check means, keyed on the kind or on the detail line of old kernels. */
const KINDS: ReadonlyArray<{ re: RegExp; kind: string; cls: RootCauseClass; en: string; zh: string }> = [
  { re: /array-index-out-of-bounds|index -?\d+ is out of range/, kind: 'array-index-out-of-bounds', cls: 'memory-corruption', en: 'an array was indexed past its declared size: the read or write went into the neighbouring fields', zh: '数组下标超出了声明的大小：读写落到了相邻的字段上' },
  { re: /shift-out-of-bounds|shift exponent/, kind: 'shift-out-of-bounds', cls: 'other', en: 'a shift by a negative amount or by at least the width of the type: the result is undefined (x86 masks the count, other architectures differ), usually a value taken from input without a range check', zh: '移位量为负数或不小于类型宽度：结果未定义（x86 会截断移位量，其他架构行为不同），通常是来自输入的值没有做范围检查' },
  { re: /signed-integer-overflow|signed integer overflow/, kind: 'signed-integer-overflow', cls: 'other', en: 'a signed arithmetic overflow: the computed size, time or index wrapped', zh: '有符号算术溢出：计算出的大小、时间或下标发生了回绕' },
  { re: /invalid-load|load of value \d+ is not a valid value for type/, kind: 'invalid-load', cls: 'memory-corruption', en: 'a bool or enum held a value it cannot have: uninitialised or corrupted memory', zh: 'bool 或枚举变量里出现了不可能的值：内存未初始化或被破坏' },
  { re: /object-size-mismatch|misaligned-access|alignment/, kind: 'alignment/object-size', cls: 'memory-corruption', en: 'an object was accessed through a pointer of the wrong type or alignment', zh: '通过类型或对齐不对的指针访问了对象' },
  { re: /division by zero|divide-by-zero/, kind: 'division-by-zero', cls: 'other', en: 'an integer division by zero', zh: '整数除以零' },
];

export const ubsanReport: Rule = {
  meta: {
    id: 'KT-ubsan',
    rootCauseClass: 'other',
    summary: t('UBSAN found undefined behaviour at a source line (out-of-bounds index, bad shift, overflow, invalid load)', 'UBSAN 在某一源码行发现未定义行为（数组越界、非法移位、溢出、非法取值）'),
    docs: t(
      `Looks for "UBSAN: <check> in FILE:LINE:COL" (or "UBSAN: Undefined behaviour in" on older
kernels, with the check named on the next line: "index N is out of range for type T [M]",
"shift exponent N is too large", "signed integer overflow"...). UBSAN reports the exact source
line; the stack below it shows how the bad value got there.
An array index past the declared bound is memory corruption in waiting (the access lands in
the next field); a bad shift or an overflow is undefined behaviour whose result depends on the
compiler and architecture, nearly always a value from user space or a device used without a
range check; an invalid bool/enum load means the memory was never initialised or was corrupted.
What to do: open FILE:LINE, find where the index/shift/operand comes from (walk up the stack),
and add the range check at the point the value enters the kernel.`,
      `匹配 "UBSAN: <检查项> in 文件:行:列"（老内核为 "UBSAN: Undefined behaviour in"，下一行才说明
检查项："index N is out of range for type T [M]"、"shift exponent N is too large"、
"signed integer overflow" 等）。UBSAN 给出的是准确的源码行；下面的调用栈说明坏值是怎么来的。
数组下标超出声明的边界是潜在的内存破坏（访问会落到下一个字段）；非法移位或溢出是未定义行为，
结果取决于编译器和架构，几乎总是来自用户态或设备的值没做范围检查就被使用；bool/枚举取到非法值
说明内存未初始化或已被破坏。
处理办法：打开 文件:行，顺着调用栈往上找下标/移位量/操作数从哪里来，在这个值进入内核的地方加上
范围检查。`,
    ),
    references: ['Documentation/dev-tools/ubsan.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const site = hit.match[2];
      const detail = linesOf(ctx, r, /is out of range for type|shift exponent|signed integer overflow|load of value|division|misaligned|cannot be represented/, 1, hit.header.no, Math.min(r.endLine, hit.header.no + 4))[0] ?? null;
      const probe = `${hit.match[1]} ${detail?.text ?? ''}`;
      const k = KINDS.find((x) => x.re.test(probe)) ?? null;
      const c = blameReport(r, 'fault');
      const evidence = [ev(hit.header.no, `UBSAN at ${site}`, `UBSAN 报告位置 ${site}`)];
      if (detail) evidence.push(ev(detail.no, 'the undefined operation and the offending value', '未定义的操作以及出问题的值'));
      if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the function at that line`, `${whoZh(c)}：该行所在的函数`));
      out.push({
        report: hit.index,
        rootCauseClass: k?.cls ?? 'other',
        confidence: k ? 0.75 : 0.6,
        summary: t(`UBSAN ${k?.kind ?? hit.match[1]} at ${site}${c.function ? ` in ${who(c)}` : ''}`, `${c.function ? `${whoZh(c)} 中` : ''}${site} 处的 UBSAN ${k?.kind ?? hit.match[1]}`),
        explanation: paragraphs([
          t(`At ${site}${c.function ? ` (${who(c)})` : ''}${taskOf(r) ? `, in ${taskOf(r)}` : ''}: ${k ? k.en : 'undefined behaviour'}.${detail ? ` UBSAN printed: "${detail.text.trim()}".` : ''}`, `在 ${site}${c.function ? `（${whoZh(c)}）` : ''}${taskOf(r) ? `，${taskOf(r)}` : ''}：${k ? k.zh : '未定义行为'}。${detail ? `UBSAN 打印的是："${detail.text.trim()}"。` : ''}`),
          t('The value came from further up the stack: find where it enters the kernel (a system call argument, a file-system image, a device descriptor) and check it there; clamping at the faulting line only hides the bad input.', '这个值来自调用栈更上层：找到它进入内核的地方（系统调用参数、文件系统镜像、设备描述符）并在那里检查；只在出错行做截断只是掩盖了坏输入。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          t(`Open ${site} and trace the operand back through the callers in the stack.`, `打开 ${site}，沿着调用栈中的调用者反推这个操作数的来源。`),
          c.location ? t(`crash> dis -l ${c.location}     (the exact operation)`, `crash> dis -l ${c.location}（具体是哪条运算）`) : null,
          t('Add a range check (and an error return) where the value is first read from user space or the device; keep CONFIG_UBSAN_BOUNDS/SHIFT on in testing.', '在首次从用户态或设备读入该值的地方加范围检查并返回错误；测试时保持 CONFIG_UBSAN_BOUNDS/SHIFT 打开。'),
        ),
        facts: { ubsanKind: k?.kind ?? hit.match[1], site, detail: detail?.text.trim() ?? null },
      });
    }
    return out;
  },
};
