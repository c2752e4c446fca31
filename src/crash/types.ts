// The typed answers of the crash utility's commands, as read back from a paste of their output.

/** `sys` (and the header crash prints at startup): the dump's identity and the panic context. */
export interface CrashSys {
  /** `KERNEL:` the vmlinux path. */
  kernel: string | null;
  /** `DUMPFILE:` without the bracketed notes. */
  dumpfile: string | null;
  /** `[PARTIAL DUMP]` after the dump file: pages were filtered out by makedumpfile. */
  partialDump: boolean;
  cpus: number | null;
  /** `CPUS: 8 [OFFLINE: 2]`. */
  offlineCpus: number | null;
  date: string | null;
  uptime: { text: string; seconds: number | null } | null;
  loadAverage: [number, number, number] | null;
  tasks: number | null;
  nodename: string | null;
  release: string | null;
  version: string | null;
  machine: { arch: string; mhz: number | null } | null;
  memory: { text: string; bytes: number | null } | null;
  /** `PANIC:` the panic string without its quotes (crash cuts it, e.g. `BUG: unable to handle kernel `). */
  panic: string | null;
  pid: number | null;
  command: string | null;
  /** The panic task's task_struct address (hex without 0x). */
  task: string | null;
  cpu: number | null;
  /** `STATE:` as printed, e.g. `TASK_RUNNING (PANIC)`. */
  state: string | null;
  /** `sys -t`: `TAINTED_MASK: 201  PW`. */
  taint: { mask: string; letters: string } | null;
  lines: number[];
}

/** One task of `ps`, with the last-run time of `ps -m` / `ps -l` merged in when those were printed. */
export interface CrashPsTask {
  /** `>`: the task was running on its CPU at the time of the dump. */
  active: boolean;
  pid: number;
  ppid: number | null;
  cpu: number | null;
  /** task_struct address (or kernel stack pointer for `ps -s`), hex without 0x. */
  task: string;
  /** Two-letter state: RU, IN, UN, ID, ZO, NE, ST, TR, DE, SW, WA, PA. */
  state: string | null;
  memPercent: number | null;
  /** Kilobytes. */
  vsz: number | null;
  /** Kilobytes. */
  rss: number | null;
  /** The command name without the brackets of a kernel thread. */
  comm: string;
  /** `[kworker/0:1]`: ps brackets the names of kernel threads. */
  kernelThread: boolean | null;
  /** `ps -m`: time since the task last ran; `ps -l`: the raw timestamp in ns. */
  lastRun: { seconds: number | null; ns: string | null; text: string } | null;
  lines: number[];
}

/** A task named on a `runq` line. */
export interface CrashRunqTask {
  pid: number;
  task: string;
  comm: string;
  /** `[120]`: the priority the queue holds it at. */
  prio: number | null;
  /** The queue it sits on as crash names it: `RT`, `CFS`, `ACTIVE`, `EXPIRED`, `DL`... */
  queue: string | null;
  /** `runq -g`: the task group address the task was queued under. */
  taskGroup: string | null;
  /** `[CURRENT]` after it (runq -g). */
  current: boolean;
  line: number;
}

/** One CPU's run queue: what ran and what waited. */
export interface CrashRunq {
  cpu: number;
  /** `CPU 0 RUNQUEUE: addr`. */
  runqueue: string | null;
  current: { pid: number; task: string; comm: string; line: number } | null;
  /** `runq -m`: how long the current task had been running. */
  runningFor: { text: string; seconds: number | null } | null;
  queued: CrashRunqTask[];
  lines: number[];
}

/** A loaded module as `mod` lists it, with `mod -t` taints merged in by name. */
export interface CrashModule {
  name: string;
  /** struct module address. */
  module: string | null;
  /** BASE / TEXT_BASE. */
  base: string | null;
  size: number | null;
  /** `(not loaded)` or the path of the object file crash loaded symbols from. */
  objectFile: string | null;
  /** Notes crash appended in brackets, e.g. `CONFIG_KALLSYMS`. */
  notes: string[];
  /** `mod -t`: the taint letters, e.g. `P(U)`, `OE`. */
  taint: string | null;
  lines: number[];
}

/** One row of `kmem -i`. */
export interface CrashKmemRow {
  /** As printed: `TOTAL MEM`, `FREE`, `SWAP USED`... */
  label: string;
  pages: number;
  /** The size crash printed, rounded as it printed it (`7.5 GB`). */
  sizeText: string;
  bytes: number;
  /** `10% of TOTAL MEM`: 10; null for `----`. */
  percent: number | null;
  /** What the percentage is of: `TOTAL MEM`, `TOTAL SWAP`... */
  of: string | null;
  line: number;
}

/** `kmem -i`. The named fields point at rows of `rows`; rows with labels not named here are kept too. */
export interface CrashKmemInfo {
  totalMem: CrashKmemRow | null;
  free: CrashKmemRow | null;
  used: CrashKmemRow | null;
  shared: CrashKmemRow | null;
  buffers: CrashKmemRow | null;
  cached: CrashKmemRow | null;
  slab: CrashKmemRow | null;
  totalHuge: CrashKmemRow | null;
  hugeFree: CrashKmemRow | null;
  totalSwap: CrashKmemRow | null;
  swapUsed: CrashKmemRow | null;
  swapFree: CrashKmemRow | null;
  commitLimit: CrashKmemRow | null;
  committed: CrashKmemRow | null;
  rows: CrashKmemRow[];
  lines: number[];
}

/** An owner word with flag bits in its low bits (mutex, rw_semaphore). */
export interface CrashLockOwner {
  /** The task_struct address with the flag bits cleared (hex without 0x); null when no owner. */
  address: string | null;
  /** The low 3 bits that were cleared. */
  flags: number;
  /** Their names for the lock kind, e.g. `MUTEX_FLAG_WAITERS`, `RWSEM_READER_OWNED`. */
  flagNames: string[];
}

/** A lock's value as a `struct`/`p` answer printed it. */
export interface CrashLockValue {
  kind: 'spinlock' | 'mutex' | 'rw_semaphore';
  /** The type named by the command or header (`mutex`, `raw_spinlock_t`), when named. */
  type: string | null;
  /** What was printed: the symbol or address given to the command, or `$1`. */
  expression: string | null;
  /** Member path inside the printed value, `` for the value itself, e.g. `wait_lock.rlock.raw_lock`. */
  path: string;
  /** The lock word as printed (`1835265`, `0x1c0101`, `-120203940784191`). */
  raw: string;
  /** The lock word as unsigned hex without 0x. */
  value: string;
  /** qspinlock `val`: locked byte, pending byte, tail (16 bits) split into MCS node index and CPU. */
  qspinlock: { locked: number; pending: number; tail: number; tailIndex: number; tailCpu: number | null } | null;
  /** Ticket spinlocks (x86 before 4.2, arm): head and tail. */
  ticket: { head: number; tail: number } | null;
  /** mutex `owner`, rw_semaphore `owner`. */
  owner: CrashLockOwner | null;
  /** `wait_list` of a mutex or rw_semaphore: the first and last waiter entries (on the waiting tasks' stacks), or the list head itself when empty. */
  waitList: { next: string | null; prev: string | null } | null;
  /** rw_semaphore `count` (5.3+ layout: bit 0 writer, bit 1 waiters, bit 2 handoff, readers from bit 8). */
  count: { raw: string; value: string; writerLocked: boolean; waiters: boolean; handoff: boolean; readers: number } | null;
  lines: number[];
}

/** One stack word of `bt -f`. */
export interface CrashStackWord {
  /** Stack address of the word (hex without 0x). */
  address: string;
  /** The word as printed: hex, or a symbol for `bt -F`. */
  value: string;
}

/** The stack words printed under one frame of `bt -f`. */
export interface CrashStackWords {
  /** The task of the `PID:` header above the frame, when one was seen. */
  pid: number | null;
  task: string | null;
  /** `#N`. */
  frameIndex: number;
  /** Function of the frame line. */
  function: string;
  frameLine: number;
  words: CrashStackWord[];
  lines: number[];
}

/** A `crash> CMD` prompt and the output lines that followed it. */
export interface CrashCommand {
  line: number;
  /** The command line as typed, e.g. `bt -f 1592`. */
  command: string;
  /** Its first word: `bt`, `ps`, `struct`... */
  verb: string;
  /** First and last line of the output (up to the next prompt); null when none followed. */
  output: { from: number; to: number } | null;
  /** Some line of its output was read by a reader here. */
  understood: boolean;
}

/** What crash said of one address: its words (`rd`), or that it could not read or place it. */
export interface CrashAddressFact {
  /** Hex without 0x. */
  address: string;
  /** False: `rd: invalid kernel virtual address`, `kmem`: not found in mem map, `timer: invalid list entry`. */
  readable: boolean;
  /** `rd: page excluded` / `rd: seek error`: the address translates, but the file holds no such page (makedumpfile -d left it out, or it is outside the memory dumped). */
  excluded?: boolean;
  by: 'rd' | 'kmem' | 'timer';
  /** The words `rd` printed from it. */
  words: string[];
  line: number;
}

/** A pending timer of crash's `timer` list. */
export interface CrashTimer {
  /** The CPU of the timer base it is queued on, when printed. */
  cpu: number | null;
  expires: string;
  /** The timer_list address (hex without 0x). */
  timerList: string;
  functionAddress: string;
  /** The function as crash named it (`delayed_work_timer_fn`), or an address crash could not name. */
  function: string;
  line: number;
}

/** Everything read from crash output in one input. */
export interface CrashSession {
  sys: CrashSys | null;
  tasks: CrashPsTask[];
  runq: CrashRunq[];
  modules: CrashModule[];
  memory: CrashKmemInfo | null;
  locks: CrashLockValue[];
  stackWords: CrashStackWords[];
  /** `rd`, `kmem ADDR`, `timer`: what crash could and could not read. */
  addresses: CrashAddressFact[];
  timers: CrashTimer[];
  /** `kmem -s`/`-S` rows, and the cache of each `kmem ADDR` answer. */
  slabCaches: CrashSlabCache[];
  /** Objects `kmem ADDR` placed an address in (free or allocated), and those `kmem -S` listed. */
  slabObjects: CrashSlabObject[];
  irqStats: CrashIrqStats | null;
  waitQueues: CrashWaitQueue[];
  openFiles: CrashOpenFiles[];
  netDevices: CrashNetDevice[];
  /** `bt -e`. */
  exceptionFrames: CrashExceptionFrame[];
  /** CPUs crash marks `[OFFLINE]`. */
  offlineCpus: CrashCpuState[];
  /** `task -R`: members of each task asked about. */
  taskFields: CrashTaskFields[];
  commands: CrashCommand[];
}

/** A cache row of `kmem -s` (and of the answer to `kmem ADDR` for a slab address). */
export interface CrashSlabCache {
  /** kmem_cache address (hex without 0x). */
  cache: string;
  name: string;
  objSize: number;
  allocated: number;
  total: number;
  slabs: number;
  /** SSIZE as printed: `4k`, `32k`. */
  slabSize: string;
  slabBytes: number | null;
  line: number;
}

/** A slab object `kmem ADDR`, `kmem -s ADDR` or `kmem -S` listed, free or `[allocated]`. */
export interface CrashSlabObject {
  /** The object's start (hex without 0x): the object that contains the address asked about. */
  address: string;
  /** The cache printed above it. */
  cache: string | null;
  cacheAddress: string | null;
  objSize: number | null;
  /** The slab (page) it lies in, when printed. */
  slab: string | null;
  /** Printed in brackets: in use; without: free (a freed object still pointed at is a use after free). */
  allocated: boolean;
  /** `(cpu 7 cache)`: free in that CPU's per-CPU freelist. */
  cpuCache: number | null;
  /** Which `FREE / [ALLOCATED]` list of the input it was in (1, 2...): a `kmem ADDR` answer lists one object, `kmem -S` all of a cache. */
  list: number;
  line: number;
}

/** One row of `irq -s`: the interrupt counts per CPU, like /proc/interrupts. */
export interface CrashIrqCount {
  /** The IRQ number, or the name of a per-CPU row (`NMI`, `LOC`...). */
  irq: string;
  /** Counts in the order of the CPU header. */
  counts: number[];
  /** The interrupt chip and flow (`IO-APIC-edge`, `IR-PCI-MSI-edge`). */
  chip: string | null;
  /** The handlers' names (`ehci_hcd:usb2`, `eth4`). */
  name: string | null;
  line: number;
}

/** `irq -s`: the CPU columns and the rows. */
export interface CrashIrqStats {
  cpus: number[];
  rows: CrashIrqCount[];
  lines: number[];
}

/** `waitq`: the tasks queued on one wait queue. */
export interface CrashWaitQueue {
  /** The queue as asked for (`buffer_wait`, `task_struct.wait_chldexit c5496000`, an address). */
  queue: string;
  /** Its address when crash printed it (`wait queue "X" (c02927f0) is empty`). */
  address: string | null;
  tasks: Array<{ pid: number; task: string; cpu: number | null; comm: string; line: number }>;
  empty: boolean;
  lines: number[];
}

/** `files PID`: a task's root, working directory and open files. */
export interface CrashOpenFiles {
  pid: number | null;
  task: string | null;
  comm: string | null;
  root: string | null;
  cwd: string | null;
  files: Array<{ fd: number; file: string; dentry: string | null; inode: string | null; type: string | null; path: string; line: number }>;
  lines: number[];
}

/** A network device of `net`. */
export interface CrashNetDevice {
  /** net_device address (hex without 0x). */
  device: string;
  name: string;
  addresses: string[];
  line: number;
}

/** An exception frame `bt -e` found by searching a task's stack. */
export interface CrashExceptionFrame {
  pid: number | null;
  task: string | null;
  mode: 'kernel' | 'user';
  /** Stack address of the frame (hex without 0x). */
  at: string;
  /** `[exception RIP: f+N]` (x86_64), else the RIP/EIP register. */
  rip: string | null;
  registers: Record<string, string>;
  /** EFLAGS.IF of the frame: interrupts were enabled where it was taken; null when no flags were printed. */
  interruptsEnabled: boolean | null;
  lines: number[];
}

/** What crash says of the CPUs' state: `CPU 3 [OFFLINE]` in bt -a, runq, timer, irq. */
export interface CrashCpuState {
  cpu: number;
  online: boolean;
  line: number;
}

/** `task` / `task -R FIELDS`: top-level task_struct members of one task as printed (`policy` `1`, `rt_priority` `50`). */
export interface CrashTaskFields {
  pid: number;
  task: string;
  fields: Record<string, string>;
  lines: number[];
}
