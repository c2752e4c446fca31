// preempt_count bit layouts per kernel era on x86 (include/linux/hardirq.h, preempt_mask.h, preempt.h), one row per era.

import type { VersionRange } from './release';

export interface BitField {
  shift: number;
  bits: number;
}

export interface PreemptLayout {
  /** Short stable name, e.g. "x86-3.14-4.3". */
  name: string;
  range: VersionRange;
  preempt: BitField;
  softirq: BitField;
  hardirq: BitField;
  /** null before NMI tracking existed (2.6.29). */
  nmi: BitField | null;
  /** PREEMPT_ACTIVE mask, null once removed (4.4). */
  preemptActive: number | null;
  /** x86 per-CPU preempt count (3.13+): bit 31 is PREEMPT_NEED_RESCHED, inverted (set = no reschedule needed). */
  needResched: number | null;
  /** Where the count lives, for messages. */
  storage: string;
  /** Upstream facts behind the row. */
  source: string;
}

export const SOFTIRQ_OFFSET = 0x100;
export const SOFTIRQ_DISABLE_OFFSET = 0x200;

/**
 * Oldest first, non-overlapping. Distro kernels follow their upstream base (RHEL 6 = 2.6.32,
 * RHEL 7 = 3.10, RHEL 8 = 4.18, RHEL 9 = 5.14); none of them changed the layout.
 */
export const PREEMPT_LAYOUTS: readonly PreemptLayout[] = [
  {
    name: 'x86-2.6.0-2.6.28',
    range: { since: '2.6.0', before: '2.6.29' },
    preempt: { shift: 0, bits: 8 }, softirq: { shift: 8, bits: 8 }, hardirq: { shift: 16, bits: 12 }, nmi: null,
    preemptActive: 0x10000000, needResched: null, storage: 'thread_info->preempt_count',
    source: 'hardirq.h: MAX_HARDIRQ_BITS 12, no NMI bit; x86 thread_info.h PREEMPT_ACTIVE 0x10000000',
  },
  {
    name: 'x86-2.6.29-3.12',
    range: { since: '2.6.29', before: '3.13' },
    preempt: { shift: 0, bits: 8 }, softirq: { shift: 8, bits: 8 }, hardirq: { shift: 16, bits: 10 }, nmi: { shift: 26, bits: 1 },
    preemptActive: 0x10000000, needResched: null, storage: 'thread_info->preempt_count',
    source: 'hardirq.h: HARDIRQ_BITS 10 (0x03ff0000), NMI_MASK 0x04000000; x86 PREEMPT_ACTIVE 0x10000000 (RHEL 6, RHEL 7)',
  },
  {
    name: 'x86-3.13',
    range: { since: '3.13', before: '3.14' },
    preempt: { shift: 0, bits: 8 }, softirq: { shift: 8, bits: 8 }, hardirq: { shift: 16, bits: 10 }, nmi: { shift: 26, bits: 1 },
    preemptActive: 0x08000000, needResched: 0x80000000, storage: 'per-CPU __preempt_count',
    source: 'preempt_mask.h: generic PREEMPT_ACTIVE after NMI (0x08000000); x86 per-CPU count with inverted PREEMPT_NEED_RESCHED',
  },
  {
    name: 'x86-3.14-4.3',
    range: { since: '3.14', before: '4.4' },
    preempt: { shift: 0, bits: 8 }, softirq: { shift: 8, bits: 8 }, hardirq: { shift: 16, bits: 4 }, nmi: { shift: 20, bits: 1 },
    preemptActive: 0x00200000, needResched: 0x80000000, storage: 'per-CPU __preempt_count',
    source: '"hardirq: Make hardirq bits generic": HARDIRQ_MASK 0x000f0000, NMI_MASK 0x00100000, PREEMPT_ACTIVE 0x00200000',
  },
  {
    name: 'x86-4.4-5.8',
    range: { since: '4.4', before: '5.9' },
    preempt: { shift: 0, bits: 8 }, softirq: { shift: 8, bits: 8 }, hardirq: { shift: 16, bits: 4 }, nmi: { shift: 20, bits: 1 },
    preemptActive: null, needResched: 0x80000000, storage: 'per-CPU __preempt_count',
    source: 'PREEMPT_ACTIVE removed (4.4); thread_info moved into task_struct on x86 (4.9); RHEL 8 (4.18)',
  },
  {
    name: 'x86-5.9+',
    range: { since: '5.9' },
    preempt: { shift: 0, bits: 8 }, softirq: { shift: 8, bits: 8 }, hardirq: { shift: 16, bits: 4 }, nmi: { shift: 20, bits: 4 },
    preemptActive: null, needResched: 0x80000000, storage: 'per-CPU __preempt_count',
    source: 'preempt.h: NMI_BITS 4 (NMI_MASK 0x00f00000) for nested NMI accounting; RHEL 9, Debian 12',
  },
];

/** x86_64: thread_info sits at the bottom of the kernel stack (where an overflow lands) until THREAD_INFO_IN_TASK (4.9). */
export const THREAD_INFO_ON_STACK: ReadonlyArray<{ range: VersionRange; onStack: boolean }> = [
  { range: { before: '4.9' }, onStack: true },
  { range: { since: '4.9' }, onStack: false },
];

/** Depths beyond these do not come from real nesting: the count was overwritten or leaked in a loop. */
export const PLAUSIBLE_LIMITS = {
  preemptDepth: 64,
  softirqDisableDepth: 16,
  hardirqDepth: 3,
  nmiDepth: 3,
} as const;

/** Where the count the user gives us came from: it changes whether schedule()'s own +1 is in it. */
export type PreemptSource = 'schedule-bug' | 'might-sleep' | 'raw';

export const PREEMPT_SOURCES: readonly PreemptSource[] = ['schedule-bug', 'might-sleep', 'raw'];
