// Rule texts as data: each rule's `meta.messages` maps an id to its English and Chinese text with {{placeholders}}.
//
// The logic of a rule reports message ids and the values to fill in; it holds no prose. A translation is
// reviewed in one place, and a test checks that every placeholder of every message is filled.

import type { L10n } from './types';

/** Values a message may show: a value for both languages, or an L10n (a phrase per language); null and undefined print as nothing. */
export type MessageData = Record<string, string | number | bigint | L10n | null | undefined>;

export type Messages = Readonly<Record<string, L10n>>;

const PLACEHOLDER = /\{\{\s{0,2}([A-Za-z_][\w]{0,40})\s{0,2}\}\}/g;

function fill(text: string, data: MessageData, lang: keyof L10n): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(data, name)) return whole;
    const v = data[name];
    if (v === null || v === undefined) return '';
    if (typeof v === 'object') return v[lang];
    return String(v);
  });
}

/** The message with its placeholders filled, in both languages. */
export function formatMessage(m: L10n, data: MessageData = {}): L10n {
  return { en: fill(m.en, data, 'en'), zh: fill(m.zh, data, 'zh') };
}

/** A formatter bound to one rule's messages: `msg('summaryTimer', { fn })`. */
export function messenger<M extends Messages>(messages: M): (id: keyof M & string, data?: MessageData) => L10n {
  return (id, data = {}) => {
    const m = messages[id];
    if (!m) throw new Error(`unknown message id ${id}`);
    return formatMessage(m, data);
  };
}

/** Placeholders a message uses, for tests that every one is filled. */
export function placeholders(m: L10n): string[] {
  const out = new Set<string>();
  for (const text of [m.en, m.zh]) for (const x of text.matchAll(PLACEHOLDER)) out.add(x[1]);
  return [...out];
}

/** Text left unfilled by a formatter (a `{{name}}` that no value replaced). */
export function unfilled(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((x) => x[1]);
}

/** Names listed in a sentence: `a, b, c` in English, `a、b、c` in Chinese. */
export function listOf(items: readonly string[]): L10n {
  return { en: items.join(', '), zh: items.join('、') };
}
