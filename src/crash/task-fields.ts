// Reads `task` / `task -R FIELD,...` answers: top-level task_struct members per task (policy, rt_priority, rcu_read_lock_nesting...).

import type { CrashTaskFields } from './types';
import { MAX_ENTRIES, type CrashPrompt, type CrashReader, type CrashTaskHeader } from './reader';

// `  policy = 1,` at the first level of the printed task_struct; nested members are indented further.
const FIELD = /^ {2}([a-z_][a-z0-9_]{0,63}) = (.{1,200}?),?\s*$/;
const NESTED = /^ {3,64}\S|^ {2}\},?\s*$/;

/** Reads the members `task` prints under each task header; a member whose value is a struct is kept as `{...}`. */
export class TaskFieldsReader implements CrashReader {
  readonly tasks: CrashTaskFields[] = [];
  private readonly byPid = new Map<number, CrashTaskFields>();
  private current: CrashTaskFields | null = null;

  take(line: string, no: number, prompt: CrashPrompt, header: CrashTaskHeader | null): boolean {
    if (prompt.verb !== 'task' || !header) return false;
    if (this.current?.pid !== header.pid) {
      this.current = this.byPid.get(header.pid) ?? null;
      if (!this.current && this.tasks.length < MAX_ENTRIES) {
        this.current = { pid: header.pid, task: header.task, fields: {}, lines: [] };
        this.tasks.push(this.current);
        this.byPid.set(header.pid, this.current);
      }
    }
    const t = this.current;
    if (!t) return false;
    const m = FIELD.exec(line);
    if (m) {
      if (Object.keys(t.fields).length < 256) t.fields[m[1]] = m[2] === '{' ? '{...}' : m[2].replace(/ '\\\d{3}'$/, '');
      if (t.lines.length < 64) t.lines.push(no);
      return true;
    }
    return NESTED.test(line);
  }

  close(): void {
    // A task header line (not taken here) ends nothing: the next header switches the task.
  }
}
