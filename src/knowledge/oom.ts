// The lines of an out-of-memory event (mm/oom_kill.c, mm/memcontrol.c) and what each outcome means (data).

import { tx, type Text } from './text';

/** How an OOM event ended. */
export type OomOutcomeId = 'no-killable' | 'deadlocked' | 'panic-on-oom' | 'memcg-killed' | 'killed';

export interface OomOutcome {
  id: OomOutcomeId;
  re: RegExp;
  /** The outcome stops the machine. */
  panics: boolean;
  /** The limit hit was a memory cgroup's, not the machine's memory. */
  cgroup: boolean;
}

/** In match order: the first that matches a line names the outcome (a cgroup kill before a plain kill). */
export const OOM_OUTCOMES: readonly OomOutcome[] = [
  { id: 'no-killable', re: /Out of memory and no killable processes/, panics: true, cgroup: false },
  { id: 'deadlocked', re: /Kernel panic - not syncing: System is deadlocked on memory/, panics: true, cgroup: false },
  { id: 'panic-on-oom', re: /Out of memory: (?:system-wide |compulsory )?panic_on_oom is (?:enabled|selected)/, panics: true, cgroup: false },
  { id: 'memcg-killed', re: /Memory cgroup out of memory: Kill(?:ed)? process (\d{1,10}) \(([^)]{1,64})\)/, panics: false, cgroup: true },
  { id: 'killed', re: /(?:^|: )Kill(?:ed)? process (\d{1,10}) \(([^)]{1,64})\)/, panics: false, cgroup: false },
];

/** "comm invoked oom-killer: gfp_mask=0x..(GFP_...), order=N, oom_score_adj=M" (the mask may wrap to the next line). */
export const OOM_INVOKED = /^(\S.{0,80}?) invoked oom-killer:(?: ?gfp_mask=(0x[0-9a-f]{1,10})(?:\(([\w|]{1,200})\))?)?/;
export const OOM_ORDER = /\border=(-?\d{1,2})\b/;
/** "memory: usage 524288kB, limit 524288kB, failcnt 12": the cgroup's usage at its limit. */
export const MEMCG_USAGE = /^memory: usage (\d{1,12})kB, limit (\d{1,12})kB/;

/** The task table's header ("[  pid  ]   uid  tgid total_vm      rss ... name"), possibly wrapped before "name". */
export const TASK_TABLE_HEADER = /^\[ {0,4}pid {0,4}\] .{0,160}\brss\b/;
/** "Unreclaimable slab info:" is followed by "Name Used Total" and one line per cache. */
export const SLAB_INFO_HEADER = /^Unreclaimable slab info:/;
export const SLAB_INFO_ROW = /^([\w.:@/>()-]{1,64})\s{1,40}(\d{1,12})KB\s{1,40}(\d{1,12})KB\s*$/;

/** A share of memory above which one consumer "clearly dominates" and is named. */
export const DOMINANT_SHARE = 0.5;
/** Unreclaimable slab above this share of RAM is a kernel memory leak, not a workload. */
export const SLAB_LEAK_SHARE = 0.3;
/** shmem/tmpfs above this share of RAM is worth naming: killing processes does not free it. */
export const SHMEM_SHARE = 0.1;
/** An allocation order from which fragmentation, not exhaustion, is the usual cause (32 KiB contiguous). */
export const HIGH_ORDER = 3;

/** Slab caches whose size says what holds the memory (debugging facilities' own records, pinned VFS objects); each meaning is a sentence. */
export const SLAB_CACHE_MEANINGS: ReadonlyArray<{ cache: RegExp; meaning: Text }> = [
  { cache: /^kmemleak_(?:object|scan_area)$/, meaning: tx('With CONFIG_DEBUG_KMEMLEAK on, kmemleak keeps one record per tracked allocation, and its own records hold this memory (many live objects, or records never freed after kmemleak disabled itself)', 'kmemleak 为每个被跟踪的分配保存一条记录：打开 CONFIG_DEBUG_KMEMLEAK 时，这部分内存被它自己的记录占着（活跃对象太多，或 kmemleak 自行关闭后记录没有释放）') },
  { cache: /^debug_objects_cache$/, meaning: tx('With CONFIG_DEBUG_OBJECTS on, debugobjects keeps one record per tracked object (timers, work items, RCU heads), and those records hold this memory', 'debugobjects 为每个被跟踪对象（定时器、工作项、RCU 头）保存一条记录：这部分内存被 CONFIG_DEBUG_OBJECTS 自己占着') },
  { cache: /^(?:dentry|inode_cache|\w+_inode_cache)$/, meaning: tx('Dentries and inodes are normally reclaimable; counted as unreclaimable they are pinned by open files or references that were never dropped', 'dentry 和 inode 通常是可回收的；被算作不可回收，说明它们被打开的文件或从未释放的引用钉住了') },
];
