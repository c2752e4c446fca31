// Every sentence of every finding on every real log reads as a finished sentence, in English and in Chinese.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../src/analyze/analyze';
import { runRules, type RenderedFinding } from '../src/rules/engine';
import { RULES } from '../src/rules';
import { REPO, sharedDir } from './support/shared';

const CJK = /[\u4e00-\u9fff]/;

/** The real logs to read: seed and published cases, qemu fixtures, a sample of the syzkaller corpus. */
function realLogs(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  const shared = sharedDir();
  if (shared) {
    for (const base of [join(shared, 'cases'), join(shared, 'cases', 'realworld')]) {
      if (!existsSync(base)) continue;
      for (const d of readdirSync(base).sort()) {
        const p = join(base, d, 'input.txt');
        if (existsSync(p)) out.push({ name: p, text: readFileSync(p, 'utf8') });
      }
    }
    const corpus = join(shared, 'corpus', 'syzkaller-linux', 'report');
    if (existsSync(corpus)) {
      readdirSync(corpus).sort().forEach((n, i) => {
        if (i % 5 !== 0) return;
        const b = readFileSync(join(corpus, n));
        const sep = b.indexOf('\n\n');
        out.push({ name: `corpus/${n}`, text: (sep < 0 ? b : b.subarray(sep + 2)).toString('utf8') });
      });
    }
  }
  for (const dir of ['test/fixtures/qemu', 'test/fixtures/qemu-debug']) {
    const d = join(REPO, dir);
    if (!existsSync(d)) continue;
    for (const n of readdirSync(d).filter((x) => x.endsWith('.log')).sort()) out.push({ name: `${dir}/${n}`, text: readFileSync(join(d, n), 'utf8') });
  }
  return out;
}

/** What a reader notices in a sentence: a gap where a value was missing, a template artefact, a doubled word. */
function englishProblems(raw: string): string[] {
  const p: string[] = [];
  // Abbreviations and called functions are not sentence ends or empty parentheses.
  const text = raw.replace(/\b(?:e\.g|i\.e|etc|vs)\./g, 'eg').replace(/[\w*]\(\)/g, 'f');
  if (/\{\{\w+\}\}/.test(text)) p.push('unfilled placeholder');
  // "undefined behaviour" and "the result is undefined" are English; a bare "undefined" where a value belongs is not.
  if (/\bNaN\b|\[object Object\]|(?<!\b(?:is|are) )\bundefined\b(?! behaviou?r)/.test(text)) p.push('a missing value printed');
  if (/(?:^|[\s(])null(?:[\s).,:;]|$)/.test(text) && !/\(null\)/.test(text)) p.push('"null" printed as a value');
  if (/ {2,}(?=\S)/.test(text.replace(/ {2,}\(/g, ' (').replace(/crash> .*$/gm, ''))) p.push('double space');
  if (/\s[,.;:](?:\s|$)/.test(text.replace(/\.{3}|\s\.\w/g, ''))) p.push('space before punctuation');
  if (/\b(\w{2,})\s+\1\b/i.test(text.replace(/0x[0-9a-f]+|\d+/gi, ''))) p.push(`doubled word "${/\b(\w{2,})\s+\1\b/i.exec(text.replace(/0x[0-9a-f]+|\d+/gi, ''))?.[1]}"`);
  if (/\(\s*\)(?<!\w\(\s*\))/.test(text.replace(/\w\(\)/g, ''))) p.push('empty parentheses');
  if (/[a-z]\(s\)/.test(text)) p.push('a plural left to the reader ("(s)")');
  if (/(?:^|[.!?]\s+)[a-z]{2,}\s/.test(text.replace(/(?:^|[.!?]\s+)(?:crash>|e\.g\.|i\.e\.|[a-z_][\w.]*\(|[a-z_]+[_\d][\w.]*|[a-z]+\/|dis|bt|rd|ps|log|mod|echo|lspci|ras-mc-ctl|ipmitool|kmem|struct|sym|foreach|vtop|dev|timer|runq|p|irq|waitq|files|net|sys)\b/g, '. X')) && !/^[a-z_][\w.]*\b/.test(text)) p.push('a sentence starts in lower case');
  return p;
}

function chineseProblems(raw: string): string[] {
  const p: string[] = [];
  const text = raw.replace(/[\w*]\(\)/g, 'f');
  if (!CJK.test(text) && !/^\s*crash> [^\u4e00-\u9fff]*$/.test(text)) p.push('no Chinese text');
  if (/\{\{\w+\}\}/.test(text)) p.push('unfilled placeholder');
  if (/\b(?:undefined|NaN)\b/.test(text)) p.push('a missing value printed');
  if (/（\s*）|\(\s*\)(?<!\w\(\))/.test(text.replace(/\w\(\)/g, ''))) p.push('empty parentheses');
  if (/[，。；：、]\s*[，。；：、]/.test(text)) p.push('doubled punctuation');
  // A phrase filled into a template written for a name: "持有 这把锁 时".
  if (/[\u4e00-\u9fff] [\u4e00-\u9fff]/.test(text)) p.push('a space between Chinese words');
  return p;
}

function problemsOf(f: RenderedFinding, lang: 'en' | 'zh'): string[] {
  const texts = [f.summary, f.explanation, ...f.nextSteps, ...f.evidence.map((e) => e.note)];
  const check = lang === 'en' ? englishProblems : chineseProblems;
  const out: string[] = [];
  for (const t of texts) for (const p of check(t)) out.push(`${p}: ${t.slice(0, 160)}`);
  return out;
}

test('every finding on every real log reads as finished sentences in English and Chinese', { skip: sharedDir() ? false : 'shared/ is absent' }, async () => {
  const problems: string[] = [];
  for (const log of realLogs()) {
    const a = await analyzeText(log.name, log.text);
    for (const lang of ['en', 'zh'] as const) {
      for (const f of runRules(a, lang)) for (const p of problemsOf(f, lang)) problems.push(`${log.name} ${f.rule} [${lang}] ${p}`);
    }
  }
  const unique = [...new Set(problems)];
  assert.equal(unique.length, 0, `${unique.length} problems:\n${unique.slice(0, 60).join('\n')}`);
});

test('every rule documents itself in both languages, and its messages fill every placeholder they use', () => {
  for (const r of RULES) {
    assert.ok(r.meta.docs.en.trim() && CJK.test(r.meta.docs.zh), `${r.meta.id}: docs in both languages`);
    for (const [id, m] of Object.entries(r.meta.messages ?? {})) {
      // A fragment such as " (EFLAGS {{value}})" has no words to translate, only punctuation to localise.
      const words = m.en.replace(/\{\{\w+\}\}/g, '').replace(/[^A-Za-z]/g, '').length;
      assert.ok(m.en.trim() !== '' && (CJK.test(m.zh) || /[（）：，。；]/.test(m.zh) || words <= 8), `${r.meta.id}.${id}: both languages`);
      const en = new Set([...m.en.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]));
      const zh = new Set([...m.zh.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]));
      assert.deepEqual([...zh].sort(), [...en].sort(), `${r.meta.id}.${id}: the two languages use the same placeholders`);
    }
  }
});
