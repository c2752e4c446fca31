// Reads `sys` output and the same block crash prints at startup: labels right-aligned before a colon.

import type { CrashSys } from './types';
import type { CrashReader } from './reader';
import { sizeToBytes, uptimeSeconds } from './values';

type SysField = (sys: CrashSys, value: string) => boolean;

const num = (v: string): number | null => (/^\d{1,10}$/.test(v) ? Number(v) : null);
const text = (v: string): string | null => (v === '' ? null : v);

/**
 * Each label crash prints, what it fills in, and whether it may open a block. Labels such as `CPU:`
 * and `PID:` are printed by other commands too (`ps -m -C0` prints `CPU: 0`), so they are read only
 * inside a block that a label only `sys` prints has opened. A field returns false for a value that
 * is not its shape: the line is then not `sys` output.
 */
const SYS_LABELS: ReadonlyArray<{ label: string; opens: boolean; read: SysField }> = [
  { label: 'KERNEL', opens: true, read: (s, v) => ((s.kernel ??= v.replace(/ {2}\[.{0,64}\]$/, '')), true) },
  {
    label: 'DUMPFILE',
    opens: true,
    read: (s, v) => {
      s.dumpfile ??= text(v.replace(/ {1,8}\[[A-Z ]{1,32}\]/g, '').trim());
      if (/\[PARTIAL DUMP\]/.test(v)) s.partialDump = true;
      return true;
    },
  },
  { label: 'DUMPFILES', opens: true, read: (s, v) => ((s.dumpfile ??= text(v)), true) },
  {
    label: 'CPUS',
    opens: true,
    read: (s, v) => {
      const m = /^(\d{1,6})(?: {1,4}\[OFFLINE: (\d{1,6})\])?/.exec(v);
      if (!m) return false;
      s.cpus ??= Number(m[1]);
      if (m[2] !== undefined) s.offlineCpus ??= Number(m[2]);
      return true;
    },
  },
  { label: 'DATE', opens: false, read: (s, v) => ((s.date ??= text(v)), true) },
  { label: 'UPTIME', opens: true, read: (s, v) => ((s.uptime ??= { text: v, seconds: uptimeSeconds(v) }), true) },
  {
    label: 'LOAD AVERAGE',
    opens: true,
    read: (s, v) => {
      const m = /^(\d{1,6}\.\d{1,3}), (\d{1,6}\.\d{1,3}), (\d{1,6}\.\d{1,3})$/.exec(v);
      if (!m) return false;
      s.loadAverage ??= [Number(m[1]), Number(m[2]), Number(m[3])];
      return true;
    },
  },
  { label: 'TASKS', opens: false, read: (s, v) => num(v) !== null && ((s.tasks ??= num(v)), true) },
  { label: 'NODENAME', opens: true, read: (s, v) => ((s.nodename ??= text(v)), true) },
  { label: 'RELEASE', opens: true, read: (s, v) => ((s.release ??= text(v)), true) },
  { label: 'VERSION', opens: false, read: (s, v) => ((s.version ??= text(v)), true) },
  {
    label: 'MACHINE',
    opens: true,
    read: (s, v) => {
      const m = /^(\S{1,32})(?: {1,4}\((\d{1,6}) Mhz\))?/i.exec(v);
      if (!m) return false;
      s.machine ??= { arch: m[1], mhz: m[2] === undefined ? null : Number(m[2]) };
      return true;
    },
  },
  { label: 'MEMORY', opens: false, read: (s, v) => ((s.memory ??= { text: v, bytes: sizeToBytes(v) }), true) },
  {
    label: 'PANIC',
    opens: false,
    read: (s, v) => {
      const m = /^"(.{0,512})"/.exec(v);
      s.panic ??= m ? m[1] : text(v);
      return true;
    },
  },
  { label: 'PID', opens: false, read: (s, v) => num(v) !== null && ((s.pid ??= num(v)), true) },
  {
    label: 'COMMAND',
    opens: false,
    read: (s, v) => {
      const m = /^"(.{0,64})"$/.exec(v);
      if (!m) return false;
      s.command ??= m[1];
      return true;
    },
  },
  {
    label: 'TASK',
    opens: false,
    read: (s, v) => {
      const m = /^([0-9a-f]{8,16})\b/.exec(v);
      if (!m) return false;
      s.task ??= m[1];
      return true;
    },
  },
  { label: 'CPU', opens: false, read: (s, v) => num(v) !== null && ((s.cpu ??= num(v)), true) },
  { label: 'STATE', opens: false, read: (s, v) => ((s.state ??= text(v)), true) },
  {
    label: 'TAINTED_MASK',
    opens: true,
    read: (s, v) => {
      const m = /^([0-9a-f]{1,16})(?: {1,4}([A-Z]{1,32}))?$/.exec(v);
      if (!m) return false;
      s.taint ??= { mask: m[1], letters: m[2] ?? '' };
      return true;
    },
  },
];

const BY_LABEL = new Map(SYS_LABELS.map((e) => [e.label, e]));
const SYS_LINE = /^ {0,16}([A-Z][A-Z_ ]{1,14}[A-Z_]): {1,4}(.{0,1024})$/;

function emptySys(): CrashSys {
  return {
    kernel: null, dumpfile: null, partialDump: false, cpus: null, offlineCpus: null, date: null, uptime: null,
    loadAverage: null, tasks: null, nodename: null, release: null, version: null, machine: null, memory: null,
    panic: null, pid: null, command: null, task: null, cpu: null, state: null, taint: null, lines: [],
  };
}

/** Reads every `sys` block of the input into one CrashSys: a value seen first is kept. */
export class SysReader implements CrashReader {
  sys: CrashSys | null = null;
  private open = false;

  take(line: string, no: number): boolean {
    const m = SYS_LINE.exec(line);
    if (!m) return false;
    const entry = BY_LABEL.get(m[1]);
    if (!entry || !(this.open || entry.opens)) return false;
    const sys = this.sys ?? emptySys();
    if (!entry.read(sys, m[2].trim())) return false;
    this.sys = sys;
    this.open = true;
    if (sys.lines.length < 256) sys.lines.push(no);
    return true;
  }

  close(): void {
    this.open = false;
  }
}
