// Findings for a terminal or Markdown: headline, the evidence from the user's own log, why, what to run next.

import type { RenderedFinding } from '../rules/engine';
import type { GroupedFinding } from '../rules/group';
import type { Paint } from './color';
import { t, type OutLang } from './i18n';

const WIDTH = 80;

/** Appends without spreading (a spread of a very long list overflows the call stack). */
export function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

const CJK = /[\u3000-\u9fff\uff00-\uffef]/;
/** Punctuation a line must not start with, and punctuation it must not end with (the kinsoku rules). */
const NO_LINE_START = /^[。，、；：！？）」』】〉》”’％.,;:!?)\]]$/;
const NO_LINE_END = /^[（「『【〈《“‘]$/;

function widthOf(tok: string): number {
  return CJK.test(tok) ? 2 : tok.length;
}

/** Wraps a paragraph to the terminal width; CJK characters count double; Chinese punctuation stays with its neighbour. */
export function wrapParagraph(text: string, indent: string, width = WIDTH): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    if (para.trim() === '') {
      out.push('');
      continue;
    }
    // The tokens of the current line; a space is its own token.
    let line: string[] = [];
    let lineW = 0;
    const flush = (): void => {
      while (line.length > 0 && line[line.length - 1] === ' ') line.pop();
      if (line.length > 0) out.push(indent + line.join(''));
      line = [];
      lineW = 0;
    };
    const tokens = para.match(/[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+/g) ?? [];
    for (const raw of tokens) {
      const tok = /^\s+$/.test(raw) ? ' ' : raw;
      if (tok === ' ') {
        if (lineW > 0) {
          line.push(' ');
          lineW += 1;
        }
        continue;
      }
      const w = widthOf(tok);
      if (lineW + w > width - indent.length && lineW > 0) {
        // Carry the last token over when the new one may not start a line, or the last may not end one.
        const carry: string[] = [];
        const last = line[line.length - 1];
        if (last !== ' ' && line.length > 1 && (NO_LINE_START.test(tok) || NO_LINE_END.test(last))) carry.push(line.pop() as string);
        while (carry.length > 0 && line.length > 1 && NO_LINE_END.test(line[line.length - 1])) carry.unshift(line.pop() as string);
        flush();
        for (const c of carry) {
          line.push(c);
          lineW += widthOf(c);
        }
      }
      line.push(tok);
      lineW += w;
    }
    flush();
  }
  return out;
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/**
 * The commands of one next step, one per line. Rules put several commands in a step separated by
 * runs of spaces (before another `crash>` prompt two are enough); a part in parentheses is the
 * comment on the command before it and stays beside it.
 */
export function stepParts(step: string): string[] {
  const out: string[] = [];
  for (const raw of step.split(/ {3,}| {2,}(?=crash> )/)) {
    const part = raw.trim();
    if (part === '') continue;
    if (out.length > 0 && /^[(（]/.test(part)) out[out.length - 1] += part.startsWith('(') ? `  ${part}` : part;
    else out.push(part);
  }
  return out;
}

/** Prompts and programs that start a command in a next step (what is typed, as opposed to prose). */
const COMMAND_START = /^(?:crash> |\$ |# |(?:grep|egrep|echo|cat|dmesg|modprobe|rmmod|insmod|objdump|addr2line|gdb|perf|trace-cmd|sysctl|journalctl|make|git|scripts\/\S+|\.\/\S+) )/;

/** A step part that is a command, with its comment (`crash> mod  (which modules)`), or null for prose. */
export function commandOf(part: string): { command: string; comment: string | null } | null {
  if (!COMMAND_START.test(part)) return null;
  const m = /^(.*?)\s*([(（].*[)）])$/.exec(part);
  return m && m[1] !== '' ? { command: m[1], comment: m[2] } : { command: part, comment: null };
}

/** A number as the reader's locale groups digits (20,000). */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** CPU numbers as ranges: 0-3,6. */
export function cpuRanges(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    parts.push(j > i ? `${cpus[i]}-${cpus[j]}` : `${cpus[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const MAX_TASKS_SHOWN = 4;

/** "x 20,000, lines 1-219,999, CPUs 0-3, tasks a/1, b/2 and others" for a diagnosis made more than once; null otherwise. */
export function repeatText(f: RenderedFinding, lang: OutLang): string | null {
  const g = f as Partial<GroupedFinding>;
  if (g.count === undefined || g.count < 2) return null;
  const zh = lang !== 'en';
  const sep = zh ? '，' : ', ';
  const parts = [zh ? `${t(lang, 'repeated')} ${count(g.count)} ${t(lang, 'times')}` : `x ${count(g.count)}`];
  parts.push(zh ? `第 ${count(g.firstLine ?? 0)}-${count(g.lastLine ?? 0)} ${t(lang, 'lineRange')}` : `${t(lang, 'lineRange')} ${count(g.firstLine ?? 0)}-${count(g.lastLine ?? 0)}`);
  if (g.cpus && g.cpus.length > 0) parts.push(`${g.cpus.length > 1 ? t(lang, 'cpus') : 'CPU'} ${cpuRanges(g.cpus)}`);
  if (g.tasks && g.tasks.length > 0) {
    const names = g.tasks.slice(0, MAX_TASKS_SHOWN).map((k) => `${k.comm ?? '?'}${k.pid !== null ? `/${k.pid}` : ''}`);
    const more = g.moreTasks || g.tasks.length > MAX_TASKS_SHOWN;
    parts.push(`${t(lang, g.tasks.length > 1 || more ? 'tasks' : 'task')} ${names.join(zh ? '、' : ', ')}${more ? (zh ? t(lang, 'andOthers') : ` ${t(lang, 'andOthers')}`) : ''}`);
  }
  return parts.join(sep);
}

export function culpritText(f: RenderedFinding): string | null {
  if (!f.culprit || (!f.culprit.function && !f.culprit.module)) return null;
  return [f.culprit.function, f.culprit.module ? `[${f.culprit.module}]` : null].filter(Boolean).join(' ');
}

/** The lines `--source` adds to a finding: where the culprit is defined, each source finding that explains the crash and its fix. */
export function sourceLines(f: RenderedFinding, lang: OutLang): Array<{ kind: 'where' | 'finding' | 'trace' | 'help'; text: string }> {
  const s = f.source;
  if (!s) return [];
  const out: Array<{ kind: 'where' | 'finding' | 'trace' | 'help'; text: string }> = [];
  if (s.culprit) out.push({ kind: 'where', text: `${s.culprit.function}() ${t(lang, 'definedAt')} ${s.culprit.file}:${s.culprit.line}` + (s.findings.length === 0 ? `; ${t(lang, 'noSourceFinding')}` : '') });
  for (const x of s.findings) {
    const how = x.match === 'class' ? ` (${t(lang, 'candidate')})` : '';
    out.push({ kind: 'finding', text: `${x.file}:${x.line}:${x.column}: ${x.function}(): ${x.message} [${x.rule}]${how}` });
    for (const tr of x.trace) out.push({ kind: 'trace', text: `${tr.file}:${tr.line}: ${tr.note}` });
    out.push({ kind: 'help', text: x.help });
  }
  return out;
}

export function findingsText(findings: readonly RenderedFinding[], lang: OutLang, p: Paint): string[] {
  const out: string[] = [];
  findings.forEach((f, i) => {
    const head = `${i + 1}. [${f.rootCauseClass}] ${f.summary}`;
    out.push('');
    append(out, wrapParagraph(head, '', WIDTH - 3).map((l, k) => (k === 0 ? p.bold(l) : p.bold('   ' + l.trimStart()))));
    const culprit = culpritText(f);
    append(out, wrapParagraph(`${f.rule}, ${t(lang, 'confidence')} ${Math.round(f.confidence * 100)}%${culprit ? `, ${t(lang, 'culprit')}: ${culprit}` : ''}`, '   ').map((l) => p.dim(l)));
    const again = repeatText(f, lang);
    if (again) append(out, wrapParagraph(again, '   ').map((l) => p.bold(l)));
    if (f.evidence.length > 0) {
      out.push(`   ${p.cyan(t(lang, 'evidence'))}:`);
      for (const e of f.evidence) {
        out.push(`   ${p.dim(String(e.line).padStart(5))} | ${clip(e.text.trim(), WIDTH - 12)}`);
        append(out, wrapParagraph(`= ${e.note}`, '           ').map((l) => p.yellow(l)));
      }
    }
    const src = sourceLines(f, lang);
    if (src.length > 0) {
      out.push(`   ${p.cyan(t(lang, 'inSource'))}:`);
      for (const l of src) {
        if (l.kind === 'trace') append(out, wrapParagraph(l.text, '         ').map((x) => p.dim(x)));
        else if (l.kind === 'help') append(out, wrapParagraph(`= help: ${l.text}`, '         ').map((x) => p.yellow(x)));
        else append(out, wrapParagraph(l.text, '       ').map((x, k) => (k === 0 ? '     - ' + x.trimStart() : x)).map((x) => (l.kind === 'finding' ? p.bold(x) : x)));
      }
    }
    out.push(`   ${p.cyan(t(lang, 'why'))}:`);
    append(out, wrapParagraph(f.explanation, '     '));
    if (f.nextSteps.length > 0) {
      out.push(`   ${p.cyan(t(lang, 'nextSteps'))}:`);
      for (const step of f.nextSteps) {
        // Several commands in one step: one line each.
        stepParts(step).forEach((part, j) => {
          append(out, wrapParagraph(part, '       ').map((l, k) => (k === 0 && j === 0 ? '     - ' + l.trimStart() : l)));
        });
      }
    }
  });
  return out;
}

/** Markdown of the findings; `esc` escapes prose, `code` makes an inline code span, `block` a fenced block. */
export interface MdText {
  esc(s: string): string;
  /** A line of a rule's explanation (its list items stay lists). */
  line(s: string): string;
  code(s: string): string;
  block(lines: readonly string[]): string[];
}

export function findingsMarkdown(findings: readonly RenderedFinding[], lang: OutLang, md: MdText): string[] {
  const out: string[] = [];
  findings.forEach((f, i) => {
    out.push(`### ${i + 1}. ${md.esc(f.summary)}`, '');
    const culprit = culpritText(f);
    out.push(`${md.code(f.rule)} · ${md.esc(f.rootCauseClass)} · ${md.esc(t(lang, 'confidence'))} ${Math.round(f.confidence * 100)}%${culprit ? ` · ${md.esc(t(lang, 'culprit'))}: ${md.code(culprit)}` : ''}`, '');
    const again = repeatText(f, lang);
    if (again) out.push(`**${md.esc(again)}**`, '');
    if (f.evidence.length > 0) {
      out.push(`**${md.esc(t(lang, 'evidence'))}**`, '');
      const rows: string[] = [];
      for (const e of f.evidence) rows.push(`${String(e.line).padStart(5)} | ${e.text.trim()}`, `      = ${e.note}`);
      append(out, md.block(rows));
      out.push('');
    }
    const src = sourceLines(f, lang);
    if (src.length > 0) {
      out.push(`**${md.esc(t(lang, 'inSource'))}**`, '');
      append(out, md.block(src.map((l) => (l.kind === 'trace' ? `    ${l.text}` : l.kind === 'help' ? `    = help: ${l.text}` : l.text))));
      out.push('');
    }
    out.push(`**${md.esc(t(lang, 'why'))}**`, '');
    for (const line of f.explanation.split('\n')) out.push(md.line(line));
    out.push('');
    if (f.nextSteps.length > 0) {
      out.push(`**${md.esc(t(lang, 'nextSteps'))}**`, '');
      for (const step of f.nextSteps) {
        // One line per command (a hard line break inside the list item), each command as code.
        const parts = stepParts(step).map((s) => {
          const c = commandOf(s);
          return c ? `${md.code(c.command)}${c.comment ? ` ${md.esc(c.comment)}` : ''}` : md.esc(s);
        });
        out.push(`- ${parts.join('\\\n  ')}`);
      }
      out.push('');
    }
  });
  return out;
}
