// Reads `irq -s`: interrupt counts per CPU under a `CPU0 CPU1 ...` header, as /proc/interrupts prints them.

import type { CrashIrqStats } from './types';
import { MAX_ENTRIES, type CrashReader } from './reader';

const HEADER = /^ {4,64}((?:CPU\d{1,5} {1,16}){0,255}CPU\d{1,5}) {0,16}$/;
// `  0:         83          0  IO-APIC-edge     timer`; rows of per-CPU names (`NMI:`, `LOC:`) have a description instead.
const ROW = /^ {0,8}(\d{1,6}|[A-Z]{2,4}): {1,24}((?:\d{1,20} {1,24}){0,255}\d{1,20})(?: {1,8}(\S{1,40})(?: {1,16}(\S.{0,200}?))?)?\s*$/;

/** Reads `irq -s` blocks; the first one read is kept whole, later ones add rows up to the cap. */
export class IrqStatsReader implements CrashReader {
  stats: CrashIrqStats | null = null;
  private cpus: number[] | null = null;

  take(line: string, no: number): boolean {
    const h = HEADER.exec(line);
    if (h) {
      this.cpus = h[1].split(/ {1,16}/).map((c) => Number(c.slice(3)));
      this.stats ??= { cpus: this.cpus, rows: [], lines: [] };
      // A later block of other CPUs (`irq -c 1 -s`) is not rows of the first one's columns.
      if (this.stats.cpus.join(',') !== this.cpus.join(',')) this.cpus = null;
      else if (this.stats.lines.length < 64) this.stats.lines.push(no);
      return true;
    }
    if (!this.cpus || !this.stats) return false;
    const m = ROW.exec(line);
    if (!m) return line.trim() === '...' || line.trim() === '';
    const counts = m[2].split(/ {1,24}/).map(Number);
    if (counts.length !== this.cpus.length) return false;
    if (this.stats.rows.length < MAX_ENTRIES) this.stats.rows.push({ irq: m[1], counts, chip: m[3] ?? null, name: m[4] ?? null, line: no });
    return true;
  }

  close(): void {
    this.cpus = null;
  }
}
