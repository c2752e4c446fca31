// Bilingual text: every human sentence the knowledge and the decoders produce exists in English and Chinese.

export interface Text {
  en: string;
  zh: string;
}

export type TextLang = keyof Text;

export function tx(en: string, zh: string): Text {
  return { en, zh };
}

/** A finding about a decoded value, with a stable id that rules and tests can key on. */
export interface Note extends Text {
  id: string;
}

export function note(id: string, en: string, zh: string): Note {
  return { id, en, zh };
}

/** Formats a bigint/number as 0x-prefixed, zero-padded hex. */
export function hex(v: bigint | number, width = 0): string {
  const s = (typeof v === 'bigint' ? v : BigInt(v)).toString(16);
  return '0x' + s.padStart(width, '0');
}

/** 16-digit hex without prefix, as the kernel prints addresses. */
export function addr16(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}
