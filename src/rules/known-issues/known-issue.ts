// Matches the input against the knowledge base of known kernel bugs, respecting kernel version ranges.

import { KNOWN_ISSUES, type KnownIssue } from '../../knowledge/known-issues';
import { compareVersions, inRange, matchesDistro, parseRelease, parseVersion, versionOf, type VersionRange } from '../../knowledge/release';
import { eraOf, stackCorruptionLines } from '../facts';
import { framesOf } from '../stacks';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';

const messages = {
  summary: { en: 'Known issue: {{title}}', zh: '已知问题：{{title}}' },
  explain: { en: 'This crash matches a known issue: {{title}}. {{how}}\n\n{{fix}}', zh: '该崩溃与一个已知问题吻合：{{title}}。{{how}}\n\n{{fix}}' },
  howInRange: { en: 'Kernel {{release}} is in the affected range.', zh: '内核 {{release}} 在受影响范围内。' },
  howUpstreamBase: { en: 'Kernel {{release}} has the affected upstream base; its distribution build is not the one the fix is tracked for.', zh: '内核 {{release}} 的上游基线在受影响范围内；其发行版版本不是跟踪该修复的那个发行版。' },
  howEra: { en: 'The release is not printed; the log dates the kernel to {{era}}.', zh: '日志没有打印内核版本；据日志判断为 {{era}}。' },
  evFunction: { en: '{{fn}} on the stack', zh: '栈上出现 {{fn}}' },
  evSignal: { en: 'the sign the known issue leaves', zh: '该已知问题留下的特征' },
  evEra: { en: 'dates the kernel: {{era}}', zh: '据此判断内核年代：{{era}}' },
  stepConfirm: { en: 'Run uname -r on the machine (or crash> sys) to confirm the exact kernel build before planning the upgrade.', zh: '在机器上执行 uname -r（或 crash> sys）确认确切的内核版本，再安排升级。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

/** Derived facts a known issue can require, by name. */
const SIGNALS: Record<string, (ctx: RuleContext) => number[]> = {
  'stack-corruption': (ctx) => stackCorruptionLines(ctx).map((s) => s.line),
};

function overlaps(a: VersionRange, b: VersionRange): boolean {
  const lo = (r: VersionRange) => (r.since ? parseVersion(r.since) : ([0, 0, 0] as const));
  const hi = (r: VersionRange) => (r.before ? parseVersion(r.before) : ([999, 0, 0] as const));
  return compareVersions(lo(a), hi(b)) < 0 && compareVersions(lo(b), hi(a)) < 0;
}

function buildBefore(build: readonly number[], fixed: readonly number[]): boolean {
  for (let i = 0; i < Math.max(build.length, fixed.length); i++) {
    const x = build[i] ?? 0;
    const y = fixed[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

type KernelMatch = { confidence: number; how: L10n; line: number | null; era: L10n | null } | null;

function kernelMatches(ctx: RuleContext, issue: KnownIssue): KernelMatch {
  const raw = ctx.analysis.kernel.release;
  const rel = raw ? parseRelease(raw) : null;
  if (rel) {
    if (!inRange(versionOf(rel), issue.range)) return null;
    if (issue.distro) {
      if (!matchesDistro(rel, issue.distro)) return { confidence: 0.5, how: msg('howUpstreamBase', { release: raw }), line: null, era: null };
      if (issue.distro.fixedBuild && !buildBefore(rel.distroBuild, issue.distro.fixedBuild)) return null;
    }
    return { confidence: 0.8, how: msg('howInRange', { release: raw }), line: null, era: null };
  }
  const era = eraOf(ctx);
  if (era && overlaps(era.range, issue.range)) {
    return { confidence: 0.7, how: msg('howEra', { era: era.label }), line: era.line, era: era.label };
  }
  return null;
}

export const knownIssue: Rule = {
  meta: {
    id: 'KT-known-issue',
    rootCauseClass: 'other',
    summary: { en: 'The crash matches a known kernel bug with a known fix', zh: '该崩溃与一个已知且已有修复的内核 bug 吻合' },
    docs: {
      en: `Compares the input with the knowledge base of known bugs (src/knowledge/known-issues.ts): each
entry names the functions that must be on the stacks, the derived facts that must hold (e.g.
signs of stack corruption), and the kernel versions affected, upstream and per distro with
the first fixed build. A kernel outside the range never gets the advice; when the release is
not printed, the era the log shows (e.g. a "last sysfs file:" line) is used, at lower
confidence. The finding gives the fix: the kernel to upgrade to and the upstream commits.`,
      zh: `把输入与已知 bug 知识库（src/knowledge/known-issues.ts）比对：每个条目规定了调用栈上必须出现的函数、
必须成立的推导事实（例如栈被破坏的迹象），以及受影响的内核版本（上游以及各发行版，含第一个修复版本）。
范围之外的内核绝不会得到该建议；日志没有打印内核版本时，使用日志体现的年代（例如 "last sysfs file:" 行），
置信度相应降低。诊断结果给出修复方法：应升级到的内核版本以及上游提交。`,
    },
    references: [],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const frames = [...ctx.analysis.reports.flatMap((r) => r.traces.flatMap(framesOf)), ...ctx.analysis.backtraces.flatMap(framesOf)];
    for (const issue of KNOWN_ISSUES) {
      const hits = issue.functions.map((p) => frames.find((f) => f.function !== null && p.test(f.function)));
      if (hits.some((h) => !h)) continue;
      const signalLines = issue.signals.map((s) => SIGNALS[s]?.(ctx) ?? []);
      if (signalLines.some((l) => l.length === 0)) continue;
      const k = kernelMatches(ctx, issue);
      if (!k) continue;
      const evidence: FindingDraft['evidence'] = [
        ...hits.map((h) => ({ line: (h as { line: number }).line, note: msg('evFunction', { fn: (h as { function: string }).function }) })),
        ...signalLines.flat().map((line) => ({ line, note: msg('evSignal') })),
      ];
      if (k.line !== null && k.era) evidence.push({ line: k.line, note: msg('evEra', { era: k.era }) });
      out.push({
        rootCauseClass: issue.rootCauseClass,
        confidence: k.confidence,
        summary: msg('summary', { title: issue.title }),
        explanation: msg('explain', { title: issue.title, how: k.how, fix: issue.fix }),
        evidence,
        culprit: null,
        nextSteps: [issue.fix, msg('stepConfirm')],
        references: [...issue.references],
        facts: { knownIssue: issue.id, kernelMatch: k.how.en },
      });
    }
    return out;
  },
};
