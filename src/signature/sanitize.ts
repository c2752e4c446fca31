// Makes titles stable across runs: numbers, addresses, pids and offsets become placeholders.

/** Replacements applied in order, as syzkaller's dynamicTitleReplacement. */
const replacements: Array<[RegExp, string]> = [
  // Executor and repro process names carry their pid or index.
  [/syz-executor\.?[0-9]+(?:(?:\/|:)[0-9]+)?/g, 'syz-executor'],
  [/syzkaller[0-9]+(?:(?:\/|:)[0-9]+)?/g, 'syzkaller'],
  // Anything that looks like an address.
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  // Long decimal numbers.
  [/([^a-zA-Z0-9])[0-9]{5,}/g, '$1NUM'],
  // file.c:123 line numbers.
  [/(\.\w{1,32})(?::[0-9]+)+/g, '$1:LINE'],
  // func+0x12/0x34: offsets and sizes change with every build.
  [/([a-zA-Z][a-zA-Z0-9_.]*)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, '$1'],
  [/CPU#[0-9]+/g, 'CPU'],
];

/** Any remaining standalone decimal number; overlapping ones ("0,1,2") need repeated passes. */
const standaloneNumber = /(\W)(\d+)(\W|$)/g;
const longNumber = /\d{7,}/g;

export const MAX_TITLE_LEN = 120;

export function replaceDynamic(title: string): string {
  let t = title;
  for (const [re, to] of replacements) t = t.replace(re, to);
  for (let i = 0; i < 16; i++) {
    const next = t.replace(standaloneNumber, '$1NUM$3');
    if (next === t) break;
    t = next;
  }
  return t.replace(longNumber, 'NUM');
}

/** Drops unprintable characters and cuts to the dashboard's title length. */
export function sanitizeTitle(title: string): string {
  // eslint-disable-next-line no-control-regex
  let t = title.replace(/[\x00-\x1f\x7f]/g, ' ');
  t = t.replace(/ {2,}/g, ' ').trim();
  if (t.length > MAX_TITLE_LEN) t = t.slice(0, MAX_TITLE_LEN).trimEnd();
  return t;
}

/** The full title pipeline. Input is cut first: a title comes from one line, and lines can be huge. */
export function cleanTitle(title: string): string {
  return sanitizeTitle(replaceDynamic(title.length > 2048 ? title.slice(0, 2048) : title));
}
