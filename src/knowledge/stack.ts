// What the stack check needs to know of a kernel build: the kernel stack size by architecture and
// release, the frame size the kernel's own build warns at, C type sizes by data model, and the sizes
// of kernel types often put on the stack whose definitions are not among the files given.

import { buildFacts } from './distro-kernels';
import { pickByVersion, versionOf, type KernelRelease, type VersionRange } from './release';

/** An architecture's data model and stack: what the layout of a local depends on. */
export interface StackArch {
  /** The name `parseRelease()` gives (x86_64, i686, aarch64, arm...). */
  name: string;
  /** Pointer and `long` size in bytes: 8 on the 64-bit arches (LP64), 4 on the 32-bit ones (ILP32). */
  pointer: 4 | 8;
  /** The largest alignment a scalar gets in a struct: 8 on LP64; 4 on i386 (long long, double in structs). */
  maxAlign: 4 | 8;
  /** CONFIG_FRAME_WARN's default: the frame size -Wframe-larger-than= warns above. */
  frameWarn: number;
  /** THREAD_SIZE by release, most specific first; the last row covers what the others do not. */
  stack: ReadonlyArray<{ range: VersionRange; bytes: number; note: string }>;
}

/**
 * Kernel stack (THREAD_SIZE) per architecture and release. x86_64: 8 KiB until 6538b8ea886e
 * ("x86_64: expand kernel stack to 16K", 3.15); arm64 has had 16 KiB with 4 KiB pages since 3.19
 * (8 KiB before, approximately); the 32-bit arches 8 KiB (i386 had CONFIG_4KSTACKS, 4 KiB, until
 * 2.6.37). KASAN doubles them (not modelled: the check is about kernels built without debug options).
 * CONFIG_FRAME_WARN defaults to 2048 on 64-bit and 1024 on 32-bit (init/Kconfig... lib/Kconfig.debug).
 */
export const STACK_ARCHES: readonly StackArch[] = [
  {
    name: 'x86_64',
    pointer: 8,
    maxAlign: 8,
    frameWarn: 2048,
    stack: [
      { range: { before: '3.15' }, bytes: 8192, note: 'x86_64 before 3.15' },
      { range: { since: '3.15' }, bytes: 16384, note: 'x86_64 since 3.15' },
    ],
  },
  {
    name: 'aarch64',
    pointer: 8,
    maxAlign: 8,
    frameWarn: 2048,
    stack: [
      { range: { before: '3.19' }, bytes: 8192, note: 'arm64 before 3.19 (approximate)' },
      { range: { since: '3.19' }, bytes: 16384, note: 'arm64 with 4 KiB pages' },
    ],
  },
  { name: 'ppc64le', pointer: 8, maxAlign: 8, frameWarn: 2048, stack: [{ range: {}, bytes: 16384, note: 'ppc64' }] },
  { name: 'ppc64', pointer: 8, maxAlign: 8, frameWarn: 2048, stack: [{ range: {}, bytes: 16384, note: 'ppc64' }] },
  { name: 's390x', pointer: 8, maxAlign: 8, frameWarn: 2048, stack: [{ range: {}, bytes: 16384, note: 's390x' }] },
  { name: 'riscv64', pointer: 8, maxAlign: 8, frameWarn: 2048, stack: [{ range: {}, bytes: 16384, note: 'riscv64' }] },
  { name: 'loongarch64', pointer: 8, maxAlign: 8, frameWarn: 2048, stack: [{ range: {}, bytes: 16384, note: 'loongarch64' }] },
  {
    name: 'i686',
    pointer: 4,
    maxAlign: 4,
    frameWarn: 1024,
    stack: [
      { range: { before: '2.6.37' }, bytes: 4096, note: 'i386 with CONFIG_4KSTACKS (before 2.6.37; 8 KiB without it)' },
      { range: { since: '2.6.37' }, bytes: 8192, note: 'i386' },
    ],
  },
  { name: 'arm', pointer: 4, maxAlign: 8, frameWarn: 1024, stack: [{ range: {}, bytes: 8192, note: '32-bit arm' }] },
];

export const DEFAULT_STACK_ARCH = 'x86_64';

/** The stack the check measures against: its size, the arch's data model, and how it was chosen. */
export interface StackTarget {
  arch: StackArch;
  bytes: number;
  /** "x86_64 since 3.15", "RHEL 7 (3.10)", "x86_64 since 3.15, assumed: no --kernel given". */
  why: string;
  assumed: boolean;
}

/** The kernel stack for `--kernel RELEASE` (x86_64 16 KiB when no release is given, which is said). */
export function stackTarget(rel: KernelRelease | null): StackTarget {
  const arch = STACK_ARCHES.find((a) => a.name === (rel?.arch ?? DEFAULT_STACK_ARCH)) ?? STACK_ARCHES[0];
  if (!rel) {
    const row = arch.stack[arch.stack.length - 1];
    return { arch, bytes: row.bytes, why: `${row.note}, assumed: no --kernel given`, assumed: true };
  }
  // Distro kernels that differ from upstream (RHEL 7's 3.10 has 16 KiB stacks): x86_64 only.
  if (arch.name === 'x86_64') {
    const facts = buildFacts(rel);
    if (facts.stackKiB !== null && !facts.source.startsWith('upstream')) return { arch, bytes: facts.stackKiB * 1024, why: facts.source, assumed: false };
  }
  const row = pickByVersion(arch.stack, versionOf(rel)) ?? arch.stack[arch.stack.length - 1];
  return { arch, bytes: row.bytes, why: `${row.note}, ${rel.major}.${rel.minor}`, assumed: false };
}

/**
 * What one frame costs besides its locals, in bytes: the return address and three saved registers
 * on x86_64 (a call pushes 8; functions save 0-6 callee-saved registers). A lower bound.
 */
export const FRAME_OVERHEAD = 32;

/** A chain of calls is reported when it takes more than this share of the stack. */
export const CHAIN_SHARE = 0.5;

/** A chain is reported only when its largest frame has at least this many bytes of locals (somewhere to fix). */
export const CHAIN_MIN_FRAME = 256;

/** A scalar or opaque type: its size and alignment, and whether it is a struct/array (lives in memory). */
export interface KnownType {
  size: number;
  align: number;
  aggregate: boolean;
}

/** C and kernel scalar types by name, with the size in "pointer units" (`p`: 8 on LP64, 4 on ILP32) or bytes. */
const SCALARS: ReadonlyArray<[readonly string[], number | 'p']> = [
  [['char', 'signed char', 'unsigned char', '_Bool', 'bool', 'u8', 's8', '__u8', '__s8', 'uint8_t', 'int8_t', 'u_int8_t', 'u_char', 'unchar'], 1],
  [['short', 'unsigned short', 'u16', 's16', '__u16', '__s16', '__le16', '__be16', 'uint16_t', 'int16_t', 'u_int16_t', 'umode_t', 'u_short', 'ushort', '__sum16', 'wchar_t'], 2],
  [
    [
      'int', 'unsigned', 'unsigned int', 'signed', 'float', 'u32', 's32', '__u32', '__s32', '__le32', '__be32', 'uint32_t', 'int32_t', 'u_int32_t', 'uint', 'u_int',
      '__wsum', 'gfp_t', 'pid_t', 'uid_t', 'gid_t', 'kuid_t', 'kgid_t', 'dev_t', 'mode_t', 'fmode_t', 'slab_flags_t', 'blk_opf_t', 'blk_status_t', 'vm_fault_t', 'atomic_t',
      'refcount_t', 'key_serial_t', 'snd_pcm_state_t', 'snd_pcm_format_t', 'snd_pcm_access_t', 'snd_pcm_subformat_t', 'pci_power_t',
      'irqreturn_t', 'netdev_tx_t', 'speed_t', 'tcflag_t', 'projid_t', 'kprojid_t', 'clockid_t', 'blk_mode_t',
    ],
    4,
  ],
  [['double', 'long long', 'unsigned long long', 'long long int', 'u64', 's64', '__u64', '__s64', '__le64', '__be64', 'uint64_t', 'int64_t', 'u_int64_t', 'ktime_t', 'loff_t', 'sector_t', 'blkcnt_t', 'atomic64_t', 'time64_t', 'netdev_features_t'], 8],
  [['long', 'unsigned long', 'long int', 'unsigned long int', 'size_t', 'ssize_t', 'ptrdiff_t', 'intptr_t', 'uintptr_t', 'ulong', 'atomic_long_t', 'pgoff_t', 'time_t', 'clock_t', 'off_t', 'snd_pcm_uframes_t', 'snd_pcm_sframes_t', 'cycles_t', 'irq_hw_number_t', 'kernel_ulong_t', '__kernel_size_t', '__kernel_ssize_t', 'phys_addr_t', 'dma_addr_t', 'resource_size_t', 'pteval_t', 'cpumask_var_t'], 'p'],
];

/** Scalar types of the given pointer size, by name (`unsigned long` as written, words separated by one space). */
export function scalarTypes(pointer: 4 | 8, maxAlign: 4 | 8): Map<string, KnownType> {
  const out = new Map<string, KnownType>();
  for (const [names, size] of SCALARS) {
    const s = size === 'p' ? pointer : size;
    for (const n of names) out.set(n, { size: s, align: Math.min(s, maxAlign), aggregate: false });
  }
  // dma_addr_t and phys_addr_t are 64-bit on most 32-bit configs too (PAE, LPAE); the smaller is the bound.
  return out;
}

/**
 * Kernel types often declared on the stack, when the files given do not define them: size and
 * alignment, approximate for 6.1 on x86_64 without debug options (no LOCKDEP, no DEBUG_SPINLOCK, no
 * KASAN), rounded down where configs differ: they are lower bounds. On a 32-bit arch half of each is taken.
 */
export const KERNEL_TYPES: ReadonlyArray<{ name: string; size: number; align: number }> = [
  // Locks, wait queues, completions, lists.
  { name: 'spinlock_t', size: 4, align: 4 },
  { name: 'raw_spinlock_t', size: 4, align: 4 },
  { name: 'rwlock_t', size: 8, align: 4 },
  { name: 'seqcount_t', size: 4, align: 4 },
  { name: 'seqlock_t', size: 8, align: 4 },
  { name: 'struct mutex', size: 32, align: 8 },
  { name: 'struct rw_semaphore', size: 40, align: 8 },
  { name: 'struct semaphore', size: 24, align: 8 },
  { name: 'struct completion', size: 32, align: 8 },
  { name: 'wait_queue_head_t', size: 24, align: 8 },
  { name: 'struct wait_queue_head', size: 24, align: 8 },
  { name: 'wait_queue_entry_t', size: 40, align: 8 },
  { name: 'struct wait_queue_entry', size: 40, align: 8 },
  { name: 'struct list_head', size: 16, align: 8 },
  { name: 'struct hlist_head', size: 8, align: 8 },
  { name: 'struct hlist_node', size: 16, align: 8 },
  { name: 'struct llist_head', size: 8, align: 8 },
  { name: 'struct llist_node', size: 8, align: 8 },
  { name: 'struct rb_node', size: 24, align: 8 },
  { name: 'struct rb_root', size: 8, align: 8 },
  { name: 'struct rb_root_cached', size: 16, align: 8 },
  { name: 'struct kref', size: 4, align: 4 },
  { name: 'struct rcu_head', size: 16, align: 8 },
  { name: 'struct callback_head', size: 16, align: 8 },
  // Deferred work and time.
  { name: 'struct work_struct', size: 32, align: 8 },
  { name: 'struct delayed_work', size: 88, align: 8 },
  { name: 'struct timer_list', size: 40, align: 8 },
  { name: 'struct hrtimer', size: 64, align: 8 },
  { name: 'struct tasklet_struct', size: 40, align: 8 },
  { name: 'struct timespec64', size: 16, align: 8 },
  { name: 'struct timespec', size: 16, align: 8 },
  { name: 'struct timeval', size: 16, align: 8 },
  { name: 'struct __kernel_timespec', size: 16, align: 8 },
  { name: 'struct xarray', size: 16, align: 8 },
  { name: 'struct xa_state', size: 40, align: 8 },
  { name: 'struct ida', size: 16, align: 8 },
  { name: 'struct idr', size: 24, align: 8 },
  { name: 'struct notifier_block', size: 24, align: 8 },
  // Memory, block, files.
  { name: 'struct page', size: 64, align: 8 },
  { name: 'struct folio', size: 64, align: 8 },
  { name: 'struct scatterlist', size: 32, align: 8 },
  { name: 'struct sg_table', size: 16, align: 8 },
  { name: 'struct bio_vec', size: 16, align: 8 },
  { name: 'struct bvec_iter', size: 24, align: 8 },
  { name: 'struct bio', size: 120, align: 8 },
  { name: 'struct blk_plug', size: 40, align: 8 },
  { name: 'struct iovec', size: 16, align: 8 },
  { name: 'struct kvec', size: 16, align: 8 },
  { name: 'struct iov_iter', size: 40, align: 8 },
  { name: 'struct kiocb', size: 48, align: 8 },
  { name: 'struct qstr', size: 16, align: 8 },
  { name: 'struct path', size: 16, align: 8 },
  { name: 'struct kstat', size: 144, align: 8 },
  { name: 'struct kstatfs', size: 120, align: 8 },
  { name: 'struct iattr', size: 72, align: 8 },
  { name: 'struct file_ra_state', size: 32, align: 8 },
  { name: 'struct file', size: 224, align: 8 },
  { name: 'struct dentry', size: 192, align: 8 },
  { name: 'struct inode', size: 560, align: 8 },
  { name: 'struct resource', size: 64, align: 8 },
  { name: 'struct pt_regs', size: 168, align: 8 },
  { name: 'struct va_format', size: 16, align: 8 },
  // Devices and buses.
  { name: 'struct device', size: 700, align: 8 },
  { name: 'struct pci_device_id', size: 32, align: 8 },
  { name: 'struct i2c_msg', size: 16, align: 8 },
  { name: 'union i2c_smbus_data', size: 34, align: 2 },
  { name: 'struct i2c_board_info', size: 80, align: 8 },
  { name: 'struct usb_ctrlrequest', size: 8, align: 1 },
  { name: 'struct usb_device_descriptor', size: 18, align: 1 },
  { name: 'struct input_event', size: 24, align: 8 },
  { name: 'struct ktermios', size: 44, align: 4 },
  { name: 'struct serial_struct', size: 72, align: 8 },
  // Networking.
  { name: 'struct sk_buff', size: 224, align: 8 },
  { name: 'struct sk_buff_head', size: 24, align: 8 },
  { name: 'struct sockaddr', size: 16, align: 2 },
  { name: 'struct sockaddr_in', size: 16, align: 4 },
  { name: 'struct sockaddr_in6', size: 28, align: 4 },
  { name: 'struct sockaddr_storage', size: 128, align: 8 },
  { name: 'struct in6_addr', size: 16, align: 4 },
  { name: 'struct in_addr', size: 4, align: 4 },
  { name: 'struct msghdr', size: 88, align: 8 },
  { name: 'struct ifreq', size: 40, align: 8 },
  { name: 'struct ethhdr', size: 14, align: 1 },
  { name: 'struct iphdr', size: 20, align: 4 },
  { name: 'struct ipv6hdr', size: 40, align: 4 },
  { name: 'struct tcphdr', size: 20, align: 4 },
  { name: 'struct udphdr', size: 8, align: 2 },
  { name: 'struct ethtool_cmd', size: 44, align: 4 },
  { name: 'struct ethtool_drvinfo', size: 196, align: 4 },
  { name: 'struct ethtool_coalesce', size: 92, align: 4 },
  { name: 'struct ethtool_ringparam', size: 36, align: 4 },
  { name: 'struct ethtool_pauseparam', size: 16, align: 4 },
  { name: 'struct ethtool_wolinfo', size: 20, align: 4 },
  { name: 'struct net_device_stats', size: 184, align: 8 },
  { name: 'struct rtnl_link_stats64', size: 184, align: 8 },
  // Sound (uapi structs, the same on every arch).
  { name: 'struct snd_ctl_elem_id', size: 64, align: 4 },
  { name: 'struct snd_ctl_elem_value', size: 1200, align: 8 },
  { name: 'struct snd_ctl_elem_info', size: 272, align: 8 },
  { name: 'struct snd_pcm_hw_params', size: 600, align: 8 },
];

/** Constants the kernel headers define, for array sizes written with them: x86_64 values (4 KiB pages). */
export const KERNEL_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['PAGE_SIZE', 4096], ['PAGE_SHIFT', 12], ['PATH_MAX', 4096], ['NAME_MAX', 255], ['TASK_COMM_LEN', 16], ['IFNAMSIZ', 16], ['ETH_ALEN', 6],
  ['ETH_HLEN', 14], ['ETH_GSTRING_LEN', 32], ['ETH_FCS_LEN', 4], ['ETH_DATA_LEN', 1500], ['ETH_FRAME_LEN', 1514], ['BITS_PER_BYTE', 8],
  ['KSYM_NAME_LEN', 512], ['KSYM_SYMBOL_LEN', 512 + 100], ['SZ_1', 1], ['SZ_2', 2], ['SZ_4', 4], ['SZ_8', 8], ['SZ_16', 16], ['SZ_32', 32],
  ['SZ_64', 64], ['SZ_128', 128], ['SZ_256', 256], ['SZ_512', 512], ['SZ_1K', 1024], ['SZ_2K', 2048], ['SZ_4K', 4096], ['SZ_8K', 8192],
  ['SZ_16K', 16384], ['SZ_32K', 32768], ['SZ_64K', 65536], ['SZ_128K', 131072], ['SZ_256K', 262144], ['SZ_512K', 524288], ['SZ_1M', 1048576],
  ['I2C_NAME_SIZE', 20], ['I2C_SMBUS_BLOCK_MAX', 32], ['USB_MAXCHILDREN', 31], ['USB_MAXENDPOINTS', 30], ['SNDRV_CTL_ELEM_ID_NAME_MAXLEN', 44],
  ['MAX_ADDR_LEN', 32], ['HZ', 250], ['XATTR_NAME_MAX', 255], ['XATTR_SIZE_MAX', 65536], ['MAXNAMELEN', 256], ['BDEVNAME_SIZE', 32],
  ['TTY_NAME_MAX', 64], ['MODULE_NAME_LEN', 56], ['DEVICE_NAME_SIZE', 50], ['SECTOR_SIZE', 512], ['SECTOR_SHIFT', 9], ['UUID_SIZE', 16],
  ['NUMA_NO_NODE', -1], ['U8_MAX', 255], ['U16_MAX', 65535], ['S8_MAX', 127], ['S16_MAX', 32767], ['CHAR_BIT', 8],
]);

/**
 * Macros that declare a local (`DECLARE_BITMAP(mask, 128);`): the type they declare, as a C type, or
 * how the size follows from the arguments. `args`: the argument the count is in, and its unit.
 */
export const DECLARING_MACROS: ReadonlyMap<string, { type: string } | { bitmapArg: number } | { hashBitsArg: number }> = new Map<string, { type: string } | { bitmapArg: number } | { hashBitsArg: number }>([
  ['DECLARE_BITMAP', { bitmapArg: 1 }],
  ['DECLARE_HASHTABLE', { hashBitsArg: 1 }],
  ['DECLARE_COMPLETION_ONSTACK', { type: 'struct completion' }],
  ['DECLARE_COMPLETION_ONSTACK_MAP', { type: 'struct completion' }],
  ['DEFINE_WAIT', { type: 'struct wait_queue_entry' }],
  ['DEFINE_WAIT_FUNC', { type: 'struct wait_queue_entry' }],
  ['DECLARE_WAITQUEUE', { type: 'struct wait_queue_entry' }],
  ['DEFINE_WAIT_BIT', { type: 'struct wait_queue_entry' }],
  ['DECLARE_WAIT_QUEUE_HEAD_ONSTACK', { type: 'struct wait_queue_head' }],
  ['LIST_HEAD', { type: 'struct list_head' }],
  ['HLIST_HEAD', { type: 'struct hlist_head' }],
  ['LLIST_HEAD', { type: 'struct llist_head' }],
  ['XA_STATE', { type: 'struct xa_state' }],
  ['XA_STATE_ORDER', { type: 'struct xa_state' }],
]);
