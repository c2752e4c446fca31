// A low-confidence finding for every report that no specific rule explains, so that each report gets one.

import { blameReport, culpritOfBlame } from './blame';
import { REPORT_TYPE_CLASSES } from '../knowledge/report-types';
import { messenger } from './messages';
import type { FindingDraft, L10n, Rule, RuleContext } from './types';
import { culpritLabel, paragraphs, taskLabel } from './reports';

const messages = {
  summary: { en: '{{title}}{{kind}}: no specific diagnosis', zh: '{{title}}{{kind}}：没有专门的诊断' },
  kind: { en: ' ({{what}})', zh: '（类型：{{what}}）' },
  printed: { en: 'The kernel printed "{{title}}"{{inTask}}{{type}}. No rule recognises this kind in detail, so this is only a starting point.', zh: '内核{{inTask}}打印了 "{{title}}"{{type}}。没有规则能详细识别这类报告，所以这里只给出一个起点。' },
  inTask: { en: ' in {{task}}', zh: '在 {{task}} 中' },
  type: { en: ', a report of type {{type}}', zh: '，报告类型为 {{type}}' },
  guilty: { en: 'The guilty frame is {{culprit}}: the first function that is not generic plumbing (stack dumping, locking, allocation).', zh: '嫌疑帧是 {{culprit}}：第一个不属于通用代码（打印调用栈、加锁、内存分配）的函数。' },
  corrupted: { en: 'The report is truncated or interleaved with other output, so its stack may be incomplete.', zh: '报告被截断或与其他输出交错，调用栈可能不完整。' },
  earlier: { en: 'An earlier report ("{{title}}") may be the cause of this one.', zh: '更早的报告（"{{title}}"）可能是这个报告的原因。' },
  evReport: { en: 'the report: {{title}}', zh: '报告：{{title}}' },
  evCulprit: { en: '{{culprit}}: the guilty frame', zh: '{{culprit}}：嫌疑帧' },
  evEarlier: { en: 'an earlier report: possibly the cause', zh: '更早的报告：可能是原因' },
  stepDis: { en: 'crash> dis -l {{location}}     (the instruction and source line of the guilty frame)', zh: 'crash> dis -l {{location}}（嫌疑帧的出错指令和源码行）' },
  stepBt: { en: 'crash> bt -a     crash> bt -f     (every CPU, and the guilty frame\'s arguments)', zh: 'crash> bt -a     crash> bt -f（所有 CPU，以及嫌疑帧的参数）' },
  stepSearch: { en: 'Search the mailing lists and the syzbot dashboard for "{{title}}".', zh: '在邮件列表和 syzbot 面板上搜索 "{{title}}"。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** Builds the fallback over the rules whose findings count as an explanation. */
export function makeUnexplainedReport(specific: () => readonly Rule[]): Rule {
  return {
    meta: {
      id: 'KT-unexplained-report',
      rootCauseClass: 'other',
      summary: { en: 'A crash report that no specific rule explains: its kind, culprit frame and the generic next steps', zh: '没有任何专门规则能解释的崩溃报告：它的类型、嫌疑帧以及通用的下一步' },
      docs: {
        en: `Fires for each report in the input that no other rule's finding is about or quotes, with low
confidence (0.3). It states the report's kind (from its title and type), the guilty frame and
task, a class derived from the type when the type implies one (KASAN use-after-free ->
use-after-free, kmemleak -> resource-exhaustion, ...; the table is src/knowledge/report-types.ts)
and otherwise "other", and the generic first steps: disassemble the guilty frame, get every
CPU's stack, look for an earlier report.
It exists so that every report gets at least one finding; a specific rule should replace it.`,
        zh: `对输入中没有任何其他规则的结论涉及或引用的每个报告触发，置信度很低（0.3）。它给出报告的类型（来自标题
和 TYPE）、嫌疑帧和任务；如果类型本身能说明问题（KASAN use-after-free -> use-after-free、kmemleak ->
resource-exhaustion 等；对照表在 src/knowledge/report-types.ts）就用对应的根因分类，否则为 "other"；
并给出通用的第一步：反汇编嫌疑帧、查看所有 CPU 的调用栈、找更早的报告。
它的作用是保证每个报告至少有一条结论；应当用专门的规则取代它。`,
      },
      references: [],
      messages,
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
          // A finding that quotes a report's own lines (one hardware error across two CPUs' reports) explains it too.
          reports.forEach((r, i) => {
            if (d.evidence.some((e) => e.line >= r.headerLine && e.line <= r.endLine)) explained.add(i);
          });
        }
      }
      const out: FindingDraft[] = [];
      reports.forEach((r, index) => {
        if (explained.has(index)) return;
        const c = blameReport(r, 'fault');
        const culprit = culpritLabel(c);
        const task = taskLabel(r);
        const k = REPORT_TYPE_CLASSES.find((x) => x.re.test(r.type)) ?? null;
        const earlier = reports.slice(0, index).find((x) => !x.corrupted) ?? null;
        const evidence: FindingDraft['evidence'] = [{ line: r.headerLine, note: msg('evReport', { title: r.title }) }];
        if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
        if (earlier) evidence.push({ line: earlier.headerLine, note: msg('evEarlier') });
        out.push({
          report: index,
          rootCauseClass: k?.cls ?? 'other',
          confidence: 0.3,
          summary: msg('summary', { title: r.title, kind: k ? msg('kind', { what: k.what }) : null }),
          explanation: paragraphs([
            msg('printed', { title: r.title, inTask: task ? msg('inTask', { task }) : null, type: r.type !== 'UNKNOWN' ? msg('type', { type: r.type }) : null }),
            culprit ? msg('guilty', { culprit }) : null,
            r.corrupted ? msg('corrupted') : null,
            earlier ? msg('earlier', { title: earlier.title }) : null,
          ]),
          evidence,
          culprit: culpritOfBlame(c),
          nextSteps: [...(c.location ? [msg('stepDis', { location: c.location })] : []), msg('stepBt'), msg('stepSearch', { title: r.title })],
          facts: { title: r.title, type: r.type, corrupted: r.corrupted },
        });
      });
      return out;
    },
  };
}
