// Reads `runq` (plain, -g task groups, -m running times, -t timestamps): per CPU, what ran and what waited.

import type { CrashRunq } from './types';
import { MAX_ENTRIES, type CrashReader, type CrashPrompt } from './reader';
import { dhmsSeconds } from './values';

const TASK = String.raw`PID: {1,8}(\d{1,10}) {1,8}TASK: {1,4}([0-9a-f]{8,16}) {1,8}COMMAND: {1,4}"(.{0,64})"`;
const CPU_RUNQUEUE = /^ {0,8}CPU (\d{1,6}) RUNQUEUE: ([0-9a-f]{8,16})\s*$/;
// `runq -g` and `runq -c` print a bare `CPU 3` before each CPU's block.
const CPU_BARE = /^ {0,8}CPU (\d{1,6})\s*$/;
const CURRENT = new RegExp(String.raw`^ {0,8}CURRENT: {1,4}${TASK}\s*$`);
const QUEUE = /^ {0,8}([A-Z]{2,8}) (?:PRIO_ARRAY|RB_ROOT): {1,4}[0-9a-f]{8,16}\s*$/;
// `ROOT_TASK_GROUP: ffffffff81ed93e0  RT_RQ: ffff880028216808`
const ROOT_GROUP = /^ {0,8}(?:ROOT|INIT)_TASK_GROUP: {1,4}([0-9a-f]{8,16}) {1,4}([A-Z]{2,4})_RQ: {1,4}[0-9a-f]{8,16}\s*$/;
// `   [  0] TASK_GROUP: ffff88022c6bbc00 RT_RQ: ffff880139fc9800 (THROTTLED)`, `   TASK_GROUP: ... CFS_RQ: ...  <libvirt>`
const GROUP = /^( {0,64})(?:\[ {0,2}\d{1,3}\] )?TASK_GROUP: {1,4}([0-9a-f]{8,16}) {1,4}[A-Z]{2,4}_RQ: {1,4}[0-9a-f]{8,16}(?: {1,4}\(THROTTLED\))?(?: {1,4}<.{1,64}>)?\s*$/;
const QUEUED = new RegExp(String.raw`^( {0,64})(?:\[ {0,2}(\d{1,3})\] )?${TASK}( \[CURRENT\])?\s*$`);
const NOTHING_QUEUED = /^ {0,64}\[no tasks queued\]\s*$/;
// `runq -m`: ` CPU 0: [0 00:00:00.014]  PID: 5275  TASK: f5dbcaa0  COMMAND: "sh"`
const RUNNING_FOR = new RegExp(String.raw`^ {0,8}CPU (\d{1,6}): \[(\d{1,6}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})\] {1,4}${TASK}\s*$`);
// `runq -t`: `CPU 0: 2680990637359` then `       2680986653330  PID: 28228  TASK: ...`
const CPU_CLOCK = /^ {0,8}CPU (\d{1,6}): (\d{1,24})\s*$/;
const TASK_CLOCK = new RegExp(String.raw`^ {0,16}\d{1,24} {1,4}${TASK}\s*$`);

/** Reads run queues; a CPU printed again (another `runq` command) adds to the same entry. */
export class RunqReader implements CrashReader {
  readonly runq: CrashRunq[] = [];
  private readonly byCpu = new Map<number, CrashRunq>();
  private cpu: CrashRunq | null = null;
  private queue: string | null = null;
  private prio: number | null = null;
  private groups: Array<{ indent: number; address: string }> = [];
  private queued = 0;

  private openCpu(cpu: number, no: number): CrashRunq | null {
    let rq = this.byCpu.get(cpu);
    if (!rq) {
      if (this.runq.length >= MAX_ENTRIES) return null;
      rq = { cpu, runqueue: null, current: null, runningFor: null, queued: [], lines: [] };
      this.byCpu.set(cpu, rq);
      this.runq.push(rq);
    }
    if (rq.lines.length < 64) rq.lines.push(no);
    this.cpu = rq;
    this.queue = null;
    this.prio = null;
    this.groups = [];
    return rq;
  }

  take(line: string, no: number, prompt: CrashPrompt): boolean {
    let m = CPU_RUNQUEUE.exec(line);
    if (m) {
      const rq = this.openCpu(Number(m[1]), no);
      if (rq) rq.runqueue ??= m[2];
      return true;
    }
    if ((m = RUNNING_FOR.exec(line))) {
      const rq = this.openCpu(Number(m[1]), no);
      if (rq) {
        rq.current ??= { pid: Number(m[7]), task: m[8], comm: m[9], line: no };
        rq.runningFor = { text: `${m[2]} ${m[3]}:${m[4]}:${m[5]}.${m[6]}`, seconds: dhmsSeconds(m[2], m[3], m[4], m[5], m[6]) };
      }
      this.cpu = null;
      return true;
    }
    if (prompt.verb === 'runq' && (m = CPU_BARE.exec(line) ?? CPU_CLOCK.exec(line))) {
      this.openCpu(Number(m[1]), no);
      return true;
    }
    const rq = this.cpu;
    if (!rq) return false;
    if ((m = CURRENT.exec(line)) || (m = TASK_CLOCK.exec(line))) {
      rq.current ??= { pid: Number(m[1]), task: m[2], comm: m[3], line: no };
    } else if ((m = QUEUE.exec(line))) {
      this.queue = m[1];
      this.prio = null;
    } else if ((m = ROOT_GROUP.exec(line))) {
      this.queue = m[2];
      this.groups = [];
    } else if ((m = GROUP.exec(line))) {
      const indent = m[1].length;
      while (this.groups.length > 0 && this.groups[this.groups.length - 1].indent >= indent) this.groups.pop();
      if (this.groups.length < 64) this.groups.push({ indent, address: m[2] });
    } else if ((m = QUEUED.exec(line))) {
      const indent = m[1].length;
      while (this.groups.length > 0 && this.groups[this.groups.length - 1].indent >= indent) this.groups.pop();
      // An O(1) array prints a priority once and the tasks of the same priority below it.
      if (m[2] !== undefined) this.prio = Number(m[2]);
      if (this.queued < MAX_ENTRIES) {
        this.queued++;
        rq.queued.push({
          pid: Number(m[3]), task: m[4], comm: m[5], prio: this.prio, queue: this.queue,
          taskGroup: this.groups.length > 0 ? this.groups[this.groups.length - 1].address : null,
          current: m[6] !== undefined, line: no,
        });
      }
    } else if (!NOTHING_QUEUED.test(line)) {
      return false;
    }
    if (rq.lines.length < 64) rq.lines.push(no);
    return true;
  }

  close(): void {
    this.cpu = null;
  }
}
