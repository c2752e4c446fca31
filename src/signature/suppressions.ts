// Logs whose crash the test setup caused (the executor killed for memory, a broken VM image): syzkaller's suppressions.

import { literalPattern } from '../parse/literals';

/** Each entry: a literal every matching line holds, then the pattern itself. */
const suppressions: Array<[string, RegExp]> = [
  ['panic: ', /panic: failed to start executor binary/],
  ['panic: ', /panic: executor failed: pthread_create failed/],
  ['panic: ', /panic: failed to create temp dir/],
  // Out of memory turned into a bus error.
  ['fatal error: ', /fatal error: unexpected signal during runtime execution/],
  ['signal SIGBUS', /signal SIGBUS: bus error/],
  ['SYZFAIL: SIGBUS', /SYZFAIL: SIGBUS/],
  ['Out of memory: Kill process', /Out of memory: Kill process .* \(syz-executor\)/],
  ['Out of memory: Kill process', /Out of memory: Kill process .* \(sshd\)/],
  ['Killed process', /Killed process .* \(syz-executor\)/],
  ['Killed process', /Killed process .* \(sshd\)/],
  ['lowmemorykiller: Killing', /lowmemorykiller: Killing 'syz-executor'/],
  ['lowmemorykiller: Killing', /lowmemorykiller: Killing 'sshd'/],
  ['INIT: PANIC', /INIT: PANIC: segmentation violation!/],
  ['stack smashing detected', /\*\*\* stack smashing detected \*\*\*: terminated/],
  // The Go runtime out of memory.
  ['fatal error: ', /fatal error: runtime: out of memory/],
  ['fatal error: ', /fatal error: runtime: cannot allocate memory/],
  ['fatal error: ', /fatal error: out of memory/],
  ['fatal error: ', /fatal error: newosproc/],
  ['panic: ', /panic: .*cannot allocate memory/],
];

/** Every literal in one pattern: most lines hold none. */
const ANY_LITERAL = literalPattern(suppressions.map(([l]) => l));

/** The log holds a line that suppresses its reports. */
export function isSuppressed(texts: Iterable<string>): boolean {
  for (const t of texts) {
    if (!ANY_LITERAL.test(t)) continue;
    for (const [literal, re] of suppressions) if (t.includes(literal) && re.test(t)) return true;
  }
  return false;
}
