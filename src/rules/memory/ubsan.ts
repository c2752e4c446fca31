// UBSAN reports: undefined behaviour at a source line (array index, shift, overflow, bad enum/bool load).

import { blameReport, culpritOfBlame } from '../blame';
import { UBSAN_CHECKS } from '../../knowledge/sanitizers';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';
import { culpritLabel, linesOf, paragraphs, reportsWhere, taskLabel } from '../reports';

const HEADER = /UBSAN: ([a-z-]{1,40}|Undefined behaviour) in (\S{1,200}?:\d{1,7})(?::\d{1,5})?/;
const DETAIL = /is out of range for type|shift exponent|signed integer overflow|load of value|division|misaligned|cannot be represented|null pointer|unreachable/;

const messages = {
  summary: { en: 'UBSAN {{kind}} at {{site}} in {{culprit}}', zh: '{{culprit}} 中 {{site}} 处的 UBSAN {{kind}}' },
  summaryNoCulprit: { en: 'UBSAN {{kind}} at {{site}}', zh: '{{site}} 处的 UBSAN {{kind}}' },
  explainAt: { en: 'At {{site}}{{inCulprit}}{{inTask}}: {{meaning}}.', zh: '在 {{site}}{{inCulprit}}{{inTask}}：{{meaning}}。' },
  inCulprit: { en: ' ({{culprit}})', zh: '（函数 {{culprit}}）' },
  inTask: { en: ', in {{task}}', zh: '，任务 {{task}}' },
  undefinedBehaviour: { en: 'undefined behaviour', zh: '未定义行为' },
  printed: { en: 'UBSAN printed: "{{detail}}".', zh: 'UBSAN 打印的是："{{detail}}"。' },
  whereFrom: { en: 'The value came from further up the stack: find where it enters the kernel (a system call argument, a file-system image, a device descriptor) and check it there; clamping at the faulting line only hides the bad input.', zh: '这个值来自调用栈更上层：找到它进入内核的地方（系统调用参数、文件系统镜像、设备描述符）并在那里检查；只在出错行做截断只是掩盖了坏输入。' },
  evHeader: { en: 'UBSAN at {{site}}', zh: 'UBSAN 报告位置 {{site}}' },
  evDetail: { en: 'the operation with undefined behaviour and the offending value', zh: '未定义的操作以及出问题的值' },
  evCulprit: { en: '{{culprit}}: the function at that line', zh: '{{culprit}}：该行所在的函数' },
  stepOpen: { en: 'Open {{site}} and trace the operand back through the callers in the stack.', zh: '打开 {{site}}，沿着调用栈中的调用者反推这个操作数的来源。' },
  stepDis: { en: 'crash> dis -l {{location}}     (the exact operation)', zh: 'crash> dis -l {{location}}（具体是哪条运算）' },
  stepCheck: { en: 'Add a range check (and an error return) where the value is first read from user space or the device; keep CONFIG_UBSAN_BOUNDS/SHIFT on in testing.', zh: '在首次从用户态或设备读入该值的地方加范围检查并返回错误；测试时保持 CONFIG_UBSAN_BOUNDS/SHIFT 打开。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** The kernel tree's top-level directories: a site printed with the build machine's path is cut to the tree's own. */
const TREE_PATH = /(?:^|\/)((?:arch|block|certs|crypto|drivers|fs|include|init|io_uring|ipc|kernel|lib|mm|net|rust|samples|security|sound|virt)\/[\w./:-]{1,200})$/;

function treeRelative(site: string): string {
  return TREE_PATH.exec(site)?.[1] ?? site;
}

export const ubsanReport: Rule = {
  meta: {
    id: 'KT-ubsan',
    rootCauseClass: 'other',
    summary: { en: 'UBSAN found undefined behaviour at a source line (out-of-bounds index, bad shift, overflow, invalid load)', zh: 'UBSAN 在某一源码行发现未定义行为（数组越界、非法移位、溢出、非法取值）' },
    docs: {
      en: `Looks for "UBSAN: <check> in FILE:LINE:COL" (or "UBSAN: Undefined behaviour in" on older
kernels, with the check named on the next line: "index N is out of range for type T [M]",
"shift exponent N is too large", "signed integer overflow"...). UBSAN reports the exact source
line; the stack below it shows how the bad value got there.
An array index past the declared bound is memory corruption in waiting (the access lands in
the next field); a bad shift or an overflow is undefined behaviour whose result depends on the
compiler and architecture, nearly always a value from user space or a device used without a
range check; an invalid bool/enum load means the memory was never initialised or was corrupted.
The checks and their classes are data (src/knowledge/sanitizers.ts).
What to do: open FILE:LINE, find where the index/shift/operand comes from (walk up the stack),
and add the range check at the point the value enters the kernel.`,
      zh: `匹配 "UBSAN: <检查项> in 文件:行:列"（老内核为 "UBSAN: Undefined behaviour in"，下一行才说明
检查项："index N is out of range for type T [M]"、"shift exponent N is too large"、
"signed integer overflow" 等）。UBSAN 给出的是准确的源码行；下面的调用栈说明坏值是怎么来的。
数组下标超出声明的边界是潜在的内存破坏（访问会落到下一个字段）；非法移位或溢出是未定义行为，
结果取决于编译器和架构，几乎总是来自用户态或设备的值没做范围检查就被使用；bool/枚举取到非法值
说明内存未初始化或已被破坏。各检查项及其根因分类是数据（src/knowledge/sanitizers.ts）。
处理办法：打开 文件:行，顺着调用栈往上找下标/移位量/操作数从哪里来，在这个值进入内核的地方加上
范围检查。`,
    },
    references: ['Documentation/dev-tools/ubsan.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const site = treeRelative(hit.match[2]);
      const detail = linesOf(ctx, r, DETAIL, 1, hit.header.no, Math.min(r.endLine, hit.header.no + 4))[0] ?? null;
      const probe = `${hit.match[1]} ${detail?.text ?? ''}`;
      const k = UBSAN_CHECKS.find((x) => x.re.test(probe)) ?? null;
      const kind = k?.kind ?? hit.match[1];
      const c = blameReport(r, 'fault');
      const culprit = culpritLabel(c);
      const task = taskLabel(r);
      const evidence: FindingDraft['evidence'] = [{ line: hit.header.no, note: msg('evHeader', { site }) }];
      if (detail) evidence.push({ line: detail.no, note: msg('evDetail') });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
      out.push({
        report: hit.index,
        rootCauseClass: k?.cls ?? 'other',
        confidence: k ? 0.75 : 0.6,
        summary: msg(culprit ? 'summary' : 'summaryNoCulprit', { kind, site, culprit }),
        explanation: paragraphs([
          msg('explainAt', { site, inCulprit: culprit ? msg('inCulprit', { culprit }) : null, inTask: task ? msg('inTask', { task }) : null, meaning: k ? k.meaning : msg('undefinedBehaviour') }),
          detail ? msg('printed', { detail: detail.text.trim() }) : null,
          msg('whereFrom'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [msg('stepOpen', { site }), ...(c.location ? [msg('stepDis', { location: c.location })] : []), msg('stepCheck')],
        facts: { ubsanKind: kind, site, detail: detail?.text.trim() ?? null },
      });
    }
    return out;
  },
};
