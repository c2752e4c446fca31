// Lines whose mere presence dates a log to a kernel era, for when the release is not printed.

import type { VersionRange } from './release';

export interface EraMarker {
  pattern: RegExp;
  range: VersionRange;
  label: string;
}

export const ERA_MARKERS: readonly EraMarker[] = [
  // The "last sysfs file" line was printed by oopses until 2.6.39 (and by RHEL 6's 2.6.32).
  { pattern: /^last sysfs file: /, range: { since: '2.6.0', before: '3.0' }, label: '2.6.x ("last sysfs file:" line)' },
  // `Pid: N, comm: X` in the register dump header was replaced by `CPU: N PID: N Comm:` in 3.x.
  { pattern: /^Pid: \d{1,10}, comm: /, range: { since: '2.6.0', before: '3.10' }, label: '2.6.x-3.x ("Pid:, comm:" line)' },
  // The x86 `IP: [<addr>] func` line gave way to `RIP: 0010:func` in 4.x.
  { pattern: /^IP: \[<[0-9a-f]{8,16}>\]/, range: { since: '2.6.0', before: '4.13' }, label: 'before 4.13 ("IP: [<...>]" line)' },
];
