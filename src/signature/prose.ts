// Tells the text around a pasted log (blog prose, markdown, front matter) from the kernel's own lines.

import type { LogLine } from '../model/types';

/** Markdown headings, code fences and block quotes of an empty line: markup, never kernel output. */
const markup = /^\s{0,3}(?:#{1,6}\s+[A-Za-z`*_]|```|~~~|>\s*$)/;
/** YAML front matter starts the document with `---` and ends with `---` or `...` a few lines on. */
const FRONT_MATTER_MAX_LINES = 60;
const frontMatterFence = /^(?:---|\.\.\.)\s*$/;

/** A word of prose: letters, an apostrophe, and punctuation that ends a word. */
const proseWord = /^[A-Za-z][a-z]*(?:'[a-z]+)?[,.;:!?)]*$/;
/** Tokens only kernel output has: symbols, paths, numbers, hex, brackets, assignments. */
const kernelToken = /[_/=<>[\]{}#|\\]|0x|\d/;
/** The characters of kernelToken but `_`, which can be markdown's. */
const KERNEL_CHAR = /[/=<>[\]{}#|\\]|0x|\d/;

/** Words a sentence has at least one of, and kernel messages rarely all lack. */
const functionWords = new Set(['i', 'we', 'you', 'it', 'this', 'that', 'the', 'a', 'an', 'is', 'was', 'are', 'were', 'and', 'but', 'so', 'when', 'then', 'here', 'there', 'my', 'our', 'after', 'before', 'with', 'of', 'to', 'in', 'on']);

/** Lines of at least this many words can be sentences. */
const SENTENCE_MIN_WORDS = 8;

function words(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w !== '');
}

/** A line that reads as an English sentence and carries nothing a kernel message would. */
function isSentence(text: string): boolean {
  // A kernel token anywhere is in some word (markdown emphasis removes only `*`, `_` and backticks).
  if (KERNEL_CHAR.test(text)) return false;
  const ws = words(text.replace(/[*_`]{1,3}(?=\w)|(?<=\w)[*_`]{1,3}/g, ''));
  if (ws.length < SENTENCE_MIN_WORDS) return false;
  let prose = 0;
  let func = 0;
  for (const w of ws) {
    if (kernelToken.test(w)) return false;
    if (proseWord.test(w)) prose++;
    if (functionWords.has(w.toLowerCase().replace(/[,.;:!?)]+$/, ''))) func++;
  }
  return prose * 10 >= ws.length * 9 && func >= 2 && /^[A-Z"'(*]/.test(ws[0]) && !/:$/.test(ws[ws.length - 1]);
}

/** More prose in the same paragraph: mostly words, no kernel tokens. */
function continuesSentence(text: string): boolean {
  if (KERNEL_CHAR.test(text) || text.includes('_')) return false;
  const ws = words(text);
  if (ws.length < 3) return false;
  let prose = 0;
  for (const w of ws) {
    if (kernelToken.test(w)) return false;
    if (proseWord.test(w)) prose++;
  }
  return prose * 10 >= ws.length * 8;
}

/**
 * For each line, whether it is text around the log rather than the log: markup, front matter,
 * and paragraphs of prose. Lines with a console timestamp are always the log's.
 */
export function proseLines(lines: readonly LogLine[]): boolean[] {
  const out = new Array<boolean>(lines.length).fill(false);
  let first = 0;
  while (first < lines.length && lines[first].text.trim() === '') first++;
  if (first < lines.length && /^---\s*$/.test(lines[first].raw)) {
    for (let i = first + 1; i < lines.length && i <= first + FRONT_MATTER_MAX_LINES; i++) {
      if (frontMatterFence.test(lines[i].raw)) {
        for (let k = first; k <= i; k++) out[k] = true;
        break;
      }
    }
  }
  let inParagraph = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.time !== undefined) {
      inParagraph = false;
      continue;
    }
    const text = l.text;
    if (text.trim() === '') {
      inParagraph = false;
      continue;
    }
    if (markup.test(l.raw) || isSentence(text) || (inParagraph && continuesSentence(text))) {
      out[i] = true;
      inParagraph = true;
    } else {
      inParagraph = false;
    }
  }
  return out;
}

/** At least this many words, in this many characters, before a header make it a mention in prose. */
const MENTION_MIN_WORDS = 3;
const MENTION_MIN_CHARS = 16;

/**
 * The header at `pos` of a line without a console prefix is mentioned, not printed: it is in
 * inline code, or plain words lead up to it (a task name is at most 15 characters, and the
 * kernel's own prefixes end in `:`, `]` or `>`).
 */
export function isMention(text: string, pos: number): boolean {
  const before = text.slice(0, pos);
  if (before.includes('`')) return true;
  const trimmed = before.trimEnd();
  if (trimmed.length < MENTION_MIN_CHARS || /[:\]>]$/.test(trimmed)) return false;
  const ws = words(trimmed);
  let plain = 0;
  for (const w of ws) if (/^[A-Za-z]+[,;]?$/.test(w)) plain++;
  return plain >= MENTION_MIN_WORDS && plain * 10 >= ws.length * 7;
}
