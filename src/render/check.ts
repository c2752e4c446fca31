// What `ktriage check` prints: compiler-style text with the source lines marked, the contract's JSON, or SARIF 2.1.0.

import type { CheckFinding, CheckResult } from '../source/check';
import type { CheckMeta } from '../source/checks/types';

type Lang = 'en' | 'zh';

function caret(line: string, column: number, endColumn: number): string {
  const pad = line.slice(0, column - 1).replace(/[^\t]/g, ' ');
  return `${pad}^${'~'.repeat(Math.max(0, endColumn - column - 1))}`;
}

function quoted(f: CheckFinding, file: string, line: number, column: number, endColumn: number, label: string): string[] {
  const text = f.source[`${file}:${line}`];
  if (text === undefined) return [];
  const gutter = String(line).padStart(5);
  const where = file !== f.file ? [`  --> ${file}:${line}:${column}`] : [];
  return [...where, `${gutter} | ${text}`, `${' '.repeat(5)} | ${caret(text, column, endColumn)} ${label}`];
}

export function checkText(r: CheckResult, lang: Lang): string {
  const out: string[] = [];
  for (const f of r.findings) {
    out.push(`${f.file}:${f.line}:${f.column}: ${lang === 'zh' ? '错误' : 'error'}: ${f.message[lang]} [${f.rule}]`);
    out.push(`  ${lang === 'zh' ? '在函数' : 'in function'} ${f.function}()`);
    // The finding's own file in line order, then what other files add.
    const steps = [...f.trace].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === f.file ? -1 : 1));
    for (const t of steps) {
      const text = f.source[`${t.file}:${t.line}`] ?? '';
      const end = t.column + Math.max(1, (text.slice(t.column - 1).match(/^[\w>.&-]+(?:\([^)]*\))?/)?.[0].length ?? 1));
      out.push(...quoted(f, t.file, t.line, t.column, end, t.note[lang]));
    }
    out.push(...quoted(f, f.file, f.line, f.column, f.endColumn, lang === 'zh' ? '此处' : 'here'));
    out.push(`  = ${lang === 'zh' ? '建议' : 'help'}: ${f.help[lang]}`, '');
  }
  const byRule = new Map<string, number>();
  for (const f of r.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  const tally = [...byRule].map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(
    lang === 'zh'
      ? `${r.files} 个文件，${r.functions} 个函数，${r.findings.length} 个问题${tally ? `（${tally}）` : ''}`
      : `${r.files} file${r.files === 1 ? '' : 's'}, ${r.functions} function${r.functions === 1 ? '' : 's'}, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}${tally ? ` (${tally})` : ''}`,
  );
  for (const n of r.notes) out.push(`note: ${n}`);
  for (const s of r.skipped.slice(0, 20)) out.push(`note: ${s.file}:${s.line}: ${s.function}() not analysed: it did not parse`);
  if (r.skipped.length > 20) out.push(`note: ... and ${r.skipped.length - 20} more functions not analysed`);
  return `${out.join('\n')}\n`;
}

/** The contract's JSON of `check`, with the project's extra fields (docs/json.md). */
export function checkJson(r: CheckResult, lang: Lang): unknown {
  return {
    files: r.files,
    functions: r.functions,
    skippedFunctions: r.skipped,
    findings: r.findings.map((f) => ({
      rule: f.rule,
      class: f.class,
      file: f.file,
      line: f.line,
      column: f.column,
      endColumn: f.endColumn,
      function: f.function,
      message: f.message[lang],
      help: f.help[lang],
      trace: f.trace.map((t) => ({ file: t.file, line: t.line, column: t.column, note: t.note[lang] })),
    })),
    unreadable: r.unreadable,
    notes: r.notes,
  };
}

/** SARIF 2.1.0, as GitHub code scanning reads it: one run, the checks as rules, each finding with its related locations. */
export function checkSarif(r: CheckResult, checks: readonly CheckMeta[], version: string, lang: Lang): unknown {
  const uri = (p: string): string => p.replace(/\\/g, '/').replace(/^\.\//, '');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ktriage',
            version,
            informationUri: 'https://github.com/ktriage/ktriage',
            rules: checks.map((c) => ({
              id: c.id,
              name: c.id.replace(/^KT-check-/, '').replace(/-(\w)/g, (_m, x: string) => x.toUpperCase()),
              shortDescription: { text: c.summary[lang] },
              fullDescription: { text: c.docs[lang].replace(/\n/g, ' ') },
              help: { text: c.docs[lang] },
              properties: { 'root-cause-class': c.rootCauseClass, tags: [c.rootCauseClass] },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results: r.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: checks.findIndex((c) => c.id === f.rule),
          level: 'error',
          message: { text: `${f.message[lang]}; ${f.help[lang]}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.file) }, region: { startLine: f.line, startColumn: f.column, endColumn: Math.max(f.column + 1, f.endColumn) } }, logicalLocations: [{ name: f.function, kind: 'function' }] }],
          relatedLocations: f.trace.map((t, i) => ({ id: i + 1, physicalLocation: { artifactLocation: { uri: uri(t.file) }, region: { startLine: t.line, startColumn: t.column } }, message: { text: t.note[lang] } })),
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
