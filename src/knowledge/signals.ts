// Signal numbers as an exit code shows them (the low 7 bits of a wait status), and what each says about a task that died of it (data).

export interface SignalRow {
  number: number;
  name: string;
  /** What a process killed by it did, when that says something about the cause. */
  meaning: 'crashed' | 'killed' | 'aborted' | 'terminated';
}

export const SIGNALS: readonly SignalRow[] = [
  { number: 4, name: 'SIGILL', meaning: 'crashed' },
  { number: 6, name: 'SIGABRT', meaning: 'aborted' },
  { number: 7, name: 'SIGBUS', meaning: 'crashed' },
  { number: 8, name: 'SIGFPE', meaning: 'crashed' },
  { number: 9, name: 'SIGKILL', meaning: 'killed' },
  { number: 11, name: 'SIGSEGV', meaning: 'crashed' },
  { number: 15, name: 'SIGTERM', meaning: 'terminated' },
];

/** Exit statuses with a conventional meaning (the shell's and init's). */
export const EXIT_STATUSES: ReadonlyArray<{ status: number; meaning: 'not-found' | 'failed' | 'not-executable' }> = [
  { status: 1, meaning: 'failed' },
  { status: 126, meaning: 'not-executable' },
  { status: 127, meaning: 'not-found' },
];
