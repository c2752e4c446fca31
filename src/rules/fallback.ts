// A low-confidence finding for every report that no specific rule explains, so that each report gets one.

import { blameReport, culpritOfBlame } from './blame';
import type { FindingDraft, RootCauseClass, Rule, RuleContext } from './types';
import { ev, paragraphs, steps, t, taskOf, who, whoZh } from './reports';

/** The class a report type suggests when nothing more specific is known (data). */
const TYPE_CLASS: ReadonlyArray<{ re: RegExp; cls: RootCauseClass; en: string; zh: string }> = [
  { re: /USE-AFTER-FREE/, cls: 'use-after-free', en: 'a use-after-free', zh: '释放后使用' },
  { re: /NULL-POINTER/, cls: 'null-deref', en: 'a NULL pointer dereference', zh: '空指针解引用' },
  { re: /^(?:KASAN|KFENCE|MEMORY_SAFETY)/, cls: 'memory-corruption', en: 'a memory-safety bug', zh: '内存安全问题' },
  { re: /^LEAK$/, cls: 'resource-exhaustion', en: 'a memory leak (kmemleak)', zh: '内存泄漏（kmemleak）' },
  { re: /^HANG$/, cls: 'other', en: 'a hang', zh: '挂死' },
  { re: /^ATOMIC_SLEEP$/, cls: 'sleep-in-atomic', en: 'sleeping in atomic context', zh: '原子上下文中睡眠' },
  { re: /^LOCKDEP$/, cls: 'other', en: 'a locking-correctness report', zh: '锁正确性报告' },
  { re: /^KMSAN/, cls: 'other', en: 'use of uninitialised memory (KMSAN)', zh: '使用了未初始化的内存（KMSAN）' },
  { re: /^KCSAN/, cls: 'other', en: 'a data race (KCSAN)', zh: '数据竞争（KCSAN）' },
  { re: /^UBSAN/, cls: 'other', en: 'undefined behaviour (UBSAN)', zh: '未定义行为（UBSAN）' },
  { re: /^REFCOUNT/, cls: 'use-after-free', en: 'a reference-count bug', zh: '引用计数问题' },
];

/** Builds the fallback over the rules whose findings count as an explanation. */
export function makeUnexplainedReport(specific: () => readonly Rule[]): Rule {
  return {
    meta: {
      id: 'KT-unexplained-report',
      rootCauseClass: 'other',
      summary: t('A crash report that no specific rule explains: its kind, culprit frame and the generic next steps', '没有任何专门规则能解释的崩溃报告：它的类型、嫌疑帧以及通用的下一步'),
      docs: t(
        `Fires for each report in the input on which no other rule produced a finding, with low
confidence (0.3). It states the report's kind (from its title and type), the guilty frame and
task, a class derived from the type when the type implies one (KASAN use-after-free ->
use-after-free, kmemleak -> resource-exhaustion, ...) and otherwise "other", and the generic
first steps: disassemble the guilty frame, get every CPU's stack, look for an earlier report.
It exists so that every report gets at least one finding; a specific rule should replace it.`,
        `对输入中没有任何其他规则给出结论的每个报告触发，置信度很低（0.3）。它给出报告的类型（来自标题
和 TYPE）、嫌疑帧和任务；如果类型本身能说明问题（KASAN use-after-free -> use-after-free、kmemleak ->
resource-exhaustion 等）就用对应的根因分类，否则为 "other"；并给出通用的第一步：反汇编嫌疑帧、查看所有
CPU 的调用栈、找更早的报告。
它的作用是保证每个报告至少有一条结论；应当用专门的规则取代它。`,
      ),
      references: [],
    },
    check(ctx: RuleContext) {
      const reports = ctx.analysis.reports;
      if (reports.length === 0) return [];
      const explained = new Set<number>();
      for (const rule of specific()) {
        let drafts: FindingDraft[] = [];
        try {
          drafts = rule.check(ctx);
        } catch {
          continue;
        }
        for (const d of drafts) {
          if (d.report !== undefined) explained.add(d.report);
          for (const i of d.alsoExplains ?? []) explained.add(i);
        }
      }
      const out: FindingDraft[] = [];
      reports.forEach((r, index) => {
        if (explained.has(index)) return;
        const c = blameReport(r, 'fault');
        const k = TYPE_CLASS.find((x) => x.re.test(r.type)) ?? null;
        const earlier = reports.slice(0, index).find((x) => !x.corrupted) ?? null;
        const evidence = [ev(r.headerLine, `the report: ${r.title}`, `报告：${r.title}`)];
        if (c.line !== null) evidence.push(ev(c.line, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
        if (earlier) evidence.push(ev(earlier.headerLine, 'an earlier report: possibly the cause', '更早的报告：可能是原因'));
        out.push({
          report: index,
          rootCauseClass: k?.cls ?? 'other',
          confidence: 0.3,
          summary: t(`${r.title}${k ? ` (${k.en})` : ''}: no specific diagnosis`, `${r.title}${k ? `（${k.zh}）` : ''}：没有专门的诊断`),
          explanation: paragraphs([
            t(`The kernel printed "${r.title}"${taskOf(r) ? ` in ${taskOf(r)}` : ''}${r.type !== 'UNKNOWN' ? `, a report of type ${r.type}` : ''}. No rule recognises this kind in detail, so this is only a starting point.`, `内核${taskOf(r) ? `在 ${taskOf(r)} 中` : ''}打印了 "${r.title}"${r.type !== 'UNKNOWN' ? `，报告类型为 ${r.type}` : ''}。没有规则能详细识别这类报告，所以这里只给出一个起点。`),
            c.function ? t(`The guilty frame is ${who(c)}: the first function that is not generic plumbing (stack dumping, locking, allocation).`, `嫌疑帧是 ${whoZh(c)}：第一个不属于通用代码（打印调用栈、加锁、内存分配）的函数。`) : null,
            r.corrupted ? t('The report is truncated or interleaved with other output, so its stack may be incomplete.', '报告被截断或与其他输出交错，调用栈可能不完整。') : null,
            earlier ? t(`An earlier report ("${earlier.title}") may be the cause of this one.`, `更早的报告（"${earlier.title}"）可能是这个报告的原因。`) : null,
          ]),
          evidence,
          culprit: culpritOfBlame(c),
          nextSteps: steps(
            c.location ? t(`crash> dis -l ${c.location}     (the instruction and source line of the guilty frame)`, `crash> dis -l ${c.location}（嫌疑帧的出错指令和源码行）`) : null,
            t('crash> bt -a     crash> bt -f     (every CPU, and the guilty frame\'s arguments)', 'crash> bt -a     crash> bt -f（所有 CPU，以及嫌疑帧的参数）'),
            t(`Search the mailing lists and the syzbot dashboard for "${r.title}".`, `在邮件列表和 syzbot 面板上搜索 "${r.title}"。`),
          ),
          facts: { title: r.title, type: r.type, corrupted: r.corrupted },
        });
      });
      return out;
    },
  };
}
