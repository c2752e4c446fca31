// Reads `ps` task lists and the last-run lists of `ps -m` / `ps -l`, merged by task address.

import type { CrashPsTask } from './types';
import { MAX_ENTRIES, type CrashReader } from './reader';
import { dhmsSeconds } from './values';

// `>     0      0   3  c024c000  RU   0.0     0     0  [swapper]` (`-` marks the active task of an offline CPU).
const PS_ROW =
  /^ {0,8}([>-])? {0,8}(\d{1,10}) {1,8}(\d{1,10}) {1,8}(\d{1,6}) {1,8}([0-9a-f]{8,16}) {1,8}([A-Z]{2}) {1,8}(\d{1,3}\.\d) {1,8}(\d{1,12}) {1,8}(\d{1,12}) {1,8}(\S.{0,63})$/;
const PS_HEADER = /^ {0,8}PID {1,8}PPID {1,8}CPU {1,8}(?:TASK|KSTACKP) {1,8}ST {1,8}%MEM {1,8}VSZ {1,8}RSS {1,8}COMM\s*$/;
// `ps -m`: `[ 0 00:00:00.003] [RU] PID: 1205 TASK: dee03f20 CPU: 0 COMMAND: "insmod"`; `ps -l`: `[137146164748] [RU] PID: ...`.
const PS_LAST_RUN =
  /^ {0,8}\[(?: {0,4}(\d{1,6}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})|(\d{1,24}))\] {1,4}\[([A-Z]{2})\] {1,4}PID: {1,8}(\d{1,10}) {1,8}TASK: {1,4}([0-9a-f]{8,16}) {1,8}CPU: {1,4}(\d{1,6}) {1,8}COMMAND: {1,4}"(.{0,64})"\s*$/;
// `ps -m -C0` prints a `CPU: 0` line before each CPU's block.
const PS_CPU_HEADER = /^ {0,8}CPU: {1,4}\d{1,6}\s*$/;

/** Reads task lines into one list; a task seen again (another `ps`, a `ps -m`) is merged by its address. */
export class PsReader implements CrashReader {
  readonly tasks: CrashPsTask[] = [];
  private readonly byTask = new Map<string, CrashPsTask>();

  private task(address: string, pid: number, no: number): CrashPsTask | null {
    let t = this.byTask.get(address);
    if (!t) {
      if (this.tasks.length >= MAX_ENTRIES) return null;
      t = {
        active: false, pid, ppid: null, cpu: null, task: address, state: null, memPercent: null, vsz: null, rss: null,
        comm: '', kernelThread: null, lastRun: null, lines: [],
      };
      this.byTask.set(address, t);
      this.tasks.push(t);
    }
    if (t.lines.length < 16) t.lines.push(no);
    return t;
  }

  take(line: string, no: number, prompt: { verb: string | null }): boolean {
    if (PS_HEADER.test(line)) return true;
    const row = PS_ROW.exec(line);
    if (row) {
      const t = this.task(row[5], Number(row[2]), no);
      if (!t) return true;
      const comm = row[10].trimEnd();
      const bracketed = /^\[(.{1,62})\]$/.exec(comm);
      Object.assign(t, {
        active: t.active || row[1] === '>',
        ppid: Number(row[3]),
        cpu: Number(row[4]),
        state: row[6],
        memPercent: Number(row[7]),
        vsz: Number(row[8]),
        rss: Number(row[9]),
        comm: bracketed ? bracketed[1] : comm,
        kernelThread: bracketed !== null,
      });
      return true;
    }
    const last = PS_LAST_RUN.exec(line);
    if (last) {
      const t = this.task(last[9], Number(last[8]), no);
      if (!t) return true;
      t.cpu ??= Number(last[10]);
      t.state ??= last[7];
      if (t.comm === '') t.comm = last[11];
      const text = /\[([^\]]{1,32})\]/.exec(line)?.[1].trim() ?? '';
      t.lastRun = last[6] !== undefined
        ? { seconds: t.lastRun?.seconds ?? null, ns: last[6], text: t.lastRun?.text ?? text }
        : { seconds: dhmsSeconds(last[1], last[2], last[3], last[4], last[5]), ns: t.lastRun?.ns ?? null, text };
      return true;
    }
    return prompt.verb === 'ps' && PS_CPU_HEADER.test(line);
  }

  close(): void {
    // Rows carry all they mean on their own line: nothing is held open.
  }
}
