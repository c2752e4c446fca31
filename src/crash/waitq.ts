// Reads `waitq`: the tasks blocked on a wait queue, or that it is empty.

import type { CrashWaitQueue } from './types';
import { MAX_ENTRIES, TASK_HEADER, type CrashPrompt, type CrashReader } from './reader';

// `wait queue "buffer_wait" (c02927f0) is empty`; `wait queue ffff88003a4b2c00 is empty`
const EMPTY = /^ {0,8}wait queue (?:"(\S{1,128})" \(([0-9a-f]{8,16})\)|([0-9a-f]{8,16})) is empty\s*$/;

/** Reads the answers of `waitq` prompts: task headers under one are the queue's waiters. */
export class WaitqReader implements CrashReader {
  readonly queues: CrashWaitQueue[] = [];
  private current: CrashWaitQueue | null = null;
  private prompt: CrashPrompt | null = null;

  take(line: string, no: number, prompt: CrashPrompt): boolean {
    if (prompt !== this.prompt) {
      this.prompt = prompt;
      this.current = null;
    }
    const e = EMPTY.exec(line);
    if (e) {
      this.push({ queue: e[1] ?? e[3], address: e[2] ?? e[3], tasks: [], empty: true, lines: [no] });
      return true;
    }
    if (prompt.verb !== 'waitq') return false;
    const m = TASK_HEADER.exec(line);
    if (!m) return false;
    if (!this.current) {
      const arg = prompt.args.trim();
      const addr = /^(?:0x)?([0-9a-f]{8,16})$/.exec(arg.split(/\s+/).pop() ?? '');
      this.current = { queue: arg, address: addr && !/\./.test(arg) ? addr[1] : null, tasks: [], empty: false, lines: [] };
      this.push(this.current);
    }
    if (this.current.tasks.length < MAX_ENTRIES) this.current.tasks.push({ pid: Number(m[1]), task: m[2], cpu: m[3] === '-' ? null : Number(m[3]), comm: m[4], line: no });
    this.current.lines.push(no);
    return true;
  }

  private push(q: CrashWaitQueue): void {
    if (this.queues.length < MAX_ENTRIES) this.queues.push(q);
  }

  close(): void {
    // A waitq answer is its task headers; blank lines between them do not end it.
  }
}
