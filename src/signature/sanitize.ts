// Makes titles stable across runs: numbers, addresses, pids and offsets become placeholders.

/** Replacements applied in order, each until nothing changes (matches may overlap, as in "0,1,2"). */
const replacements: Array<[RegExp, string]> = [
  // Executor pids and proc numbers.
  [/syz-executor\.?[0-9]+(?:(?:\/|:)[0-9]+)?/g, 'syz-executor'],
  [/syzkaller[0-9]+(?:(?:\/|:)[0-9]+)?/g, 'syzkaller'],
  // Anything that looks like an address.
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  [/([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})/g, 'IP'],
  // file.c:123 line numbers.
  [/(\.\w+)(?::[0-9]+)+/g, '$1:LINE'],
  // func+0x12/0x34: offsets and sizes change with every build.
  [/([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, '$1'],
  [/CPU#[0-9]+/g, 'CPU'],
  // Any other decimal number; digits inside names (cfg80211, nl802154) stay.
  [/(\W)(\d+)(\W|$)/g, '$1NUM$3'],
  // ...unless there are so many that it is no name.
  [/\d{7,}/g, 'NUM'],
];

/** Passes of one replacement at most; each pass must change the title, so this is never reached. */
const MAX_PASSES = 64;

export const MAX_TITLE_LEN = 120;

export function replaceDynamic(title: string): string {
  let t = title;
  for (const [re, to] of replacements) {
    for (let i = 0; i < MAX_PASSES; i++) {
      const next = t.replace(re, to);
      if (next === t) break;
      t = next;
    }
  }
  return t;
}

/**
 * Keeps the first 120 bytes, drops control and non-ASCII bytes, turns tabs into spaces and
 * squeezes spaces, as the dashboard's titles are.
 */
export function sanitizeTitle(title: string): string {
  let out = '';
  let prev = ' ';
  let bytes = 0;
  for (const ch of title) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes > MAX_TITLE_LEN) break;
    let c = ch;
    if (c === '\t') c = ' ';
    else if (code < 0x20 || code >= 0x7f) continue;
    if (c === ' ' && prev === ' ') continue;
    out += c;
    prev = c;
  }
  return out.trim();
}

/** The full title pipeline. Input is cut first: a title comes from one line, and lines can be huge. */
export function cleanTitle(title: string): string {
  return sanitizeTitle(replaceDynamic(title.length > 2048 ? title.slice(0, 2048) : title));
}
