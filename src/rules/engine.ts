// Runs every rule over an analysed input, quotes the evidence lines, localises and ranks the findings.

import type { Finding, LogLine } from '../model/types';
import { lineAt, type Analysis } from '../analyze/analyze';
import type { Lang } from '../render/i18n';
import type { FindingDraft, Rule, RuleContext } from './types';
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
  const out: Array<{ f: RenderedFinding; order: number }> = [];
  rules.forEach((rule, order) => {
    let drafts: FindingDraft[];
    try {
      drafts = rule.check(ctx);
    } catch (e) {
      a.notes.push(`rule ${rule.meta.id} failed: ${(e as Error).message}`);
      return;
    }
    for (const d of drafts) out.push({ f: render(rule, d, ctx, lang), order });
  });
  out.sort((x, y) => y.f.confidence - x.f.confidence || x.order - y.order);
  return out.map((x) => x.f);
}
