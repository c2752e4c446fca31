// Numbers as crash prints them: sizes with units, uptimes, hex words of any width.

const UNIT_BYTES: Readonly<Record<string, number>> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50 };

/** `2 GB`, `816.3 MB`, `7.5 GB` to bytes (crash's units are binary); null when not a size. */
export function sizeToBytes(text: string): number | null {
  const m = /^ {0,4}(\d{1,12}(?:\.\d{1,6})?) {0,2}([KMGTP]?B)\b/i.exec(text);
  if (!m) return null;
  const unit = UNIT_BYTES[m[2].toUpperCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

/** `1 days, 00:22:05`, `00:11:46` to seconds. */
export function uptimeSeconds(text: string): number | null {
  const m = /^(?:(\d{1,6}) days?, {0,2})?(\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** `[0 00:00:00.014]` (days hours:minutes:seconds.milliseconds) to seconds. */
export function dhmsSeconds(days: string, h: string, m: string, s: string, ms: string): number {
  return Number(days) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

/** A 64-bit word printed by gdb as decimal (maybe negative) or 0x hex, as a BigInt of its unsigned bits. */
export function wordValue(raw: string): bigint | null {
  const t = raw.trim();
  let v: bigint;
  if (/^0x[0-9a-f]{1,16}$/i.test(t)) v = BigInt(t);
  else if (/^-?\d{1,20}$/.test(t)) v = BigInt(t);
  else return null;
  return BigInt.asUintN(64, v);
}

/** An address as hex without 0x, lower case. */
export function hex(v: bigint): string {
  return v.toString(16);
}
