// The contract between the session reader and the readers of one command family's output.

/** The prompt whose output is being read, or nulls for output pasted without one. */
export interface CrashPrompt {
  /** First word of the command: `ps`, `bt`, `struct`; null before any prompt. */
  verb: string | null;
  /** The rest of the command line, options included. */
  args: string;
}

/** The last `PID: N  TASK: ADDR  CPU: N  COMMAND: "comm"` header since the prompt: the task the lines below are of. */
export interface CrashTaskHeader {
  pid: number;
  task: string;
  cpu: number | null;
  comm: string;
  line: number;
}

/** A reader of one command family: it is offered every line and says whether the line was its own. */
export interface CrashReader {
  /** Reads the line when it belongs to this family's output; false leaves it to the others. */
  take(text: string, no: number, prompt: CrashPrompt, header: CrashTaskHeader | null): boolean;
  /** A prompt, or a line no reader took, ended whatever block was open. */
  close(): void;
}

/** No list grows past this many entries: a hostile paste must stay in bounded memory. */
export const MAX_ENTRIES = 100_000;
/** Lines longer than this are no crash output line: they are skipped unread. */
export const MAX_LINE = 4096;

/** crash's task header line, printed by `bt`, `files`, `net -s`, `waitq`, `vm`, `task`... */
export const TASK_HEADER = /^ {0,16}PID: {1,8}(\d{1,10}) {1,8}TASK: {1,4}([0-9a-f]{8,16}) {1,8}CPU: {1,4}(\d{1,6}|-) {1,8}COMMAND: {1,4}"(.{0,64})"\s*$/;
