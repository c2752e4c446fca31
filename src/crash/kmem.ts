// Reads `kmem -i`: memory, huge pages, swap and commit figures in pages and in the size crash printed.

import type { CrashKmemInfo, CrashKmemRow } from './types';
import type { CrashReader } from './reader';
import { sizeToBytes } from './values';

type NamedRow = Exclude<keyof CrashKmemInfo, 'rows' | 'lines'>;

/** The rows `kmem -i` prints, by label. Other labels (newer crash versions add some) are kept in `rows` only. */
const KMEM_LABELS: Readonly<Record<string, NamedRow>> = {
  'TOTAL MEM': 'totalMem',
  FREE: 'free',
  USED: 'used',
  SHARED: 'shared',
  BUFFERS: 'buffers',
  CACHED: 'cached',
  SLAB: 'slab',
  'TOTAL HUGE': 'totalHuge',
  'HUGE FREE': 'hugeFree',
  'TOTAL SWAP': 'totalSwap',
  'SWAP USED': 'swapUsed',
  'SWAP FREE': 'swapFree',
  'COMMIT LIMIT': 'commitLimit',
  COMMITTED: 'committed',
};

const KMEM_HEADER = /^ {0,24}PAGES {1,16}TOTAL {1,16}PERCENTAGE\s*$/;
// `         FREE   208962     816.3 MB   10% of TOTAL MEM`, `    TOTAL MEM  1974231       7.5 GB         ----`
const KMEM_ROW = /^ {0,16}([A-Z][A-Z ]{0,20}[A-Z]) {1,16}(\d{1,20}) {1,16}(\d{1,12}(?:\.\d{1,3})? [KMGTP]?B) {1,16}(?:-{4}|(\d{1,3})% of ([A-Z][A-Z ]{1,24}[A-Z]))\s*$/;

/** Reads `kmem -i` rows; a second `kmem -i` fills only rows the first lacked. */
export class KmemReader implements CrashReader {
  memory: CrashKmemInfo | null = null;

  take(line: string, no: number): boolean {
    if (KMEM_HEADER.test(line)) return true;
    const m = KMEM_ROW.exec(line);
    if (!m) return false;
    const bytes = sizeToBytes(m[3]);
    if (bytes === null) return false;
    const mem = (this.memory ??= {
      totalMem: null, free: null, used: null, shared: null, buffers: null, cached: null, slab: null, totalHuge: null,
      hugeFree: null, totalSwap: null, swapUsed: null, swapFree: null, commitLimit: null, committed: null, rows: [], lines: [],
    });
    const row: CrashKmemRow = {
      label: m[1], pages: Number(m[2]), sizeText: m[3], bytes,
      percent: m[4] === undefined ? null : Number(m[4]), of: m[5] ?? null, line: no,
    };
    if (mem.rows.length < 256) {
      mem.rows.push(row);
      mem.lines.push(no);
    }
    const key = KMEM_LABELS[m[1]];
    if (key) mem[key] ??= row;
    return true;
  }

  close(): void {
    // Each row stands alone.
  }
}
