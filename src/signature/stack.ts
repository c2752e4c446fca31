// Reads stack frames out of report lines and picks the guilty one, as syzkaller's extractStackFrame does.

import { PARSE_STACK, type StackFmt, type StackPart } from './types';
import { c } from './patterns';

/** Lines that open a stack listing; a new one ends the listing being read. */
export const stackStartRes: RegExp[] = [
  c('Call (?:T|t)race:'),
  c('Allocated:'),
  c('Allocated by task [0-9]+:'),
  c('Freed:'),
  c('Freed by task [0-9]+:'),
  // `backtrace:` of kmemleak (with its optional crc), but not lockdep's `stack backtrace:`.
  c('(?:^|[^k] )backtrace(?: \\(crc [0-9a-f]*\\))?:'),
  c('INITIAL USE at:'),
  c('INITIAL READ USE at:'),
  c('(?:HARDIRQ|SOFTIRQ)-ON-[RW] at:'),
  c('IN-(?:HARDIRQ|SOFTIRQ)-[RW]+ at:'),
  c('^ *Backtrace:'),
];

/**
 * One frame a line can show: console traces (`func+0x1/0x2`, optionally after
 * `[<addr>]`), arm's `[<pc>] (func) from [<lr>] (caller)`, and the crash utility's
 * `bt` listing (`#12 [ffff...] func at ffff...`).
 */
export const frameRes: RegExp[] = [
  c('^ *(?:{{PC}} ){0,2}{{FUNC}}'),
  c('^ *\\[\\<?(?:0x)?[0-9a-f]+\\>?\\] \\(([a-zA-Z0-9_.]+)\\) from \\[\\<?(?:0x)?[0-9a-f]+\\>?\\] \\(([a-zA-Z0-9_.]+)(?:\\+0x[0-9a-f]+/0x[0-9a-f]+)?\\)'),
  /^ {0,4}#\d{1,4} \[[0-9a-f]{1,16}\] ([a-zA-Z0-9_]{1,256})(?:\.[a-zA-Z0-9_.]{0,64})? at [0-9a-f]{1,16}/,
];

/** Frames that mean another report (fault injection) is interleaved: the stack is not to be trusted past it. */
export const corruptedLines: RegExp[] = [
  /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/,
];

/** Frames that are never the bug: sanitizers, reporting, locking, generic library helpers. */
export const skipPatterns: string[] = [
  '__sanitizer', '__asan', 'kasan', 'hwasan', '__msan', 'kmsan', 'kcsan_setup_watchpoint', 'check_memory_region',
  'check_heap_object', 'check_object', 'read_word_at_a_time', '(read|write)_once_.*nocheck', 'print_address_description',
  'panic', 'invalid_op', 'report_bug', 'fixup_bug', 'print_report', 'print_usage_bug', 'do_error', '_trap$', 'do_trap',
  'lock_acquire', 'lock_release', 'lock_class', 'mark_lock', '__might_sleep', '__might_fault', '__might_resched',
  'might_fault', 'might_sleep', 'rcu_lockdep_current_cpu_online', 'rcu_read_lock_held', 'lockdep_rcu_suspicious',
  'dump_stack', 'show_stack', 'show_trace', 'dump_backtrace', 'warn_slowpath', '__warn', 'debug_object',
  'timer_is_static_object', 'work_is_static_object', 'print_unlock', 'imbalance_bug', 'lockdep', 'bh_enable',
  'trace_hardirqs', '_raw_spin', '_raw_read', '_raw_write', 'spin_lock', 'spin_unlock', 'spin_trylock',
  '^down_read', '^down_write', '^up_read', '^up_write', '^mutex_', '^__mutex_', '^rt_mutex_', 'owner_on_cpu', 'osq_lock', 'osq_unlock',
  'atomic_dec_and_lock', 'memcpy', 'memcmp', 'memset', 'memchr', 'memmove', 'memdup', 'strcmp', 'strncmp', 'strcpy',
  'strlcpy', 'strncpy', 'strscpy', 'strlen', 'strstr', 'strnstr', 'strnlen', 'strchr', 'strdup', 'strndup',
  'copy_to_user', 'copy_from_user', 'copy_to_iter', 'copy_from_iter', 'copy_page_to_iter', 'copy_page_from_iter',
  'copy_folio_to_iter', '^copyin$', '^copyout$', 'put_user', 'get_user', 'list_add', 'list_del', 'list_replace',
  'list_move', 'list_splice', '^rb_', '^__rb_', '_indirect_thunk_', 'string', 'pointer', 'snprintf', 'scnprintf',
  'kasprintf', 'kvasprintf', 'printk', 'va_format', 'dev_info', 'dev_notice', 'dev_warn', 'dev_err', 'dev_alert',
  'dev_crit', 'dev_emerg', 'program_check_exception', 'program_check_common', 'del_timer', 'flush_work',
  '__cancel_work_timer', 'cancel_work_sync', 'try_to_grab_pending', 'flush_workqueue', 'drain_workqueue',
  'destroy_workqueue', 'queue_(?:delayed_|rcu_)?work', 'mod_delayed_work', 'finish_wait', 'kthread_stop', 'kobject_', 'add_uevent_var', 'get_device_parent',
  'device_add', 'device_del', 'device_unregister', 'device_destroy', 'device_release', 'devres_release_all',
  'hwrng_unregister', 'i2c_del_adapter', '__unregister_client', 'device_for_each_child', 'rollback_registered',
  'unregister_netdev', 'sysfs_remove', '__sysfs_remove', 'refcount_inc_not_zero', 'refcount_dec_not_one',
  'refcount_dec_and_lock', 'refcount_dec_and_mutex_lock', 'refcount_dec_and_test', 'refcount_sub_and_test',
  'refcount_warn_saturate', '^__refcount', 'bpf_prog_run', 'bpf_prog_run_pin_on_cpu', 'ubsan', '__ubsan',
  'handle_overflow', 'nmi_cpu_backtrace', 'nmi_trigger_cpumask_backtrace', '__stack_chk_fail', 'fortify_panic',
  '__fortify', 'usercopy_abort', '^bug_handler', '^handle_bug', 'exc_invalid_op', 'asm_exc_invalid_op',
  'should_fail', 'crash_kexec', 'machine_kexec',
  // Allocator entry points: the caller is the one that asked.
  'kmalloc', 'kfree', 'kmem_cache', 'kzalloc', 'kcalloc', 'krealloc', 'kvmalloc', 'kvzalloc', 'vmalloc', 'vzalloc',
  '^vfree', '^__vfree', 'alloc_pages', 'free_pages', 'warn_alloc', 'slab_alloc', 'slab_free', '^__slab', '^___slab',
  // Waiting, waking, bit and atomic helpers, reference counting.
  'wait_for_completion', '__wake_up', '(?:set|clear|change|test)_bit', '^test_and_', '^atomic(?:64)?_', '^arch_atomic',
  '^raw_atomic', 'refcount_', '^kref_', 'ref_tracker', '^down$', '^down_', '^__down', '^up$', '^__up$', '^up_read', '^up_write',
  // Generic library and printk plumbing.
  '^klist_', '^xas_', '^xa_', '^idr_', '^ida_', '^crc', '^perf_trace', 'kvfree', 'alloc_frozen_pages', '^lock_timer_base', 'mod_timer', '^trace_event_raw',
  '^__traceiter', '^warn_', 'held_locks', 'check_no_locks', '^print_', '^rwsem_',
  // VFS and page cache helpers that WARN or BUG on their callers' misuse.
  '^iput$', '^dput$', '^fast_dput$', '^(?:drop|clear|set|inc)_nlink$', '^mark_buffer_dirty', '^folio_', '^__folio_', 'lock_page',
  // Page cache lookups and truncation: the file system that called them holds the bug.
  'find_lock_entries', 'find_get_entries', '^truncate_inode_pages', '^truncate_pagecache', 'filemap_get_folio', 'find_or_create_page',
  'pagecache_get_page', 'grab_cache_page', '^do_read_cache_', 'read_cache_page',
  // Wrappers that only take a lock, workqueue internals, and device teardown helpers like device_destroy.
  '[a-z0-9]_(?:read|write)_lock(?:_nested)?$', '^insert_work$', '^tty_(?:port_)?unregister_device$',
  // Stack unwinders and fault plumbing.
  'stack_trace_consume_entry', 'arch_stack_walk', 'stack_trace_save', 'walk_stackframe', '^unwind_', '^__do_kernel_fault',
  '^do_page_fault', '^__do_page_fault', '^do_user_addr_fault', '^exc_page_fault', '^do_translation_fault', '^do_mem_abort',
  '^el1', '^logic_(?:in|out)', '^do_tag_check_fault', '^do_bad_area', '^do_el1_',
  // Device and USB core helpers that drivers call on teardown.
  '^usb_(?:kill|poison|submit|unlink|free)_urb', 'usb_start_wait_urb', 'usb_control_msg', 'usb_bulk_msg',
];

/** syscall wrappers the kernel adds around the real handler; the title names the handler. */
// Applied once each, in this order: `__se_sys_foo` ends as `foo`, `__x64_sys_foo` as `sys_foo`.
export const stripFramePrefixes: string[] = [
  'SYSC_', 'SyS_', '__se_', '__do_sys_', 'sys_', '__x64_', '__ia32_', '__arm64_', '____sys_', '___sys_', '__sys_',
  'compat_SYSC_', 'compat_SyS_', 'ksys_',
];

/** Families of functions one name stands for, so variants of one bug get one title. */
const canonicalFrames: Array<[RegExp, string]> = [
  [/^(?:__)?smp_call_function/, 'smp_call_function'],
  [/^synchronize_(?:rcu|sched)/, 'synchronize_rcu'],
];

/** Where a stall spins is random; a frame below the loop (the syscall or dispatch function) identifies it. */
const stallAnchorFrames: RegExp[] = [
  // Generic dispatchers: the frame above them is the work being dispatched.
  /^(?:__)?smp_call_function/,
  /^on_each_cpu/,
  /^queue_(?:delayed_)?work/,
  /^call_timer_fn$/,
  /^(?:__)?run_timers?/,
  /^tasklet_action/,
  /^(?:__)?netif_receive_skb/,
  /^process_backlog$/,
  /^net_rx_action$/,
  /^task_work_run$/,
  /netlink_rcv_msg$/,
  // Syscalls that dispatch to a device or protocol: the frame above names it.
  /^(?:__)?sock_sendmsg/,
  /^sock_recvmsg/,
  /^sock_(?:read|write)_iter$/,
  /^do_vfs_ioctl$/,
  /^(?:compat_)?(?:blkdev|sock)_ioctl$/,
  /^_?_?vfs_(?:read|write|readv|writev|iter_read|iter_write)$/,
  /^vfs_ioctl$/,
  /compat_ioctl$/,
  /^ioctl$/,
  // Socket syscalls that dispatch to the protocol (after wrapper prefixes are stripped).
  /^(?:sys_)?(?:connect|bind|listen|accept4?|setsockopt|getsockopt)$/,
  /^sock_common_(?:set|get)sockopt$/,
  /^new_sync_(?:read|write)$/,
  /^do_iter_readv_writev$/,
  // Syscall entry: the frame above is the syscall itself.
  /^do_syscall_(?:64|32)$/,
  /^do_fast_syscall_(?:64|32)$/,
  /^do_int80_syscall_32$/,
  /^entry_SYSCALL/,
  /^el0_svc/,
  /^invoke_syscall$/,
  /^system_call_fastpath$/,
  // Kernel threads.
  /^process_one_work$/,
  /^worker_thread$/,
  /^kthread$/,
  /^ret_from_fork/,
];

export interface ExtractedFrame {
  /** The name the title uses. */
  title: string;
  /** Other spellings of the same frame (as printed, partly stripped); they give alternative titles. */
  others: string[];
}

function matchesAny(line: string, res: RegExp[]): boolean {
  for (const re of res) if (re.test(line)) return true;
  return false;
}

/** Every spelling the frame passes through while wrappers are stripped, the printed one first. */
function strippedForms(frame: string): string[] {
  const forms = [frame];
  let f = frame;
  for (const p of stripFramePrefixes) {
    if (f.startsWith(p)) {
      f = f.slice(p.length);
      forms.push(f);
    }
  }
  return forms;
}

function canonical(frame: string): string {
  for (const [re, name] of canonicalFrames) if (re.test(frame)) return name;
  return frame;
}

function appendFrames(frames: string[], match: RegExpExecArray | null): void {
  if (!match) return;
  for (let i = 1; i < match.length; i++) {
    const g = match[i];
    if (g !== undefined) frames.push(g);
  }
}

const skipCache = new Map<string, RegExp>();

function skipRegexp(extra: string[] | undefined): RegExp {
  const key = extra ? extra.join('|') : '';
  let re = skipCache.get(key);
  if (!re) {
    re = new RegExp([...skipPatterns, ...(extra ?? [])].join('|'));
    skipCache.set(key, re);
  }
  return re;
}

/** Reads frames following the recipe; `text` starts at the title match, one entry a line. */
export function readFrames(text: readonly string[], parts: readonly StackPart[]): string[] {
  const frames: string[] = [];
  let ln = 0;
  nextPart: for (let pi = 0; pi < parts.length; pi++) {
    const part = parts[pi];
    if (part === PARSE_STACK) {
      for (; ln < text.length; ln++) {
        const line = text[ln];
        if (matchesAny(line, corruptedLines)) break nextPart;
        if (matchesAny(line, stackStartRes)) {
          ln++;
          continue nextPart;
        }
        const nextP = parts[pi + 1];
        if (pi !== parts.length - 1 && nextP !== PARSE_STACK && nextP !== undefined) {
          const m = nextP.exec(line);
          if (m) {
            appendFrames(frames, m);
            pi++;
            ln++;
            continue nextPart;
          }
        }
        for (const re of frameRes) {
          const m = re.exec(line);
          if (m) {
            appendFrames(frames, m);
            break;
          }
        }
      }
    } else {
      for (; ln < text.length; ln++) {
        const line = text[ln];
        if (matchesAny(line, corruptedLines)) break nextPart;
        const m = part.exec(line);
        if (!m) continue;
        appendFrames(frames, m);
        ln++;
        break;
      }
    }
  }
  return frames;
}

function pick(names: string[], skip: RegExp, extractor: 'first' | 'stall'): number {
  // As syzkaller's appendStackFrame: skipped frames are dropped before the extractor looks.
  const kept: number[] = [];
  for (let i = 0; i < names.length; i++) if (!skip.test(names[i])) kept.push(i);
  if (kept.length === 0) return -1;
  if (extractor === 'stall') {
    for (let k = 0; k < kept.length; k++) {
      const name = names[kept[k]];
      if (stallAnchorFrames.some((re) => re.test(name))) {
        return /smp_call_function/.test(name) || k === 0 ? kept[k] : kept[k - 1];
      }
    }
    // No anchor: the loop's place in the stack is unknown, as syzkaller's stall extractor says.
    return -1;
  }
  return kept[0];
}

function choose(frames: string[], skip: RegExp, extractor: 'first' | 'stall'): ExtractedFrame | null {
  const forms = frames.map(strippedForms);
  const names = forms.map((f) => canonical(f[f.length - 1]));
  const i = pick(names, skip, extractor);
  if (i < 0) return null;
  const others = [...forms[i]];
  if (names[i] !== others[others.length - 1]) others.push(names[i]);
  return { title: names[i], others: others.filter((o) => o !== names[i]) };
}

/** The guilty frame by the recipe, or null when the stack gives none. */
export function extractStackFrame(text: readonly string[], stack: StackFmt): ExtractedFrame | null {
  const skip = skipRegexp(stack.skip);
  const extractor = stack.extractor ?? 'first';
  const f = choose(readFrames(text, stack.parts), skip, extractor);
  if (f !== null || !stack.parts2) return f;
  return choose(readFrames(text, stack.parts2), skip, extractor);
}
