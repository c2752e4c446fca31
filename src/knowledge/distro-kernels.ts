// Build options of distro kernels that change how crash values read (CONFIG_PREEMPT_COUNT, KASLR, stack size), keyed by distro and version.

import { inRange, matchesDistro, versionOf, type DistroMatch, type KernelRelease, type VersionRange } from './release';

export interface DistroKernelRow {
  /** What the row covers, for messages: "RHEL 7 (3.10)". */
  name: string;
  match: DistroMatch;
  /**
   * CONFIG_PREEMPT_COUNT (selected by PREEMPT, PREEMPT_DYNAMIC, DEBUG_ATOMIC_SLEEP): when on, spin_lock()
   * and preempt_disable() count, and schedule()'s own preempt_disable() is in the count that
   * "scheduling while atomic" prints. null: not known.
   */
  preemptCount: boolean | null;
  /** CONFIG_RANDOMIZE_BASE (kernel text KASLR; 1 GiB image, modules from ffffffffc0000000). */
  kaslrText: boolean | null;
  /** CONFIG_RANDOMIZE_MEMORY (direct map, vmalloc, vmemmap bases randomised). */
  kaslrMemory: boolean | null;
  /** x86_64 kernel stack size in KiB. */
  stackKiB: number | null;
}

/** Distro kernels, most specific first. */
export const DISTRO_KERNELS: readonly DistroKernelRow[] = [
  // RHEL 6 backported 16 KiB stacks (upstream 6538b8e) in 2.6.32-520.el6.
  { name: 'RHEL 6 (2.6.32)', match: { distro: 'rhel', majors: [6, 6] }, preemptCount: false, kaslrText: false, kaslrMemory: false, stackKiB: 8 },
  { name: 'RHEL 7 (3.10)', match: { distro: 'rhel', majors: [7, 7] }, preemptCount: false, kaslrText: false, kaslrMemory: false, stackKiB: 16 },
  { name: 'RHEL 8 (4.18)', match: { distro: 'rhel', majors: [8, 8] }, preemptCount: false, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'RHEL 9+ (5.14+, PREEMPT_DYNAMIC)', match: { distro: 'rhel', majors: [9, 99] }, preemptCount: true, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'Fedora 35+ (PREEMPT_DYNAMIC)', match: { distro: 'fedora', majors: [35, 999] }, preemptCount: true, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'Debian up to 8 (≤ 3.16)', match: { distro: 'debian', range: { before: '4.8' } }, preemptCount: false, kaslrText: false, kaslrMemory: false, stackKiB: null },
  { name: 'Debian 9–11 (4.9–5.10)', match: { distro: 'debian', range: { since: '4.8', before: '5.12' } }, preemptCount: false, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'Debian 12+ (6.1+, PREEMPT_DYNAMIC)', match: { distro: 'debian', range: { since: '5.12' } }, preemptCount: true, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'Ubuntu before 4.8', match: { distro: 'ubuntu', range: { before: '4.8' } }, preemptCount: false, kaslrText: false, kaslrMemory: false, stackKiB: null },
  { name: 'Ubuntu 4.8–5.4', match: { distro: 'ubuntu', range: { since: '4.8', before: '5.5' } }, preemptCount: false, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'Ubuntu 5.5–6.7', match: { distro: 'ubuntu', range: { since: '5.5', before: '6.8' } }, preemptCount: null, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'Ubuntu 24.04+ (6.8+, PREEMPT_DYNAMIC)', match: { distro: 'ubuntu', range: { since: '6.8' } }, preemptCount: true, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'SUSE SLE 12/15 (before 5.14)', match: { distro: 'suse', range: { before: '5.14' } }, preemptCount: false, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
  { name: 'SUSE SLE 15 SP4+ (5.14+)', match: { distro: 'suse', range: { since: '5.14' } }, preemptCount: null, kaslrText: true, kaslrMemory: true, stackKiB: 16 },
];

/** Upstream defaults when the release names no distro. */
export const UPSTREAM_DEFAULTS: ReadonlyArray<{ range: VersionRange; kaslrText: boolean | null; kaslrMemory: boolean | null; stackKiB: number }> = [
  { range: { before: '3.14' }, kaslrText: false, kaslrMemory: false, stackKiB: 8 },
  { range: { since: '3.14', before: '3.15' }, kaslrText: null, kaslrMemory: false, stackKiB: 8 },
  { range: { since: '3.15', before: '4.8' }, kaslrText: null, kaslrMemory: false, stackKiB: 16 },
  // RANDOMIZE_BASE became default y in 4.12; RANDOMIZE_MEMORY defaults to RANDOMIZE_BASE.
  { range: { since: '4.8', before: '4.12' }, kaslrText: null, kaslrMemory: null, stackKiB: 16 },
  { range: { since: '4.12' }, kaslrText: null, kaslrMemory: null, stackKiB: 16 },
];

export interface KernelBuildFacts {
  source: string;
  preemptCount: boolean | null;
  kaslrText: boolean | null;
  kaslrMemory: boolean | null;
  stackKiB: number | null;
}

/** What we know of a kernel's build from its release string alone. */
export function buildFacts(rel: KernelRelease | null): KernelBuildFacts {
  if (!rel) return { source: 'no kernel release', preemptCount: null, kaslrText: null, kaslrMemory: null, stackKiB: null };
  const row = DISTRO_KERNELS.find((r) => matchesDistro(rel, r.match));
  let facts: KernelBuildFacts;
  if (row) {
    facts = { source: row.name, preemptCount: row.preemptCount, kaslrText: row.kaslrText, kaslrMemory: row.kaslrMemory, stackKiB: row.stackKiB };
    // RHEL 6 took 16 KiB stacks in 2.6.32-520.el6.
    if (rel.distro === 'rhel' && rel.distroMajor === 6 && (rel.distroBuild[0] ?? 0) >= 520) facts.stackKiB = 16;
  } else {
    const up = UPSTREAM_DEFAULTS.find((r) => inRange(versionOf(rel), r.range));
    facts = { source: `upstream ${rel.major}.${rel.minor} defaults`, preemptCount: null, kaslrText: up?.kaslrText ?? null, kaslrMemory: up?.kaslrMemory ?? null, stackKiB: up?.stackKiB ?? null };
  }
  // Debug kernels (RHEL kernel-debug) enable DEBUG_ATOMIC_SLEEP, which selects PREEMPT_COUNT.
  if (rel.debug) facts = { ...facts, source: facts.source + ' (debug build)', preemptCount: true };
  return facts;
}
