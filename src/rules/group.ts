// Folds repeated findings into one per distinct diagnosis: how often it recurred, where, and on which CPUs and tasks.

import type { CrashReport, Evidence } from '../model/types';
import type { Lang } from '../render/i18n';
import type { RenderedFinding } from './engine';
import { RULES } from './index';

/** Distinct CPUs listed on a grouped finding (all of a machine's CPUs fit; more is a report of garbage). */
export const MAX_GROUP_CPUS = 64;
/** Distinct tasks listed on a grouped finding; `moreTasks` says when others were seen. */
export const MAX_GROUP_TASKS = 16;
/** Distinct diagnoses kept for one input; later new ones are only counted (`GroupedFindings.dropped`). */
export const MAX_GROUPS = 1000;

export interface GroupTask {
  comm: string | null;
  pid: number | null;
}

/** A finding as printed, with the occurrences of its diagnosis folded in (count 1 when it occurred once). */
export type GroupedFinding = RenderedFinding & {
  /** How many times the diagnosis was made (once per report it explains). */
  count: number;
  /** First line of the first occurrence and last line of the last one (1-based input lines). */
  firstLine: number;
  lastLine: number;
  /** CPUs and tasks of the reports it explains, in order of first appearance, bounded. */
  cpus: number[];
  tasks: GroupTask[];
  /** Tasks beyond MAX_GROUP_TASKS were seen. */
  moreTasks: boolean;
};

/** One finding as added: whether its diagnosis is new, how often it was made so far, and its group's number (0-based, in order of first occurrence). */
export interface Occurrence {
  finding: RenderedFinding;
  isNew: boolean;
  count: number;
  group: number;
}

/** The part of a report a group needs: where it is and who ran it. */
type ReportPlace = Pick<CrashReport, 'title' | 'startLine' | 'endLine' | 'cpu' | 'pid' | 'comm'>;

/**
 * What makes two findings the same diagnosis: the same rule, root-cause class and culprit
 * (function and module), about reports of the same title. syzkaller's titles are built to be
 * stable across occurrences (numbers and addresses are not in them) and to tell different bugs
 * apart, so they are the report's identity; a finding that explains no report is identified by
 * its summary instead.
 */
export function diagnosisKey(f: RenderedFinding, report: ReportPlace | null): string {
  return JSON.stringify([f.rule, f.rootCauseClass, f.culprit?.function ?? null, f.culprit?.module ?? null, report ? report.title : null, report ? null : f.summary]);
}

interface Group {
  finding: RenderedFinding;
  seq: number;
  order: number;
  count: number;
  firstLine: number;
  lastLine: number;
  lastReport: number | null;
  cpus: number[];
  tasks: GroupTask[];
  moreTasks: boolean;
  /** One evidence line of the latest later occurrence. */
  later: { line: number; text: string } | null;
}

const RULE_ORDER = new Map(RULES.map((r, i) => [r.meta.id, i]));

function spanOf(f: RenderedFinding, report: ReportPlace | null): { first: number; last: number } {
  if (report) return { first: report.startLine, last: report.endLine };
  const lines = f.evidence.map((e) => e.line);
  return lines.length > 0 ? { first: Math.min(...lines), last: Math.max(...lines) } : { first: 0, last: 0 };
}

function laterNote(g: Group, lang: Lang): string {
  const n = g.count.toLocaleString('en-US');
  const span = `${g.firstLine.toLocaleString('en-US')}-${g.lastLine.toLocaleString('en-US')}`;
  return lang === 'zh' ? `同一诊断的后一次出现：共 ${n} 次，第 ${span} 行` : `a later occurrence of the same diagnosis: ${n} in all, lines ${span}`;
}

/** Collects the findings of one input, batch after batch, into one finding per distinct diagnosis. */
export class FindingGroups {
  private readonly groups = new Map<string, Group>();
  private seq = 0;
  /** Findings of new diagnoses that came after MAX_GROUPS were kept. */
  dropped = 0;

  constructor(private readonly lang: Lang) {}

  /**
   * Adds findings whose `report` indexes `reports`; `offset` turns them into indexes among all the
   * input's reports. Says for each finding whether its diagnosis is new and how often it was made so far.
   */
  add(findings: readonly RenderedFinding[], reports: readonly ReportPlace[], offset = 0): Occurrence[] {
    const out: Occurrence[] = [];
    for (const f of findings) {
      const local = f.report;
      const report = local !== null && local >= 0 && local < reports.length ? reports[local] : null;
      const global = local !== null ? local + offset : null;
      let key = diagnosisKey(f, report);
      // Two findings of one rule on one report are two diagnoses, not a repeat.
      if (global !== null && this.groups.get(key)?.lastReport === global) key += `\u0000${f.summary}`;
      const span = spanOf(f, report);
      let g = this.groups.get(key);
      const isNew = !g;
      if (!g) {
        if (this.groups.size >= MAX_GROUPS) {
          this.dropped++;
          continue;
        }
        g = {
          finding: { ...f, report: global },
          seq: this.seq++,
          order: RULE_ORDER.get(f.rule) ?? RULES.length,
          count: 0,
          firstLine: span.first,
          lastLine: span.last,
          lastReport: null,
          cpus: [],
          tasks: [],
          moreTasks: false,
          later: null,
        };
        this.groups.set(key, g);
      } else {
        g.later = laterLine(f, report);
      }
      g.count++;
      g.lastLine = Math.max(g.lastLine, span.last);
      g.firstLine = Math.min(g.firstLine, span.first);
      g.lastReport = global;
      if (report) this.addPlace(g, report);
      out.push({ finding: f, isNew, count: g.count, group: g.seq });
    }
    return out;
  }

  private addPlace(g: Group, r: ReportPlace): void {
    if (r.cpu !== null && !g.cpus.includes(r.cpu) && g.cpus.length < MAX_GROUP_CPUS) g.cpus.push(r.cpu);
    if (r.comm === null && r.pid === null) return;
    if (g.tasks.some((t) => t.comm === r.comm && t.pid === r.pid)) return;
    if (g.tasks.length < MAX_GROUP_TASKS) g.tasks.push({ comm: r.comm, pid: r.pid });
    else g.moreTasks = true;
  }

  /** The grouped findings, most likely explanation first (ties: rule order, then first occurrence). */
  result(): GroupedFinding[] {
    const all = [...this.groups.values()];
    all.sort((x, y) => y.finding.confidence - x.finding.confidence || x.order - y.order || x.seq - y.seq);
    return all.map((g) => {
      const evidence: Evidence[] = g.finding.evidence.slice();
      if (g.later && !evidence.some((e) => e.line === g.later?.line)) evidence.push({ line: g.later.line, text: g.later.text, note: laterNote(g, this.lang) });
      return {
        ...g.finding,
        evidence,
        count: g.count,
        firstLine: g.firstLine,
        lastLine: g.lastLine,
        cpus: g.cpus.slice().sort((a, b) => a - b),
        tasks: g.tasks,
        moreTasks: g.moreTasks,
      };
    });
  }
}

/** The line a later occurrence is cited by: its report's header when quoted, else its first evidence line. */
function laterLine(f: RenderedFinding, report: ReportPlace | null): { line: number; text: string } | null {
  const ev = f.evidence;
  if (ev.length === 0) return null;
  const header = report ? ev.find((e) => e.line === report.startLine) : undefined;
  const pick = header ?? ev.find((e) => e.line >= (report?.startLine ?? 0)) ?? ev[0];
  return { line: pick.line, text: pick.text };
}

/** Groups the findings of an input analysed in one piece. */
export function groupFindings(findings: readonly RenderedFinding[], reports: readonly ReportPlace[], lang: Lang): GroupedFinding[] {
  const g = new FindingGroups(lang);
  g.add(findings, reports);
  return g.result();
}
