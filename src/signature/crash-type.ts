// The crash type of a title, read from its prefix as syzkaller's crash.TitleToType does.

/** Checked in order; the first prefix that starts the title gives the type. */
const titleToType: ReadonlyArray<[type: string, prefixes: readonly string[]]> = [
  ['KFENCE-USE-AFTER-FREE-WRITE', ['KFENCE: use-after-free write']],
  // Where read or write is not said, it is at least a read.
  ['KFENCE-USE-AFTER-FREE-READ', ['KFENCE: use-after-free read', 'KFENCE: use-after-free']],
  ['KFENCE-WRITE', ['KFENCE: invalid write', 'KFENCE: out-of-bounds write']],
  ['KFENCE-READ', ['KFENCE: invalid read', 'KFENCE: out-of-bounds read', 'KFENCE: out-of-bounds']],
  ['KFENCE-MEMORY-CORRUPTION', ['KFENCE: memory corruption']],
  ['KFENCE-INVALID-FREE', ['KFENCE: invalid free']],
  ['KMSAN-UNINIT-VALUE', ['KMSAN: uninit-value']],
  ['KMSAN-USE-AFTER-FREE-READ', ['KMSAN: kernel-infoleak-after-free', 'KMSAN: kernel-usb-infoleak-after-free', 'KMSAN: use-after-free']],
  ['KMSAN-INFO-LEAK', ['KMSAN: kernel-infoleak', 'KMSAN: kernel-usb-infoleak']],
  ['KASAN-NULL-POINTER-DEREFERENCE-WRITE', ['KASAN: null-ptr-deref Write']],
  ['KASAN-NULL-POINTER-DEREFERENCE-READ', ['KASAN: null-ptr-deref Read']],
  ['NULL-POINTER-DEREFERENCE', ['BUG: unable to handle kernel NULL pointer dereference in']],
  [
    'KASAN-WRITE',
    [
      'KASAN: global-out-of-bounds Write', 'KASAN: out-of-bounds Write', 'KASAN: slab-out-of-bounds Write',
      'KASAN: stack-out-of-bounds Write', 'KASAN: user-memory-access Write', 'KASAN: vmalloc-out-of-bounds Write',
      'KASAN: wild-memory-access Write',
    ],
  ],
  [
    'KASAN-READ',
    [
      'KASAN: global-out-of-bounds Read', 'KASAN: invalid-access Read', 'KASAN: out-of-bounds Read',
      'KASAN: slab-out-of-bounds Read', 'KASAN: slab-out-of-bounds', 'KASAN: stack-out-of-bounds Read',
      'KASAN: stack-out-of-bounds', 'KASAN: unknown-crash Read', 'KASAN: user-memory-access Read',
      'KASAN: vmalloc-out-of-bounds Read', 'KASAN: wild-memory-access Read', 'KASAN: wild-memory-access',
    ],
  ],
  ['KASAN-INVALID-FREE', ['KASAN: double-free or invalid-free', 'KASAN: invalid-free']],
  ['KASAN-USE-AFTER-FREE-WRITE', ['KASAN: slab-use-after-free Write', 'KASAN: use-after-free Write']],
  ['KASAN-USE-AFTER-FREE-READ', ['KASAN: slab-use-after-free Read', 'KASAN: use-after-free Read', 'KASAN: use-after-free']],
  ['MEMORY_SAFETY_BUG', ['BUG: corrupted list', 'BUG: unable to handle kernel paging request']],
  ['REFCOUNT_WARNING', ['WARNING: refcount bug']],
  ['MEMORY_SAFETY_UBSAN', ['UBSAN: array-index-out-of-bounds']],
  ['KCSAN-DATARACE', ['KCSAN: data-race']],
  ['KCSAN-ASSERT', ['KCSAN: assert: race in']],
  [
    'LOCKDEP',
    [
      'BUG: bad unlock balance in', 'BUG: held lock freed in', 'BUG: rwlock', 'BUG: spinlock', 'BUG: still has locks held in',
      'BUG: using', 'WARNING: bad unlock balance in', 'WARNING: held lock freed in', 'WARNING: lock held',
      'WARNING: locking bug in', 'WARNING: nested lock was not taken in', 'WARNING: still has locks held in',
      'WARNING: suspicious RCU usage in', 'inconsistent lock state in', 'possible deadlock in',
    ],
  ],
  ['ATOMIC_SLEEP', ['BUG: scheduling while atomic in', 'BUG: sleeping function called from invalid context in']],
  ['LEAK', ['memory leak in']],
  ['BUG', ['BUG: bad usercopy in', 'kernel BUG']],
  ['WARNING', ['WARNING in']],
  // printk()-level reports of no particular class.
  ['UNKNOWN', ['BUG: stack guard page was hit in', 'WARNING: corrupted', 'WARNING: kernel stack frame pointer has bad value', 'WARNING: kernel stack regs has bad']],
  ['HANG', ['BUG: soft lockup in', 'INFO: rcu detected stall in', "INFO: task can't die in", 'INFO: task hung in']],
  [
    'DoS',
    [
      'Alignment trap in', 'BUG: Object already free', 'Internal error in', 'PANIC: double fault', 'Unhandled fault in',
      'VFS: Busy inodes after unmount (use-after-free)', 'VFS: Close: file count is zero (use-after-free)', 'divide error in',
      'general protection fault in', 'go runtime error', 'int3 in', 'invalid opcode in', 'kernel panic:', 'kernel stack overflow',
      'panic:', 'rust_kernel panicked', 'stack segment fault in', 'trusty:', 'unregister_netdevice: waiting for DEV to become free',
    ],
  ],
  ['NO_OUTPUT', ['no output from test machine']],
  ['REBOOT', ['unexpected kernel reboot']],
  ['SYZ_FAILURE', ['SYZFAIL', 'SYZFATAL:']],
  // Titles of report kinds syzkaller does not know (never a prefix of one it produces).
  ['HANG', ['hard LOCKUP', 'csd: CSD lock unresponsive']],
  ['DoS', ['out of memory']],
  // Defaults by the report's family.
  ['WARNING', ['WARNING:']],
  ['UNKNOWN', ['BUG:', 'INFO:']],
  ['KASAN-UNKNOWN', ['KASAN:']],
  ['KFENCE-UNKNOWN', ['KFENCE:']],
  ['KMSAN-UNKNOWN', ['KMSAN:']],
  ['UBSAN', ['UBSAN:']],
  ['KCSAN-UNKNOWN', ['KCSAN:']],
];

export function crashType(title: string): string {
  for (const [type, prefixes] of titleToType) {
    for (const p of prefixes) if (title.startsWith(p)) return type;
  }
  return 'UNKNOWN';
}
