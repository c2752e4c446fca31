// Reads the lines crash prints for CPUs that are offline (`bt -a`, `runq`, `timer`, `irq`, `sys`).

import type { CrashCpuState } from './types';
import { MAX_ENTRIES, type CrashReader } from './reader';

/**
 * crash's forms: `CPU 3 [OFFLINE]` and `CPU: 3 [OFFLINE]` (bt -a, runq), `CPU 3: [OFFLINE]`,
 * `TIMER_BASES[3]: [OFFLINE]`, `TVEC_BASES[3]: [OFFLINE]` (timer), `CPU 3 is OFFLINE.`.
 */
const OFFLINE = /^ {0,16}(?:CPU:? {0,2}(\d{1,6}):? {1,4}\[OFFLINE\]|(?:TIMER_BASES|TVEC_BASES)\[(\d{1,6})\](?:\[\w{1,16}\])?: {1,4}\[OFFLINE\]|CPU ?(\d{1,6}) is OFFLINE\.?)\s*$/;

/** Collects offline CPUs, one entry a CPU. */
export class CpuStateReader implements CrashReader {
  readonly cpus: CrashCpuState[] = [];

  take(line: string, no: number): boolean {
    const m = OFFLINE.exec(line);
    if (!m) return false;
    const cpu = Number(m[1] ?? m[2] ?? m[3]);
    if (!this.cpus.some((c) => c.cpu === cpu) && this.cpus.length < MAX_ENTRIES) this.cpus.push({ cpu, online: false, line: no });
    return true;
  }

  close(): void {
    // Each line stands alone.
  }
}
