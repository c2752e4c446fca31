// Lines whose mere presence dates a log to a kernel era, for when the release is not printed.

import type { VersionRange } from './release';

export interface EraMarker {
  pattern: RegExp;
  range: VersionRange;
  label: { en: string; zh: string };
  /** The release most logs of that era come from, used to pick version-dependent layouts. */
  representative: string;
}

export const ERA_MARKERS: readonly EraMarker[] = [
  // The "last sysfs file" line was printed by oopses until 2.6.39 (and by RHEL 6's 2.6.32).
  { pattern: /^last sysfs file: /, range: { since: '2.6.0', before: '3.0' }, label: { en: '2.6.x (a "last sysfs file:" line)', zh: '2.6.x（日志中有 "last sysfs file:" 行）' }, representative: '2.6.32' },
  // `Pid: N, comm: X` in the register dump header was replaced by `CPU: N PID: N Comm:` in 3.x.
  { pattern: /^Pid: \d{1,10}, comm: /, range: { since: '2.6.0', before: '3.10' }, label: { en: '2.6.x-3.x (a "Pid: N, comm:" line)', zh: '2.6.x-3.x（日志中有 "Pid: N, comm:" 行）' }, representative: '2.6.32' },
  // The x86 `IP: [<addr>] func` line gave way to `RIP: 0010:func` in 4.x.
  { pattern: /^IP: \[<[0-9a-f]{8,16}>\]/, range: { since: '2.6.0', before: '4.13' }, label: { en: 'before 4.13 (an "IP: [<...>]" line)', zh: '4.13 之前（日志中有 "IP: [<...>]" 行）' }, representative: '3.10.0' },
];
