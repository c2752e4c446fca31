// Reads `mod` module lists and `mod -t` taints, merged by module name.

import type { CrashModule } from './types';
import { MAX_ENTRIES, type CrashReader, type CrashPrompt } from './reader';

const MOD_HEADER = /^ {0,8}MODULE {1,16}NAME {1,40}(?:TEXT_)?BASE {1,24}SIZE {1,8}OBJECT FILE\s*$/;
// `f7e44c20  dm_mod          f7e34000   88568  (not loaded)  [CONFIG_KALLSYMS]`
const MOD_ROW = /^ {0,8}([0-9a-f]{8,16}) {1,8}([A-Za-z0-9_-]{1,64}) {1,40}([0-9a-f]{8,16}) {1,16}(\d{1,12}) {1,8}(\(not loaded\)|\S{1,512})((?: {1,4}\[[A-Z_a-z0-9 ]{1,64}\]){0,4})\s*$/;
const TAINT_HEADER = /^ {0,8}NAME {1,64}TAINTS?\s*$/;
const TAINT_ROW = /^ {0,8}([A-Za-z0-9_-]{1,64}) {1,64}([A-Z()]{1,32}|[0-9a-f]{1,16})\s*$/;
const MOD_MESSAGE = /^mod: /;

/** Reads module lines; `mod -t` rows are read only below their header, being too plain to know otherwise. */
export class ModReader implements CrashReader {
  readonly modules: CrashModule[] = [];
  private readonly byName = new Map<string, CrashModule>();
  private inTaints = false;

  private module(name: string, no: number): CrashModule | null {
    let m = this.byName.get(name);
    if (!m) {
      if (this.modules.length >= MAX_ENTRIES) return null;
      m = { name, module: null, base: null, size: null, objectFile: null, notes: [], taint: null, lines: [] };
      this.byName.set(name, m);
      this.modules.push(m);
    }
    if (m.lines.length < 16) m.lines.push(no);
    return m;
  }

  take(line: string, no: number, prompt: CrashPrompt): boolean {
    if (MOD_HEADER.test(line)) return true;
    if (TAINT_HEADER.test(line)) {
      this.inTaints = true;
      return true;
    }
    const row = MOD_ROW.exec(line);
    if (row) {
      const m = this.module(row[2], no);
      if (m) {
        Object.assign(m, { module: row[1], base: row[3], size: Number(row[4]), objectFile: row[5] });
        const notes = [...row[6].matchAll(/\[([^\]]{1,64})\]/g)].map((n) => n[1]);
        m.notes = notes;
      }
      return true;
    }
    if (this.inTaints) {
      const t = TAINT_ROW.exec(line);
      if (t) {
        const m = this.module(t[1], no);
        if (m) m.taint = t[2];
        return true;
      }
    }
    return prompt.verb === 'mod' && MOD_MESSAGE.test(line);
  }

  close(): void {
    this.inTaints = false;
  }
}
