// Reads what crash says of addresses: `rd` words and its "invalid kernel virtual address", `kmem ADDR` that finds nothing, and `timer` lists.

import type { CrashAddressFact, CrashTimer } from './types';
import { MAX_ENTRIES, type CrashReader } from './reader';

// `rd: invalid kernel virtual address: ffffffffc03fd3e0  type: "64-bit KVADDR"`; `rd: seek error: kernel virtual address: ...`
const RD_INVALID = /^rd: (?:invalid kernel virtual address|seek error: kernel virtual address|page excluded: kernel virtual address): ([0-9a-f]{1,16})\b/;
// `ffffffffc03fd3e0:  0000000000000000 ffffffffc03fd3e8   ........` (rd, rd -s symbols allowed)
const RD_WORDS = /^([0-9a-f]{8,16}): {1,4}((?:[0-9a-f]{2,16}|[A-Za-z_.][\w.+]{0,120}) {0,4}){1,8}/;
// `kmem ADDR`: `ffffffffc03fd3e0: kernel virtual address not found in mem map`, and the translation warning before it.
const KMEM_NOT_FOUND = /^([0-9a-f]{8,16}): kernel virtual address not found in mem map/;
const KMEM_NO_TRANSLATION = /^WARNING: cannot make virtual-to-physical translation: ([0-9a-f]{1,16})\b/;
// `timer`: `  4294893760        157  ffffffffb6462558  ffffffffb4ac51f0  <delayed_work_timer_fn>` (TTE column from crash 7.x),
// and `timer: invalid list entry: ffffffffc03fd3e0` where a list runs into memory that is gone.
const TIMER_ROW = /^ {1,8}(\d{1,20}) {1,12}(?:(-?\d{1,20}) {1,12})?([0-9a-f]{8,16}) {1,12}([0-9a-f]{8,16}) {1,12}<([^>\s]{1,200})>\s*$/;
const TIMER_HEADER = /^ {0,4}EXPIRES {1,12}(?:TTE {1,12})?TIMER_LIST {1,12}FUNCTION\s*$/;
const TIMER_INVALID = /^timer: invalid list entry: ([0-9a-f]{1,16})\b/;
const TIMER_BASE = /^ {0,4}(?:TIMER_BASES\[(\d{1,5})\]\[(\w{1,16})\]|TVEC_BASES\[(\d{1,5})\]|CPU: (\d{1,5}) {1,8}(?:TVEC_BASE|TIMER_BASE)\S{0,8}): ?([0-9a-f]{8,16})?/;

/** Reads `rd`, `kmem ADDR` and `timer` answers into address facts and timers. */
export class MemoryReader implements CrashReader {
  readonly facts: CrashAddressFact[] = [];
  readonly timers: CrashTimer[] = [];
  private cpu: number | null = null;

  private fact(f: CrashAddressFact): void {
    if (this.facts.length < MAX_ENTRIES) this.facts.push(f);
  }

  take(line: string, no: number, prompt: { verb: string | null }): boolean {
    let m = RD_INVALID.exec(line);
    if (m) {
      // The address translated, but the file holds no such page: the dump's filter left it out (makedumpfile -d),
      // or it lies outside the memory dumped (a seek error). Mapped memory, no sign that it is gone.
      const excluded = line.startsWith('rd: page excluded') || line.startsWith('rd: seek error');
      this.fact({ address: m[1], readable: false, by: 'rd', words: [], line: no, ...(excluded ? { excluded: true } : {}) });
      return true;
    }
    if ((m = KMEM_NOT_FOUND.exec(line))) {
      this.fact({ address: m[1], readable: false, by: 'kmem', words: [], line: no });
      return true;
    }
    if ((m = KMEM_NO_TRANSLATION.exec(line))) return true;
    if ((m = TIMER_INVALID.exec(line))) {
      this.fact({ address: m[1], readable: false, by: 'timer', words: [], line: no });
      return true;
    }
    if ((m = TIMER_BASE.exec(line))) {
      this.cpu = Number(m[1] ?? m[3] ?? m[4]);
      return true;
    }
    if (TIMER_HEADER.test(line)) return true;
    // A timer listing goes on across the blank lines between its bases.
    if (this.cpu !== null && line.trim() === '') return true;
    if ((m = TIMER_ROW.exec(line))) {
      if (this.timers.length < MAX_ENTRIES) this.timers.push({ cpu: this.cpu, expires: m[1], timerList: m[3], functionAddress: m[4], function: m[5], line: no });
      return true;
    }
    // Words only where rd was asked: a row of hex words is too common elsewhere (bt -f, Code:).
    if (prompt.verb === 'rd' && (m = RD_WORDS.exec(line))) {
      const words = line.slice(m[1].length + 1).trim().split(/ {1,4}/).filter((w) => /^[0-9a-f]{2,16}$/.test(w)).slice(0, 8);
      this.fact({ address: m[1], readable: true, by: 'rd', words, line: no });
      return true;
    }
    return false;
  }

  close(): void {
    this.cpu = null;
  }
}
