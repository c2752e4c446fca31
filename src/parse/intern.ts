// One copy of each symbol, address and module name the frames of an input name.

/** Distinct strings kept at most; past it the table starts again (a hostile input cannot grow it). */
const MAX_INTERNED = 100_000;
const table = new Map<string, string>();

/**
 * The one copy of `s`, made on its own. A name read from a line by a regular expression is a slice
 * of the whole input's text and keeps all of it alive; a foreach bt of 20,000 tasks holds 200,000
 * frames, which name a few thousand distinct symbols and return addresses.
 */
export function intern(s: string): string {
  const known = table.get(s);
  if (known !== undefined) return known;
  if (table.size >= MAX_INTERNED) table.clear();
  // Through a buffer: a new flat string, not a slice of the input.
  const own = s.length > 12 ? Buffer.from(s, 'utf8').toString('utf8') : s;
  table.set(own, own);
  return own;
}
