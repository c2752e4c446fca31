// Known kernel bugs with their fixes, keyed by signature and kernel range (data for KT-known-issue).

import type { DistroMatch, VersionRange } from './release';

export interface KnownIssue {
  id: string;
  rootCauseClass: 'stack-overflow' | 'deadlock-aa' | 'use-after-free' | 'memory-corruption' | 'hung-task-io' | 'other';
  title: { en: string; zh: string };
  /** Every pattern must match some frame function in the input. */
  functions: readonly RegExp[];
  /** Derived facts that must hold (see SIGNALS in rules/known-issue.ts). */
  signals: readonly string[];
  /** Upstream versions affected. */
  range: VersionRange;
  /** Distro kernels affected, with the first fixed distro build (compared on the distro build numbers). */
  distro?: DistroMatch & { fixedBuild?: readonly number[] };
  fix: { en: string; zh: string };
  references: readonly string[];
}

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    id: 'rhel6-xfs-stack-overflow',
    rootCauseClass: 'stack-overflow',
    title: {
      en: 'RHEL 6 (2.6.32) x86_64 kernel stack overflow in deep XFS I/O completion / log paths (8 KiB stacks)',
      zh: 'RHEL 6（2.6.32）x86_64 内核在 XFS 深层 I/O 完成 / 日志路径上栈溢出（8 KiB 内核栈）',
    },
    functions: [/^xfs_/],
    signals: ['stack-corruption'],
    range: { since: '2.6.32', before: '2.6.33' },
    distro: { distro: 'rhel', majors: [6, 6], fixedBuild: [520] },
    fix: {
      en: 'Upgrade to kernel 2.6.32-520.el6 or later: the XFS stack-usage fix shipped in 2.6.32-495.el6 and 16 KiB x86_64 kernel stacks (upstream 6538b8e, "x86_64: expand kernel stack to 16K", 3.16) were backported in 2.6.32-520.el6; upstream XFS also moved allocation work to a workqueue (c999a22, "xfs: introduce an allocation workqueue", 3.4) to cut stack depth.',
      zh: '升级到 2.6.32-520.el6 或更新的内核：XFS 栈用量修复已在 2.6.32-495.el6 中提供，16 KiB 的 x86_64 内核栈（上游 6538b8e，"x86_64: expand kernel stack to 16K"，3.16）在 2.6.32-520.el6 中回移；上游 XFS 还把分配工作移到了工作队列（c999a22，"xfs: introduce an allocation workqueue"，3.4）以减少栈深度。',
    },
    references: ['upstream 6538b8e (3.16): x86_64: expand kernel stack to 16K', 'upstream c999a22 (3.4): xfs: introduce an allocation workqueue', 'RHEL 6 kernel 2.6.32-495.el6 and 2.6.32-520.el6 release notes'],
  },
];
