// Run in a child process under a memory cap: analyses one flood and renders it in every format, printing what it saw.
// Usage: node --max-old-space-size=N flood-child.js FLOOD OUT-DIR

import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { triage } from '../../src/cli/triage';
import { ReportSpool, writeAnalysisJson } from '../../src/render/json';
import { renderText } from '../../src/render/text';
import { renderMarkdown } from '../../src/render/markdown';
import { renderHtml } from '../../src/render/html';
import { PLAIN } from '../../src/render/color';

async function main(): Promise<void> {
  const [flood, outDir] = process.argv.slice(2);
  const spools = { json: new ReportSpool(2), jsonl: new ReportSpool(null) };
  const a = await triage(flood, {
    lang: 'en',
    onReport(r) {
      spools.json.add(r);
      spools.jsonl.add(r);
    },
  });
  const sizes: Record<string, number> = {};
  for (const [format, depth] of [['json', 1], ['jsonl', null]] as const) {
    const file = createWriteStream(join(outDir, `flood.${format}`));
    let n = 0;
    const write = (s: string): Promise<void> => {
      n += s.length;
      return new Promise((resolve) => (file.write(s) ? resolve() : file.once('drain', () => resolve())));
    };
    await writeAnalysisJson(a, spools[format], write, depth);
    await new Promise((resolve) => file.end(resolve));
    sizes[format] = n;
  }
  const text = renderText(a, 'en', PLAIN);
  const md = renderMarkdown(a, 'en');
  const html = renderHtml(a, 'en');
  process.stdout.write(
    JSON.stringify({
      reports: a.reportCount,
      kept: a.reports.length,
      findings: a.findings.map((f) => ({ rule: f.rule, count: f.count, firstLine: f.firstLine, lastLine: f.lastLine, cpus: f.cpus, evidence: f.evidence.length })),
      sizes: { ...sizes, text: text.length, md: md.length, html: html.length },
      text,
      md: md.slice(0, 20000),
      html: html.slice(0, 20000),
      heapMb: process.memoryUsage().heapUsed / 1e6,
    }),
  );
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exitCode = 1;
});
