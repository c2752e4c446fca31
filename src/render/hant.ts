// Simplified to Traditional Chinese for the output: the rules write Simplified, Traditional readers get it converted.

import { CHARACTERS, PHRASES } from './hant-table';

const chars = new Map<string, string>();
for (let i = 0; i + 1 < CHARACTERS.length; i += 2) chars.set(CHARACTERS[i], CHARACTERS[i + 1]);
const phrases = new Map<string, string>(PHRASES);
const longest = PHRASES.reduce((n, [s]) => Math.max(n, s.length), 0);

/** Converts a text: the longest phrase of the table at each place, else character by character. */
export function toHant(s: string): string {
  if (!/[\u4e00-\u9fff]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; ) {
    let hit = false;
    for (let n = Math.min(longest, s.length - i); n >= 2; n--) {
      const t = phrases.get(s.slice(i, i + n));
      if (t !== undefined) {
        out += t;
        i += n;
        hit = true;
        break;
      }
    }
    if (hit) continue;
    out += chars.get(s[i]) ?? s[i];
    i++;
  }
  return out;
}

/** Where each character of `s` was converted by a phrase of the table (for checks of the table's coverage). */
export function phraseCoverage(s: string): boolean[] {
  const covered = new Array<boolean>(s.length).fill(false);
  for (let i = 0; i < s.length; ) {
    let n = Math.min(longest, s.length - i);
    for (; n >= 2; n--) if (phrases.has(s.slice(i, i + n))) break;
    if (n >= 2) {
      covered.fill(true, i, i + n);
      i += n;
    } else i++;
  }
  return covered;
}

/** A finding with the tool's own texts in Traditional Chinese (the quoted log lines stay as they are). */
export function localizeFinding<F extends { summary: string; explanation: string; nextSteps: string[]; evidence: Array<{ note: string }> }>(f: F): F {
  return { ...f, summary: toHant(f.summary), explanation: toHant(f.explanation), nextSteps: f.nextSteps.map(toHant), evidence: f.evidence.map((e) => ({ ...e, note: toHant(e.note) })) };
}
