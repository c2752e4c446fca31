// KT-reentered-under-lock on real logs: a function re-entered through reclaim or a callback blocks on what its outer call holds.

import { ruleCases } from '../support/rule-cases';
import { reenteredUnderLock } from '../../src/rules/locking/reentered-under-lock';

ruleCases({
  rule: reenteredUnderLock,
  valid: [
    { log: 'shared:cases/realworld/028-zfs-writeback-compaction-recursion/input.txt', why: 'ZFS writeback re-entered through compaction, blocking on its own range lock', class: 'deadlock-aa', culprit: ['zfs_putpage', 'zpl_putpage'], module: 'zfs', first: true },
  ],
  invalid: [
    { log: 'shared:cases/realworld/003-arm64-spinlock-recursion-hugetlb-mmap/input.txt', why: 'a spinlock recursion without a re-entered function' },
    { log: 'test/fixtures/qemu/recurse.log', why: 'a plain recursion that overflows the stack' },
    { log: 'corpus:report/234', why: 'a lockdep recursive-locking report' },
  ],
});
