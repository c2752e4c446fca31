// Runs every rule over an analysed input, quotes the evidence lines, localises and ranks the findings.

import type { Finding, LogLine } from '../model/types';
import { lineAt, type Analysis } from '../analyze/analyze';
import type { Lang } from '../render/i18n';
import type { FindingDraft, L10n, Rule, RuleContext } from './types';
import { linkReports, type ReportLink } from './sequence';
import { RULES } from './index';

/** A finding as printed: the contract's fields plus the structured facts it rests on. */
export type RenderedFinding = Finding & {
  secondaryClasses: string[];
  facts: Record<string, unknown>;
  report: number | null;
};

export function makeContext(a: Analysis): RuleContext {
  // Rules ask the same question once per report (is the panic message printed? which era?):
  // each distinct search is made once, so a log of many reports costs a scan per question, not per report.
  const searched = new Map<string, LogLine[]>();
  return {
    analysis: a,
    line: (no) => lineAt(a, no),
    findLines(needle, limit = 50) {
      const key = `${typeof needle === 'string' ? 's' : `r${needle.flags}`}:${limit}:${typeof needle === 'string' ? needle : needle.source}`;
      const known = searched.get(key);
      if (known) return known.slice();
      const out: LogLine[] = [];
      search: for (const region of a.regions) {
        for (const l of region) {
          if (typeof needle === 'string' ? l.text.includes(needle) : needle.test(l.text)) {
            out.push(l);
            if (out.length >= limit) break search;
          }
        }
      }
      if (searched.size < 4096) searched.set(key, out);
      return out.slice();
    },
  };
}

function render(rule: Rule, d: FindingDraft, ctx: RuleContext, lang: Lang): RenderedFinding {
  const seen = new Set<number>();
  const evidence = [];
  for (const e of d.evidence) {
    if (seen.has(e.line)) continue;
    seen.add(e.line);
    const l = ctx.line(e.line);
    evidence.push({ line: e.line, text: l ? l.raw : '', note: e.note[lang] });
  }
  evidence.sort((x, y) => x.line - y.line);
  return {
    rule: rule.meta.id,
    rootCauseClass: d.rootCauseClass ?? rule.meta.rootCauseClass,
    confidence: Math.round(d.confidence * 100) / 100,
    summary: d.summary[lang],
    explanation: d.explanation[lang],
    evidence,
    culprit: d.culprit,
    nextSteps: d.nextSteps.map((s) => s[lang]),
    references: [...rule.meta.references, ...(d.references ?? [])],
    secondaryClasses: d.secondaryClasses ?? [],
    facts: d.facts ?? {},
    report: d.report ?? null,
  };
}

/**
 * Some rules ask other rules first (the fallback asks every specific rule which reports they
 * explain): each rule's drafts are computed once per context, so a log of many reports is not
 * analysed twice over.
 */
function checkOncePerContext(rule: Rule): void {
  const check = rule.check.bind(rule);
  const done = new WeakMap<RuleContext, FindingDraft[]>();
  rule.check = (ctx) => {
    const known = done.get(ctx);
    if (known) return known;
    const drafts = check(ctx);
    done.set(ctx, drafts);
    return drafts;
  };
}
RULES.forEach(checkOncePerContext);

/** All findings for the input, most likely explanation first. A rule that throws is reported, not fatal. */
export function runRules(a: Analysis, lang: Lang, rules: readonly Rule[] = RULES): RenderedFinding[] {
  const ctx = makeContext(a);
  const drafts: Array<{ rule: Rule; d: FindingDraft; order: number }> = [];
  rules.forEach((rule, order) => {
    let found: FindingDraft[];
    try {
      found = rule.check(ctx);
    } catch (e) {
      a.notes.push(`rule ${rule.meta.id} failed: ${(e as Error).message}`);
      return;
    }
    for (const d of found) drafts.push({ rule, d, order });
  });
  applyLinks(a, drafts.map((x) => x.d));
  const out = drafts.map(({ rule, d, order }) => ({ f: render(rule, d, ctx, lang), order }));
  out.sort((x, y) => y.f.confidence - x.f.confidence || x.order - y.order);
  return out.map((x) => x.f);
}

const LINK_NOTES: Record<ReportLink['why'], L10n> = {
  'exit-of-oopsed-task': { en: 'printed while the task that oopsed above was exiting: it repeats that oops (the lock, count or IRQ state it died with)', zh: '这是上面 oops 的任务退出时打印的：它只是重复那次 oops（任务死亡时持有的锁、计数或中断状态）' },
  'same-task-soon-after': { en: 'the same task faulted soon after this warning: the warning is the first sign of the bug', zh: '同一任务在这个警告之后不久就出错了：这个警告是该 bug 的第一个迹象' },
  'freed-memory-fault': { en: 'a fault on memory soon after a check said it was freed or corrupted: the earlier report is the cause', zh: '在检查报告内存已释放或被破坏之后不久发生了内存访问错误：前面的报告才是原因' },
  'taint-says-earlier-oops': { en: 'tainted D: an earlier oops came first', zh: '带有 D 污染标记：之前已经发生过 oops' },
};

/** An earlier report that explains a later one ranks above it; the later one's findings say whose consequence they are. */
function applyLinks(a: Analysis, drafts: FindingDraft[]): void {
  const links = linkReports(a);
  if (links.length === 0) return;
  const byReport = new Map<number, FindingDraft[]>();
  for (const d of drafts) {
    if (d.report === undefined) continue;
    const list = byReport.get(d.report);
    if (list) list.push(d);
    else byReport.set(d.report, [d]);
  }
  for (const link of links) {
    const later = byReport.get(link.consequence) ?? [];
    const earlier = byReport.get(link.cause) ?? [];
    if (earlier.length === 0) continue;
    const top = Math.max(0, ...later.map((d) => d.confidence));
    for (const d of later) {
      d.confidence = Math.round(d.confidence * 0.55 * 100) / 100;
      d.facts = { ...(d.facts ?? {}), consequenceOf: link.cause };
    }
    const head = a.reports[link.consequence];
    for (const d of earlier) {
      d.confidence = Math.min(0.97, Math.max(d.confidence, top + 0.02));
      const explains = Array.isArray(d.facts?.explains) ? (d.facts?.explains as number[]) : [];
      d.facts = { ...(d.facts ?? {}), explains: [...explains, link.consequence] };
      if (head) d.evidence.push({ line: head.headerLine, note: LINK_NOTES[link.why] });
    }
  }
}
