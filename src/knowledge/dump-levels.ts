// makedumpfile's dump level (-d): a bit for each kind of page it leaves out of the dump (makedumpfile(8), "DUMP LEVEL").

export const DUMP_LEVEL_BITS: ReadonlyArray<{ bit: number; pages: string }> = [
  { bit: 1, pages: 'zero pages' },
  { bit: 2, pages: 'page cache' },
  { bit: 4, pages: 'private page cache' },
  { bit: 8, pages: 'user process data' },
  { bit: 16, pages: 'free pages' },
];

/** The kinds of page a dump level leaves out, in the table's order. */
export function excludedPages(level: number): string[] {
  return DUMP_LEVEL_BITS.filter((b) => (level & b.bit) !== 0).map((b) => b.pages);
}
