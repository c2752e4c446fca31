// Splits a console line into its prefixes (syslog, level, timestamp, caller id) and the message.

import type { LogLine } from '../model/types';

// Each prefix pattern is anchored and made of bounded, non-overlapping pieces so
// that a hostile line cannot make it backtrack.
const SYSLOG_PREFIX =
  /^(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d{1,9})?|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?) [\w.-]{1,255} kernel: /;
// `<4>`, or a syslog priority with the facility in it (`<14>` = user.info): the level is its low three bits.
const LEVEL_PREFIX = /^<(\d{1,3})>/;
const DMESG_X_PREFIX = /^[a-z]{2,8} *:[a-z]{2,7} *: /;
// `[  123.456789]`; `dmesg -d` adds the delta (`[    1.000003 <    0.000003>]`); some locales print a decimal comma.
const TIMESTAMP = /^\[ {0,12}(\d{1,10})[.,](\d{1,9})(?: <[ \d.,]{1,24}>)?\]/;
// `dmesg -H` / `--reltime`: `[Dec 2 13:04]` at each new minute, then `[  +0.000003]` (or `+0,000003`) deltas.
const RELATIVE_TIME = /^\[ {0,12}\+\d{1,10}[.,]\d{1,9}\]|^\[[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d\]/;
// printk caller id, right after the timestamp or separated from it by a space (`[  512.33] [ T2231]`).
const CALLER_ID = /^ ?\[ {0,8}([TC]\d{1,10})\]/;
// A capture tool's own date in front of the kernel's line: `2016-12-03 19:08:42    [14874902.828670] `,
// `dmesg --time-format iso`: `2026-12-02T13:04:16,000000+00:00 `.
const CAPTURE_DATE = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?[ \t]{1,16}/;
// Indentation or a tab before the timestamp, left by mail quoting or a web page.
const INDENT_BEFORE_TIME = /^[ \t]{1,16}(?=\[ {0,12}\+?\d{1,10}[.,]\d)/;
/**
 * Console output that lands in front of a line's prefix: the getty prompt printed just before
 * the kernel message (`syzkaller login: [ 59.8][ T6792] BUG: ...`) and printk's note about lost
 * messages (`** 2395 printk messages dropped ** [ 96.0] BUG ...`). Stripped only when a
 * timestamp follows, so that the rest of the line is known to be a console line.
 */
const LEADING_NOISE = /^(?:[A-Za-z0-9][\w.-]{0,63} login: |\*\* \d{1,10} printk messages dropped \*\* )(?=\[ {0,12}\d{1,10}\.\d{1,9}\])/;
// `dmesg -T`: `[Wed Dec  2 20:17:25 2026]`; crash's `log -T` puts the time zone before the year: `[Wed Dec  2 20:17:25 UTC 2026]`.
const HUMAN_TIME = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d (?:[A-Z]{1,5}[+-]?\d{0,4} )?\d{4}\]/;

export interface Prefix {
  text: string;
  time?: number;
  caller?: string;
  level?: number;
}

/** Removes the prefixes the kernel, syslog, journald and dmesg put before a message. */
export function splitPrefix(raw: string): Prefix {
  let rest = raw;
  const out: Prefix = { text: raw };
  let m = SYSLOG_PREFIX.exec(rest);
  if (m) rest = rest.slice(m[0].length);
  else if ((m = CAPTURE_DATE.exec(rest))) rest = rest.slice(m[0].length);
  if ((m = INDENT_BEFORE_TIME.exec(rest))) rest = rest.slice(m[0].length);
  // At most twice: a dropped-messages note can follow a login prompt.
  for (let i = 0; i < 2 && (m = LEADING_NOISE.exec(rest)); i++) rest = rest.slice(m[0].length);
  m = DMESG_X_PREFIX.exec(rest);
  if (m) rest = rest.slice(m[0].length);
  m = LEVEL_PREFIX.exec(rest);
  if (m) {
    out.level = Number(m[1]) & 7;
    rest = rest.slice(m[0].length);
  }
  m = TIMESTAMP.exec(rest);
  if (m) {
    out.time = Number(`${m[1]}.${m[2]}`);
    rest = rest.slice(m[0].length);
  } else if ((m = HUMAN_TIME.exec(rest)) || (m = RELATIVE_TIME.exec(rest))) {
    rest = rest.slice(m[0].length);
  }
  m = CALLER_ID.exec(rest);
  if (m && (m[0][0] === '[' || rest.length !== raw.length)) {
    out.caller = m[1];
    rest = rest.slice(m[0].length);
  }
  if (rest.length !== raw.length && rest.startsWith(' ')) rest = rest.slice(1);
  out.text = rest;
  return out;
}

export function makeLine(no: number, raw: string, p: Prefix = splitPrefix(raw)): LogLine {
  const line: LogLine = { no, raw, text: p.text };
  if (p.time !== undefined) line.time = p.time;
  if (p.caller !== undefined) line.caller = p.caller;
  if (p.level !== undefined) line.level = p.level;
  return line;
}
