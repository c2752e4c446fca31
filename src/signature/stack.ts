// Reads stack frames out of report lines and picks the guilty one, as syzkaller's extractStackFrame does.

import { PARSE_STACK, type FrameExtractor, type StackFmt, type StackPart } from './types';
import { c } from './patterns';
import { demangle } from './demangle';

/** Lines that open a stack listing; a new one ends the listing being read. */
export const riscvStackStart = /status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}/;

export const stackStartRes: RegExp[] = [
  /Call (?:T|t)race/,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  // `backtrace:` of kmemleak (with its optional crc), but not lockdep's `stack backtrace:`.
  /(?:^|[^k]) backtrace(?: \(crc [0-9A-Fa-f]*\))?:/,
  /Backtrace:/,
  /Uninit was stored to memory at/,
  // riscv's show_regs() dumps the stack with no heading; its last register line stands for one.
  riscvStackStart,
];

/**
 * One frame a line can show: console traces (`func+0x1/0x2`, optionally after
 * `[<addr>]`), arm's `[<pc>] (func) from [<lr>] (caller)` (both are frames: the top
 * one is otherwise only in LR), and the crash utility's `bt` listing
 * (`#12 [ffff...] func at ffff...`).
 */
export const frameRes: RegExp[] = [
  c('^ *(?:{{PC}} ){0,2}{{FUNC}}'),
  // A web page took `<ffffffff81234567>` for a markup tag and dropped it: `[<>] func+0x..` or `[] func+0x..`.
  c('^ *\\[<?>?\\] {{FUNC}}'),
  c('^ *{{PC}} \\(([a-zA-Z0-9_.]+)\\) from {{PC}} \\({{FUNC}}'),
  /^ {0,4}#\d{1,4} \[[0-9a-f]{1,16}\] ([a-zA-Z0-9_]{1,256})(?:\.[a-zA-Z0-9_.]{0,64})? at [0-9a-f]{1,16}/,
];

/** Frames that mean a fault-injection stack is interleaved: the stack is not to be trusted past it. */
export const corruptedLines: RegExp[] = [
  /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/,
];

/**
 * Frames that are never the bug: sanitizers, reporting, allocation, locking, generic library
 * helpers, device and workqueue teardown. Matched anywhere in the name unless anchored.
 */
export const skipPatterns: string[] = [
  '__sanitizer', '__asan', 'kasan', 'hwasan', '__msan', 'kmsan', 'kcsan_setup_watchpoint', 'check_memory_region',
  'check_heap_object', 'check_object', 'read_word_at_a_time', '(read|write)_once_.*nocheck', 'print_address_description',
  'panic', 'invalid_op', 'report_bug', 'fixup_bug', 'print_report', 'print_usage_bug', 'do_error', 'invalid_op',
  '_trap$|do_trap', 'show_stack', 'dump_stack', 'walk_stack', 'dump_backtrace', 'warn_slowpath', 'warn_alloc',
  'warn_bogus', '__warn', 'alloc_page', 'k?v?(?:m|z|c)alloc', 'krealloc', 'kmem_cache', 'allocate_slab',
  '__alloc_frozen_pages_noprof', 'folio_(?:alloc|unlock)', 'filemap_alloc_folio', '__filemap_get_folio',
  'find_or_create_page', 'do_read_cache_folio', 'read_cache_page', 'pagecache_get_page', 'grab_cache_page_write_begin',
  'slab_', 'debug_object', 'timer_is_static_object', 'work_is_static_object', '__might_fault', 'print_unlock',
  'imbalance_bug', 'lockdep', 'bh_enable', 'bh_disable', 'perf_trace', 'lock_acquire', 'lock_release', 'lock_class',
  'mark_lock', '(reacquire|mark)_held_locks', 'raw_spin_rq', 'spin_lock', 'spin_trylock', 'spin_unlock', 'read_lock',
  'read_trylock', 'write_lock', 'write_trylock', 'read_unlock', 'write_unlock', '^down$', 'down_read', 'down_write',
  'down_read_trylock', 'down_write_trylock', 'down_trylock', 'up_read', 'up_write', '^mutex_', '^__mutex_', '^rt_mutex_',
  'owner_on_cpu', 'osq_lock', 'osq_unlock', 'atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)',
  '(set|clear|change|test)_bit', '__wake_up', '^refcount_', '^kref_', 'ref_tracker', 'seqprop_assert', 'memcpy',
  'memcmp', 'memset', 'memchr', 'memmove', 'memdup', 'strcmp', 'strncmp', 'strcpy', 'strlcpy', 'strncpy', 'strscpy',
  'strlen', 'strstr', 'strnstr', 'strnlen', 'strchr', 'strdup', 'strndup', 'copy_to_user', 'copy_from_user',
  'copy_to_iter', 'copy_from_iter', 'copy_page_to_iter', 'copy_page_from_iter', 'copy_folio_to_iter', '^copyin$',
  '^copyout$', 'put_user', 'get_user', 'might_fault', 'might_sleep', 'list_add', 'list_del', 'list_replace',
  'list_move', 'list_splice', '^rb_', '^__rb_', '_indirect_thunk_', 'string', 'pointer', 'snprintf', 'scnprintf',
  'kasprintf', 'kvasprintf', 'printk', 'va_format', 'dev_info', 'dev_notice', 'dev_warn', 'dev_err', 'dev_alert',
  'dev_crit', 'dev_emerg', 'program_check_exception', 'program_check_common', 'del_timer', 'flush_work',
  '__cancel_work_timer', 'cancel_work_sync', 'try_to_grab_pending', 'flush_workqueue', 'drain_workqueue',
  'destroy_workqueue', 'queue_work', 'finish_wait', 'kthread_stop', 'kobject_', 'add_uevent_var', 'get_device_parent',
  'device_add', 'device_del', 'device_unregister', 'device_destroy', 'device_release', 'devres_release_all',
  'hwrng_unregister', 'i2c_del_adapter', '__unregister_client', 'device_for_each_child', 'rollback_registered',
  'unregister_netdev', 'sysfs_remove', 'device_remove_file', 'tty_unregister_device', 'dummy_urb_enqueue',
  'usb_kill_urb', 'usb_kill_anchored_urbs', 'usb_control_msg', 'usb_hcd_submit_urb', 'usb_submit_urb', '^complete$',
  'wait_for_completion', '^kv?free$', 'kfree_skb', 'readb$', 'readw$', 'readl$', 'readq$', 'writeb$', 'writew$',
  'writel$', 'writeq$', 'logic_in', 'logic_out', '^crc\\d+', 'crc_itu_t', '__might_resched', 'assertfail', '^iput$',
  '^iput_final$', '^ihold$', 'hex_dump_to_buffer', 'print_hex_dump', '^klist_', '(trace|lockdep)_(hard|soft)irq',
  '^(un)?lock_page', 'stack_trace_consume_entry', 'arch_stack_walk', 'stack_trace_save', 'insert_work',
  '__queue_delayed_work', 'queue_delayed_work_on', 'ida_free',
  // arm64 translation fault handling.
  'do_(kernel|translation)_fault', 'do_mem_abort', 'el1_abort', 'el1h_64_sync(?:_handler)?',
  'print_tainted', 'xas_(?:start|load|find)', 'find_lock_entries', 'truncate_inode_pages_range', '__phys_addr',
  '__fortify_report', 'cleanup_srcu_struct', 'rhashtable_lookup', 'extract_(user|iter)_to_sg', 'drop_nlink',
  '^get_taint$', '^put_device$', 'lock_timer_base', '__timer_delete_sync', 'sk_stop_timer_sync', '__mod_timer',
  'fast_dput', 'dput', 'mark_buffer_dirty',
];

/**
 * Prefixes that syscall wrappers add to the real handler; different arches add different ones.
 * Each is tried alone on the printed name and the shortest result is kept.
 */
export const stripFramePrefixes: string[] = [
  'SYSC_', 'SyS_', 'sys_', '__x64_', '__ia32_', '__arm64_', '____sys_', '___sys_', '__sys_', '__se_', '__se_sys_',
  '__do_sys_', 'compat_SYSC_', 'compat_SyS_', 'ksys_',
];

/**
 * Where a stall spins is random; a frame below the loop identifies it: the dispatcher or the
 * syscall entry, and for syscalls that dispatch to a device or protocol, the frame above them.
 * Matched anywhere in the name unless anchored.
 */
const stallAnchorFrames: RegExp[] = [
  // Generic dispatchers of work, and their callers in case names change.
  'process_one_work', 'do_syscall_', 'do_fast_syscall_', 'sysenter_dispatch', 'tracesys_phase2', 'el0_svc_handler',
  'invoke_syscall', 'ret_fast_syscall', 'netif_receive_skb', 'do_softirq', 'call_timer_fn', '_run_timers',
  'run_timer_softirq', 'hrtimer_run', 'run_ksoftirqd', 'smpboot_thread_fn', '^kthread$', 'start_secondary',
  'cpu_startup_entry', 'ret_from_fork',
  // Discriminating syscalls: file operations.
  'vfs_write', 'vfs_read', 'vfs_iter_read', 'vfs_iter_write', 'do_iter_read', 'do_iter_write', 'call_read_iter',
  'call_write_iter', 'new_sync_read', 'new_sync_write', 'vfs_ioctl', 'ksys_ioctl', 'compat_ioctl', 'compat_sys_ioctl',
  'blkdev_driver_ioctl', 'blkdev_ioctl', '^call_read_iter', '^call_write_iter', 'do_iter_readv_writev', '^call_mmap',
  'mmap_region', 'do_mmap', 'do_dentry_open', 'vfs_open',
  // Socket operations.
  '^sock_sendmsg', '^sock_recvmsg', '^sock_release', '^__sock_release', '^setsockopt$', 'kernel_setsockopt',
  'sock_common_setsockopt', '^listen$', 'kernel_listen', 'sk_common_release', '^sock_mmap', '^accept$',
  'kernel_accept', '^sock_do_ioctl', '^sock_ioctl', '^compat_sock_ioctl', '^nfnetlink_rcv_msg', '^rtnetlink_rcv_msg',
  '^netlink_dump', '^(sys_)?(socketpair|connect|ioctl)',
  // Page fault entry points.
  '__do_fault', 'do_page_fault', '^page_fault$',
  // Work done on the way back to user space.
  '__fput', 'task_work_run', 'exit_to_usermode', 'smp_call_function', 'tasklet_action', 'tasklet_hi_action',
].map((s) => new RegExp(s));

/** Hung tasks wait at random victims; two buckets gather them: waits on RCU and on the RTNL lock. */
const hungTaskAnchors: Array<[string, string]> = [
  ['rtnl_lock', ''],
  ['synchronize_rcu', 'synchronize_rcu'],
  ['synchronize_srcu', 'synchronize_rcu'],
  ['synchronize_net', 'synchronize_rcu'],
  ['synchronize_sched', 'synchronize_rcu'],
];

/** Waiting and scheduling frames a hung task's stack is full of. */
const hungTaskSkip = ['sched', '_lock', '_slowlock', 'down', 'rwsem', 'completion', 'kthread', 'wait', 'synchronize', 'context_switch', '__switch_to', 'cancel_delayed_work', 'rcu_barrier'];

/** A frame chosen for the title: the name it shows, and the name as printed (for alternative titles). */
export interface ExtractedFrame {
  canonical: string;
  raw: string;
}

export const CORRUPTED_FRAME: ExtractedFrame = { canonical: 'corrupted', raw: 'corrupted' };

function matchesAny(line: string, res: readonly RegExp[]): boolean {
  for (const re of res) if (re.test(line)) return true;
  return false;
}

/** The shortest name left by removing any one wrapper prefix. */
export function stripFrame(frame: string): string {
  let best = frame;
  for (const p of stripFramePrefixes) {
    if (frame.startsWith(p) && frame.length - p.length < best.length) best = frame.slice(p.length);
  }
  return best;
}

function stallFrame(frames: readonly string[]): [string, number] {
  let prev = frames[0];
  let prevIdx = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (matchesAny(frame, stallAnchorFrames)) {
      // Several variants follow a cross-CPU call: the call itself names the stall.
      if (frame.includes('smp_call_function')) return ['smp_call_function', i];
      return [prev, prevIdx];
    }
    prev = frame;
    prevIdx = i;
  }
  return ['', -1];
}

function hungTaskFrame(frames: readonly string[]): [string, number] {
  for (let i = 0; i < frames.length; i++) {
    for (const [anchor, replacement] of hungTaskAnchors) {
      if (frames[i].includes(anchor)) return [replacement || frames[i], i];
    }
  }
  for (let i = 0; i < frames.length; i++) {
    if (!hungTaskSkip.some((s) => frames[i].includes(s))) return [frames[i], i];
  }
  return ['', -1];
}

function pick(raw: readonly string[], extractor: FrameExtractor): ExtractedFrame | null {
  if (raw.length === 0) return null;
  const stripped = raw.map(stripFrame);
  if (extractor === 'first') return { canonical: stripped[0], raw: raw[0] };
  const [frame, idx] = extractor === 'stall' ? stallFrame(stripped) : hungTaskFrame(stripped);
  return frame !== '' ? { canonical: frame, raw: raw[idx] } : null;
}

const skipCache = new Map<string, RegExp>();

function skipRegexp(extra: readonly string[] | undefined): RegExp {
  const key = extra ? extra.join('|') : '';
  let re = skipCache.get(key);
  if (!re) {
    re = new RegExp([...skipPatterns, ...(extra ?? [])].join('|'));
    skipCache.set(key, re);
  }
  return re;
}

/** Longest name the kernel prints for a symbol (KSYM_NAME_LEN); longer captures are junk. */
const MAX_FRAME_CHARS = 512;

function appendFrames(frames: string[], match: RegExpExecArray | null, skip: RegExp): void {
  if (!match) return;
  for (let i = 1; i < match.length; i++) {
    const g = match[i];
    if (g === undefined) continue;
    const frame = demangle(g.length > MAX_FRAME_CHARS ? g.slice(0, MAX_FRAME_CHARS) : g);
    if (!skip.test(frame)) frames.push(frame);
  }
}

/**
 * Follows one recipe over `text` (lines from the title match on). Each PARSE_STACK after the
 * first closes the frame read so far; `ok` is false when a frame is missing or the trace is
 * interleaved with a fault-injection stack.
 */
function readRecipe(text: readonly string[], parts: readonly StackPart[], skip: RegExp, extractor: FrameExtractor): { frames: ExtractedFrame[]; ok: boolean } {
  const results: ExtractedFrame[] = [];
  let raw: string[] = [];
  let ok = true;
  let traces = 0;
  let ln = 0;
  const close = (): void => {
    const f = pick(raw, extractor);
    if (f) results.push(f);
    else {
      results.push(CORRUPTED_FRAME);
      ok = false;
    }
    raw = [];
  };
  nextPart: for (let pi = 0; ; pi++) {
    if (pi === parts.length || (parts[pi] === PARSE_STACK && traces > 0)) close();
    if (pi === parts.length) break;
    const part = parts[pi];
    if (part === PARSE_STACK) {
      traces++;
      while (ln < text.length) {
        const line = text[ln++];
        if (matchesAny(line, corruptedLines)) {
          ok = false;
          continue nextPart;
        }
        if (matchesAny(line, stackStartRes)) continue nextPart;
        const after = parts[pi + 1];
        if (pi !== parts.length - 1 && after !== undefined && after !== PARSE_STACK) {
          const m = after.exec(line);
          if (m) {
            appendFrames(raw, m, skip);
            pi++;
            continue nextPart;
          }
        }
        for (const re of frameRes) {
          const m = re.exec(line);
          if (m) {
            appendFrames(raw, m, skip);
            break;
          }
        }
      }
    } else {
      while (ln < text.length) {
        const line = text[ln++];
        if (matchesAny(line, corruptedLines)) {
          ok = false;
          continue nextPart;
        }
        const m = part.exec(line);
        if (!m) continue;
        appendFrames(raw, m, skip);
        break;
      }
    }
  }
  return { frames: results, ok };
}

/** The frames a recipe gives (one per trace it reads), and whether they are trustworthy. */
export function extractStackFrames(text: readonly string[], stack: StackFmt): { frames: ExtractedFrame[]; ok: boolean } {
  const skip = skipRegexp(stack.skip);
  const extractor = stack.extractor ?? 'first';
  const r = readRecipe(text, stack.parts, skip, extractor);
  if (r.ok || !stack.parts2 || stack.parts2.length === 0) return r;
  return readRecipe(text, stack.parts2, skip, extractor);
}

/** The guilty frame by the recipe, or null when the stack gives none. */
export function extractStackFrame(text: readonly string[], stack: StackFmt): ExtractedFrame | null {
  const r = extractStackFrames(text, stack);
  return r.ok && r.frames.length > 0 ? r.frames[0] : null;
}
