// Every Chinese text the tool prints: rule docs, labels, era labels, and the findings of analyses of the real logs.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../src/rules';
import { allLabels } from '../../src/render/i18n';
import { ERA_MARKERS } from '../../src/knowledge/eras';
import { triage } from '../../src/cli/triage';
import { REPO, sharedDir } from './shared';

/** The real logs the tests read: the qemu fixtures, and the cases of shared/ when present. */
export function realLogs(): string[] {
  const out: string[] = [];
  const fixtures = join(REPO, 'test', 'fixtures', 'qemu');
  for (const n of readdirSync(fixtures).sort()) if (n.endsWith('.log')) out.push(join(fixtures, n));
  const shared = sharedDir();
  if (shared) {
    for (const dir of [join(shared, 'cases'), join(shared, 'cases', 'realworld')]) {
      if (!existsSync(dir)) continue;
      for (const n of readdirSync(dir).sort()) if (existsSync(join(dir, n, 'input.txt'))) out.push(join(dir, n, 'input.txt'));
    }
  }
  return out;
}

export async function chineseTexts(): Promise<string[]> {
  const out: string[] = [];
  for (const r of RULES) out.push(r.meta.summary.zh, r.meta.docs.zh);
  out.push(...allLabels('zh'), '参考');
  for (const m of ERA_MARKERS) out.push(m.label.zh);
  for (const log of realLogs()) {
    const a = await triage(log, { lang: 'zh' });
    for (const f of a.findings) out.push(f.summary, f.explanation, ...f.nextSteps, ...f.evidence.map((e) => e.note));
    for (const r of a.reports) {
      if (!r.instruction) continue;
      out.push(r.instruction.summary.zh);
      for (const n of r.instruction.notes) out.push(n.zh);
    }
  }
  return out;
}
