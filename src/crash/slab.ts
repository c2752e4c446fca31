// Reads `kmem -s`/`kmem -S` cache rows, and what `kmem ADDR`/`kmem -s ADDR` says of the slab object holding an address.

import type { CrashSlabCache, CrashSlabObject } from './types';
import { MAX_ENTRIES, type CrashReader } from './reader';
import { sizeToBytes } from './values';

// `CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME` (crash 7+); `CACHE            NAME                 OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE` (crash 5-6)
const HEADER_NEW = /^ {0,8}CACHE {1,24}OBJSIZE {1,8}ALLOCATED {1,8}TOTAL {1,8}SLABS {1,8}SSIZE {1,8}NAME\s*$/;
const HEADER_OLD = /^ {0,8}CACHE {1,24}NAME {1,32}OBJSIZE {1,8}ALLOCATED {1,8}TOTAL {1,8}SLABS {1,8}SSIZE\s*$/;
const ROW_NEW = /^ {0,8}([0-9a-f]{8,16}) {1,12}(\d{1,10}) {1,12}(\d{1,12}) {1,12}(\d{1,12}) {1,12}(\d{1,12}) {1,8}(\d{1,6}[kKmM]?) {1,8}(\S{1,64})\s*$/;
const ROW_OLD = /^ {0,8}([0-9a-f]{8,16}) {1,8}(\S{1,64}) {1,32}(\d{1,10}) {1,12}(\d{1,12}) {1,12}(\d{1,12}) {1,12}(\d{1,12}) {1,8}(\d{1,6}[kKmM]?)\s*$/;
// `  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE` and its rows; `kmem -S` prints one a slab.
const SLAB_HEADER = /^ {0,8}SLAB {1,24}MEMORY {1,24}(?:NODE {1,8})?TOTAL {1,8}ALLOCATED {1,8}FREE\s*$/;
const SLAB_ROW = /^ {0,8}([0-9a-f]{8,16}) {1,8}([0-9a-f]{8,16}) {1,8}(?:\d{1,4} {1,8})?\d{1,8} {1,12}\d{1,8} {1,12}\d{1,8}\s*$/;
const OBJECTS_HEADER = /^ {0,8}FREE \/ \[ALLOCATED\]\s*$/;
// SLUB's per-CPU and per-node sections of `kmem -S`: `CPU 0 KMEM_CACHE_CPU:` and its address, `CPU 0 SLAB:`, `NODE 0 PARTIAL:`, `(empty)`.
const SLUB_SECTION = /^ {0,8}(?:CPU \d{1,6} (?:KMEM_CACHE_CPU|SLAB|PARTIAL|FREE):|NODE \d{1,4} (?:PARTIAL|FULL|SLABS?):|\((?:empty|not tracked)\)|KMEM_CACHE_NODE {1,8}NODE {1,8}SLABS {1,8}PARTIAL {1,8}PER-CPU)\s*$/;
const SLUB_ADDRESS_ROW = /^ {0,8}[0-9a-f]{8,16}(?: {1,8}\d{1,10}){0,4}\s*$/;
// `  [ffff8b819fe69840]` allocated; `   f729d0a0  (cpu 7 cache)` or `   ffff...` free.
const OBJECT = /^ {0,12}(\[)?([0-9a-f]{8,16})(\])?(?: {1,4}\(cpu (\d{1,6}) cache\))?\s*$/;

/** Reads cache rows and object lists; an object belongs to the cache row printed above it. */
export class SlabReader implements CrashReader {
  readonly caches: CrashSlabCache[] = [];
  readonly objects: CrashSlabObject[] = [];
  private layout: 'new' | 'old' | null = null;
  private cache: CrashSlabCache | null = null;
  private inObjects = false;
  private slab: string | null = null;
  private list = 0;

  take(line: string, no: number): boolean {
    if (HEADER_NEW.test(line)) return this.open('new');
    if (HEADER_OLD.test(line)) return this.open('old');
    if (this.layout === null) return false;
    if (SLAB_HEADER.test(line)) {
      this.inObjects = false;
      return true;
    }
    if (SLUB_SECTION.test(line)) {
      this.inObjects = false;
      return true;
    }
    if (!this.inObjects && SLUB_ADDRESS_ROW.test(line)) return true;
    if (OBJECTS_HEADER.test(line)) {
      this.inObjects = true;
      this.list++;
      return true;
    }
    let m = this.inObjects ? OBJECT.exec(line) : null;
    if (m) {
      const allocated = m[1] === '[' && m[3] === ']';
      if ((m[1] === '[') !== (m[3] === ']')) return false;
      if (this.objects.length < MAX_ENTRIES) {
        this.objects.push({ address: m[2], cache: this.cache?.name ?? null, cacheAddress: this.cache?.cache ?? null, objSize: this.cache?.objSize ?? null, slab: this.slab, allocated, cpuCache: m[4] === undefined ? null : Number(m[4]), list: this.list, line: no });
      }
      return true;
    }
    if ((m = SLAB_ROW.exec(line))) {
      this.slab = m[1];
      return true;
    }
    m = (this.layout === 'new' ? ROW_NEW : ROW_OLD).exec(line);
    if (!m) return line.trim() === '' && this.inObjects;
    const [cache, name, objSize, allocated, total, slabs, ssize] = this.layout === 'new' ? [m[1], m[7], m[2], m[3], m[4], m[5], m[6]] : [m[1], m[2], m[3], m[4], m[5], m[6], m[7]];
    const row: CrashSlabCache = { cache, name, objSize: Number(objSize), allocated: Number(allocated), total: Number(total), slabs: Number(slabs), slabSize: ssize, slabBytes: sizeToBytes(/[kKmM]$/.test(ssize) ? `${ssize.slice(0, -1)} ${ssize.slice(-1).toUpperCase()}B` : `${ssize} B`), line: no };
    if (this.caches.length < MAX_ENTRIES) this.caches.push(row);
    this.cache = row;
    this.inObjects = false;
    this.slab = null;
    return true;
  }

  private open(layout: 'new' | 'old'): boolean {
    this.layout = layout;
    this.cache = null;
    this.inObjects = false;
    this.slab = null;
    return true;
  }

  close(): void {
    this.layout = null;
    this.cache = null;
    this.inObjects = false;
    this.slab = null;
  }
}
