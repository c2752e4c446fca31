// How kernels print a task that is not running (sched_show_task: sysrq t/w, hung tasks), and what its state letter means.

/** crash's two-letter task states by the letter task_state_to_char() prints. */
export const STATE_OF_LETTER: Readonly<Record<string, string>> = {
  R: 'RU',
  S: 'IN',
  D: 'UN',
  T: 'ST',
  t: 'TR',
  X: 'DE',
  Z: 'ZO',
  P: 'PA',
  I: 'ID',
  N: 'NE',
  W: 'WA',
  K: 'WK',
};

/**
 * The task line of sched_show_task(), newest first. Groups: comm, state letter, pid.
 * - 5.14+: `task:kworker/1:0     state:D stack:29184 pid:20    ppid:2      flags:0x00004000`
 *   (a running task adds `running task` after the state; 6.6+ adds `tgid:`; `stack:` is absent on some configs).
 * - 2.6.x-5.13: `hungabba        D ffff88003fc13d80     0    95      2 0x00000000` (the second
 *   column is the saved PC or, from 4.x, the free stack; it is absent on some builds).
 */
export const SCHED_TASK_LINES: ReadonlyArray<{ re: RegExp; comm: number; state: number; pid: number }> = [
  { re: /^task:(.{1,64}?) {1,16}state:([A-Za-z])(?: {1,4}running task)? {1,8}(?:stack: {0,8}\d{1,10} {1,8})?pid: {0,8}(\d{1,10})\b/, comm: 1, state: 2, pid: 3 },
  { re: /^(\S(?:.{0,14}\S)?) {1,16}([RSDTtXZPIKNW]) {1,8}(?:[0-9a-f]{8,16} {1,8})?\d{1,10} {1,8}(\d{1,10}) {1,8}\d{1,10} 0x[0-9a-f]{8}$/, comm: 1, state: 2, pid: 3 },
];

/** crash's two-letter state of a task line, or null. */
export function schedTaskLine(text: string): { comm: string; pid: number; state: string } | null {
  for (const t of SCHED_TASK_LINES) {
    const m = t.re.exec(text);
    if (m) return { comm: m[t.comm].trim(), pid: Number(m[t.pid]), state: STATE_OF_LETTER[m[t.state]] ?? m[t.state] };
  }
  return null;
}

/** task_struct `policy` values (include/uapi/linux/sched.h), as crash's `task -R policy` prints them. */
export const SCHED_POLICIES: Readonly<Record<string, string>> = {
  '0': 'SCHED_NORMAL',
  '1': 'SCHED_FIFO',
  '2': 'SCHED_RR',
  '3': 'SCHED_BATCH',
  '5': 'SCHED_IDLE',
  '6': 'SCHED_DEADLINE',
};
