// Shared pieces of the decoders: value parsing, the release option, bilingual picking.

import { parseRelease, type KernelRelease } from '../knowledge/release';
import type { Text, TextLang } from '../knowledge/text';

export type { Text, Note, TextLang } from '../knowledge/text';

/** A value the decoder cannot read: the CLI turns it into exit status 2. */
export class DecodeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeInputError';
  }
}

/**
 * Reads a hex value as the kernel prints it: "0x00000400", "00000400", "ffffffffa88b53b0",
 * "ffff8800`1234" (grouping ticks), "0xffff_8811". Bare digits are hex, as everywhere in oopses.
 */
export function parseHexValue(input: string, what: string, maxBits = 64): bigint {
  const s = input.trim().replace(/^[\[(<]+|[\])>:,;.]+$/g, '').replace(/[`_']/g, '');
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(s);
  if (!m) throw new DecodeInputError(`cannot read ${what} "${input}": expected a hexadecimal number such as 0x00000400`);
  const digits = m[1].replace(/^0+(?=.)/, '');
  if (digits.length * 4 > maxBits + 3) throw new DecodeInputError(`${what} "${input}" is wider than ${maxBits} bits`);
  const v = BigInt('0x' + m[1]);
  if (v >> BigInt(maxBits) !== 0n) throw new DecodeInputError(`${what} "${input}" is wider than ${maxBits} bits`);
  return v;
}

/**
 * The release option of every decoder: a string to parse, a parsed release, or nothing. An unreadable
 * string counts as no release, so that analysis of odd logs never fails here; the CLI checks --kernel itself.
 */
export function releaseOption(release: string | KernelRelease | null | undefined): KernelRelease | null {
  if (!release) return null;
  if (typeof release !== 'string') return release;
  return parseRelease(release);
}

/** Parses --kernel strictly, for the command line. */
export function strictRelease(release: string): KernelRelease {
  const rel = parseRelease(release);
  if (!rel) throw new DecodeInputError(`cannot read kernel release "${release}": expected something like 3.10.0-514.26.2.el7.x86_64 or 6.1.0-13-amd64`);
  return rel;
}

export function pick(text: Text, lang: TextLang): string {
  return text[lang];
}

/** "name: value" rows aligned for the terminal. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const w = Math.max(0, ...rows.map(([k]) => displayWidth(k)));
  return rows.map(([k, v]) => `  ${k}${' '.repeat(w - displayWidth(k))}  ${v}`);
}

/** Terminal width of a string: CJK characters take two cells. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

export function yesNo(v: boolean | null, lang: TextLang): string {
  if (v === null) return lang === 'zh' ? '未知' : 'unknown';
  if (lang === 'zh') return v ? '是' : '否';
  return v ? 'yes' : 'no';
}
