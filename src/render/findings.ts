// Findings for a terminal or Markdown: headline, the evidence from the user's own log, why, what to run next.

import type { RenderedFinding } from '../rules/engine';
import type { Paint } from './color';
import { t, type Lang } from './i18n';

const WIDTH = 80;

/** Wraps a paragraph to the terminal width; CJK characters count double. */
export function wrapParagraph(text: string, indent: string, width = WIDTH): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    if (para.trim() === '') {
      out.push('');
      continue;
    }
    let cur = '';
    let curW = 0;
    const tokens = para.match(/[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+/g) ?? [];
    for (const tok of tokens) {
      if (/^\s+$/.test(tok)) {
        if (curW > 0) {
          cur += ' ';
          curW += 1;
        }
        continue;
      }
      const w = /[\u3000-\u9fff\uff00-\uffef]/.test(tok) ? 2 : tok.length;
      if (curW + w > width - indent.length && curW > 0) {
        out.push(indent + cur.trimEnd());
        cur = '';
        curW = 0;
      }
      cur += tok;
      curW += w;
    }
    if (curW > 0) out.push(indent + cur.trimEnd());
  }
  return out;
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function findingsText(findings: readonly RenderedFinding[], lang: Lang, p: Paint): string[] {
  const out: string[] = [];
  findings.forEach((f, i) => {
    const head = `${i + 1}. [${f.rootCauseClass}] ${f.summary}`;
    out.push('');
    out.push(...wrapParagraph(head, '', WIDTH - 3).map((l, k) => (k === 0 ? p.bold(l) : p.bold('   ' + l.trimStart()))));
    const culprit = f.culprit && (f.culprit.function || f.culprit.module) ? `, ${t(lang, 'culprit')}: ${[f.culprit.function, f.culprit.module ? `[${f.culprit.module}]` : null].filter(Boolean).join(' ')}` : '';
    out.push(p.dim(`   ${f.rule}, ${t(lang, 'confidence')} ${Math.round(f.confidence * 100)}%${culprit}`));
    if (f.evidence.length > 0) {
      out.push(`   ${p.cyan(t(lang, 'evidence'))}:`);
      for (const e of f.evidence) {
        out.push(`   ${p.dim(String(e.line).padStart(5))} | ${clip(e.text.trim(), WIDTH - 12)}`);
        out.push(...wrapParagraph(`= ${e.note}`, '           ').map((l) => p.yellow(l)));
      }
    }
    out.push(`   ${p.cyan(t(lang, 'why'))}:`);
    out.push(...wrapParagraph(f.explanation, '     '));
    if (f.nextSteps.length > 0) {
      out.push(`   ${p.cyan(t(lang, 'nextSteps'))}:`);
      for (const step of f.nextSteps) {
        // Several commands in one step are separated by runs of spaces: one line each.
        step.split(/ {3,}/).forEach((part, j) => {
          out.push(...wrapParagraph(part, '       ').map((l, k) => (k === 0 && j === 0 ? '     - ' + l.trimStart() : l)));
        });
      }
    }
  });
  return out;
}

export function findingsMarkdown(findings: readonly RenderedFinding[], lang: Lang, esc: (s: string) => string): string[] {
  const out: string[] = [];
  findings.forEach((f, i) => {
    out.push(`### ${i + 1}. ${esc(f.summary)}`, '');
    out.push(`\`${f.rule}\` · ${f.rootCauseClass} · ${t(lang, 'confidence')} ${Math.round(f.confidence * 100)}%${f.culprit && (f.culprit.function || f.culprit.module) ? ` · ${t(lang, 'culprit')}: \`${[f.culprit.function, f.culprit.module ? `[${f.culprit.module}]` : null].filter(Boolean).join(' ')}\`` : ''}`, '');
    if (f.evidence.length > 0) {
      out.push(`**${t(lang, 'evidence')}**`, '', '```');
      for (const e of f.evidence) out.push(`${String(e.line).padStart(5)} | ${e.text.trim()}`, `      = ${e.note}`);
      out.push('```', '');
    }
    out.push(`**${t(lang, 'why')}**`, '', ...f.explanation.split('\n'), '');
    if (f.nextSteps.length > 0) out.push(`**${t(lang, 'nextSteps')}**`, '', ...f.nextSteps.map((s) => `- ${s}`), '');
  });
  return out;
}
