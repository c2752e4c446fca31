// What each kernel function is to the blame walk (data): reporting machinery, primitives, generic helpers, entry plumbing, dispatchers.
//
// Names are globs: `foo` exact, `foo*` prefix, `*foo` suffix, `*foo*` infix. They are matched against the
// base name of a frame (compiler suffixes such as `.cold`, `.isra.0`, `.part.3` removed, powerpc's leading
// dot removed). Rows are grouped by what the functions do, so that a reader can check one family at once.

/** What a frame is to the code that broke the kernel's contract. `own` (not listed) is everything else. */
export type FunctionRole =
  /** Prints or checks: printk, dump_stack, WARN/BUG, sanitizers, lockdep internals, oops/panic, fault handling. */
  | 'reporting'
  /** Enforces a rule or does one generic operation: locks, sleeping and waiting, allocators, sync teardown, wake-ups, lists, strings. */
  | 'primitive'
  /** A subsystem helper that was used as designed: tracing, VFS, DRM, netlink, block, device core, net core. */
  | 'helper'
  /** How the CPU got here: system calls, interrupts, exceptions, softirqs, kthread start. */
  | 'entry';

export interface RoleRow {
  role: FunctionRole;
  /** What the functions are, for explanations ("a lock primitive", "an allocator"). */
  family: string;
  names: readonly string[];
}

export const FUNCTION_ROLES: readonly RoleRow[] = [
  // --- reporting machinery -------------------------------------------------------------------
  {
    role: 'reporting',
    family: 'printk and stack dumping',
    names: [
      'printk', '_printk', 'vprintk*', 'printk_*', 'console_lock', 'console_trylock', 'console_unlock', 'console_flush_all', 'call_console_driver*', 'serial8250_console_*', 'vt_console_print', 'fbcon_*', 'bit_putcs', 'wake_up_klogd*',
      'dump_stack*', 'show_stack', 'show_stack_log_lvl', 'show_trace*', 'dump_backtrace', 'unwind_backtrace', 'print_trace_address', 'print_context_stack*', 'dump_trace', 'walk_stackframe', 'arch_stack_walk',
      'stack_trace_save*', 'save_stack_trace*', '__save_stack_trace*', 'show_regs', 'show_registers', '__show_regs', 'show_regs_print_info', 'show_fault_oops', 'show_opcodes', 'dump_pagetable', 'show_pte',
      'print_modules', 'print_oops_end_marker', 'print_tainted', 'print_address_description*', 'print_report', 'print_error_description',
      'sched_show_task', '_sched_show_task', 'show_state_filter', 'dump_unreclaimable_slab', 'show_mem', '__show_mem', 'show_free_areas', '__show_free_areas',
      'unwind_next_frame', 'unwind_get_return_address', '__unwind_start', 'unwind_start', 'kernel_text_address', '__kernel_text_address', 'is_bpf_text_address', 'is_ftrace_trampoline', 'is_module_text_address', '__module_text_address', 'core_kernel_text', 'stack_trace_consume_entry', 'save_stack', 'debug_show_all_locks', 'debug_show_held_locks', 'lockdep_print_held_locks', 'print_lock*', 'print_irqtrace_events',
    ],
  },
  {
    role: 'reporting',
    family: 'WARN, BUG, panic and oops handling',
    names: [
      '__warn', '__warn_printk', 'warn_slowpath*', 'report_bug', 'handle_bug', 'fixup_bug', 'do_fixup_bug', 'do_error_trap', 'do_trap', 'do_invalid_op', 'exc_invalid_op', 'asm_exc_invalid_op', 'invalid_op', 'do_int3*',
      'bug_handler', 'do_undefinstr', 'arm64_notify_die', 'bug_brk_handler', 'call_break_hook', 'brk_handler', 'do_debug_exception', 'el1_dbg', 'el1h_64_sync*', 'el1_sync*', 'el1_undef', 'el1_abort', 'el1_da', 'el1_ia',
      'panic', 'vpanic', 'nmi_panic', 'nmi_panic_self_stop', 'panic_smp_self_stop', 'die', '__die', '__die_body', 'die_kernel_fault', 'oops_begin', 'oops_end', 'oops_enter', 'oops_exit', 'make_task_dead', 'rewind_stack_and_make_dead', 'rewind_stack_do_exit',
      'crash_kexec', '__crash_kexec', 'machine_kexec', 'crash_save_cpu', 'crash_save_current_state', 'try_crashdump', 'netdump_*', 'diskdump_*', 'bust_spinlocks',
      'spl_panic', 'spl_dumpstack', 'vcmn_err', 'cmn_err', 'assfail', 'assfail3', 'asswarn', 'btrfs_assertfail', 'xfs_assert_*', 'ext4_error_*', '__ext4_error*',
      'skb_panic', 'skb_over_panic', 'skb_under_panic', 'bad_page', 'print_bad_pte', 'bad_page_fault', 'handle_bad_stack', 'handle_stack_overflow', 'panic_bad_stack', 'kernel_stack_overflow', '__schedule_bug',
      'check_preemption_disabled', 'debug_smp_processor_id', '__this_cpu_preempt_check',
    ],
  },
  {
    role: 'reporting',
    family: 'might_sleep and atomic-context checks',
    names: ['__might_sleep', '___might_sleep', '__might_resched', '__might_fault', 'might_fault', 'might_sleep', '__cant_sleep', '__cant_migrate', 'schedule_debug', 'dequeue_task_idle', 'preempt_count_sub', 'preempt_count_add', 'check_stack_object', '__check_object_size'],
  },
  {
    role: 'reporting',
    family: 'sanitizers and debug checks',
    names: [
      'kasan_*', '__kasan_*', '__asan_*', 'asan_*', 'check_memory_region*', 'check_region_inline', 'kasan_check_range', 'kasan_report*', 'kfence_*', '__kfence_*', 'kmsan_*', '__msan_*', 'kcsan_*', '__tsan_*',
      'ubsan_*', '__ubsan_handle_*', 'ubsan_prologue', 'ubsan_epilogue', 'refcount_warn_saturate', 'refcount_error_report', '__list_add_valid*', '__list_del_entry_valid*', '__list_valid_slowpath', 'list_*_report', '__list_*_report',
      'debug_object_*', 'debug_print_object', 'object_err', 'slab_err', 'slab_bug', 'print_trailer', 'check_bytes_and_report', 'check_object', 'check_slab', 'free_debug_processing', 'alloc_debug_processing', 'print_section',
      'kmemleak_*', 'stack_depot_*', '__sanitizer_cov_*', 'write_comp_data', 'check_kcov_mode', '__kcov_*', 'kcov_*', '__stack_chk_fail', 'fortify_panic', '__fortify_*', 'usercopy_abort', 'usercopy_warn',
      'spin_dump', 'spin_bug', 'rwlock_bug', 'debug_spin_lock_before', 'debug_spin_unlock', 'do_raw_spin_lock', 'do_raw_spin_unlock', 'do_raw_spin_trylock', 'do_raw_read_lock', 'do_raw_write_lock', 'do_raw_read_unlock', 'do_raw_write_unlock',
      'watchdog_*', 'softlockup_*', 'hardlockup_*', 'nmi_cpu_backtrace*', 'nmi_trigger_cpumask_backtrace', 'arch_trigger_cpumask_backtrace', 'trigger_*_backtrace', 'rcu_dump_cpu_stacks', 'print_cpu_stall*', 'print_other_cpu_stall', 'check_cpu_stall', 'rcu_check_gp_kthread_starvation', 'rcu_sched_clock_irq', 'rcu_check_callbacks', 'rcu_pending', 'rcu_print_*', 'rcu_gp_kthread', 'rcu_gp_fqs_loop', 'rcu_gp_init', 'rcu_gp_cleanup',
      'check_hung_task', 'check_hung_uninterruptible_tasks', 'watchdog', 'hung_task_*', 'wq_watchdog_*', 'show_workqueue_state', 'show_all_workqueues', 'csd_lock_wait_toolong',
      '__perf_event_overflow', 'perf_event_overflow', 'handle_pmi_common', 'intel_pmu_handle_irq', 'amd_pmu_handle_irq', 'x86_pmu_handle_irq', 'perf_event_nmi_handler', 'nmi_handle', 'default_do_nmi', 'do_nmi', 'exc_nmi', 'asm_exc_nmi', 'end_repeat_nmi', 'nmi', 'perf_ibs_nmi_handler',
    ],
  },
  {
    role: 'reporting',
    family: 'RCU stall reporting and read-side debug checks',
    names: ['dump_cpu_task', 'rcu_is_watching', 'debug_lockdep_rcu_enabled', 'rcu_read_lock_held*', 'rcu_read_lock_sched_held', 'rcu_read_lock_bh_held', 'rcu_read_lock_any_held', 'rcu_dynticks_curr_cpu_in_eqs', 'rcu_check_gp_start_stall', 'rcu_stall_kick_kthreads', 'rcu_irq_enter*', 'rcu_irq_exit*', 'rcu_nmi_enter', 'rcu_nmi_exit'],
  },
  {
    role: 'reporting',
    family: "lockdep's own functions",
    names: [
      'lock_acquire', '__lock_acquire', 'lock_acquired', 'lock_release', '__lock_release', 'lock_contended', 'lock_downgrade', 'lock_sync', 'lock_is_held*', 'lockdep_*', 'mark_lock', 'mark_usage', 'mark_held_locks', '__mark_lock', 'mark_lock_irq',
      'validate_chain', 'check_prev_add', 'check_prevs_add', 'check_noncircular', 'check_irq_usage', 'check_usage*', 'check_deadlock', 'check_chain_key', 'check_wait_context', 'check_flags', 'check_*_usage', 'valid_state', 'print_usage_bug',
      'print_circular_bug*', 'print_bad_irq_dependency', 'print_deadlock_bug', 'print_irq_inversion_bug', 'print_unlock_imbalance_bug', 'print_freed_lock_bug', 'print_lock_class_header', 'print_shortest_lock_dependencies', 'print_lock_name', 'print_lockdep_off',
      'debug_check_no_locks_freed', 'debug_check_no_locks_held', 'lockdep_sys_exit', 'save_trace', 'trace_hardirqs_*', 'trace_softirqs_*', 'lockdep_hardirqs_*', 'lockdep_softirqs_*', 'lockdep_rcu_suspicious', 'rcu_lockdep_current_cpu_online',
      'fs_reclaim_acquire', 'fs_reclaim_release', '__fs_reclaim_acquire', '__fs_reclaim_release',
    ],
  },
  {
    role: 'reporting',
    family: 'page-fault and exception handling',
    names: [
      'page_fault', 'async_page_fault', 'do_page_fault', '__do_page_fault', 'do_kern_addr_fault', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault', 'handle_page_fault', 'page_fault_oops', 'kernelmode_fixup_or_oops', 'no_context', 'bad_area*', '__bad_area*', 'spurious_kernel_fault', 'fixup_exception', 'error_code', 'error_entry', 'error_exit',
      'general_protection', 'do_general_protection', 'exc_general_protection', 'asm_exc_general_protection', 'do_stack_segment', 'exc_stack_segment', 'double_fault', 'do_double_fault', 'exc_double_fault', 'asm_exc_double_fault', 'divide_error', 'do_divide_error', 'exc_divide_error', 'asm_exc_divide_error',
      'do_mem_abort', 'do_translation_fault', 'do_bad_area', '__do_kernel_fault', 'do_alignment_fault', 'do_sp_pc_abort', 'el1_pc', 'el1_sp_pc', 'handle_interruption', 'handle_exception', 'do_trap_*', 'do_exception', 'do_dat_exception', 'do_no_context', 'do_sigbus', 'do_sigsegv', 'data_access', 'instruction_access', 'do_dabt', 'do_iabt', 'do_DataAbort', 'do_PrefetchAbort', '__dabt_svc', '__pabt_svc', '__und_svc', 'do_undefinstr',
      'arch_trigger_*',
    ],
  },
  {
    role: 'reporting',
    family: 'checkers that report a caller\'s mistake',
    names: [
      'fixup_bug', '__dump_stack', 'dump_page', '__dump_page', 'dump_page_owner', '__dump_page_owner', '__reiserfs_panic', 'reiserfs_panic', 'assertfail', 'umount_check', 'warn_bogus_irq_restore', 'ref_tracker_*',
      '____kasan_*', 'save_stack', 'poison_kmalloc_redzone', 'poison_slab_object', 'unpoison_slab_object', '__sanitizer_cov_*', '__hwasan_*',
      '*_is_static_object', '*_fixup_activate', '*_fixup_init', '*_fixup_free', '*_fixup_assert_init',
    ],
  },
  // --- primitives ----------------------------------------------------------------------------
  {
    role: 'primitive',
    family: 'lock primitives',
    names: [
      '_raw_*', '__raw_*', 'raw_spin_*', 'spin_lock*', 'spin_unlock*', 'spin_trylock*', 'read_lock*', 'read_unlock*', 'write_lock*', 'write_unlock*', 'queued_*', 'native_queued_*', '__pv_queued_*', 'pv_queued_*', 'pv_wait', 'pv_kick', 'kvm_wait', 'arch_spin_*', '__ticket_spin_*', 'do_raw_*',
      'mutex_lock*', 'mutex_unlock*', 'mutex_trylock*', '__mutex_lock*', '__mutex_unlock*', 'mutex_spin_on_owner', 'mutex_optimistic_spin', 'ww_mutex_*', '__ww_mutex_*', 'rt_mutex_*', '__rt_mutex_*', 'rtlock_*', 'rt_spin_*', 'rwbase_*',
      'down', 'down_*', '__down*', 'up', 'up_read', 'up_write', 'downgrade_write', 'rwsem_*', '__rwsem_*', 'percpu_down_*', 'percpu_up_*', 'percpu_rwsem_*', '__percpu_down_*', '__percpu_rwsem_*', 'osq_lock', 'osq_unlock', 'call_rwsem_*',
      'lock_sock*', 'release_sock', '__release_sock', 'bh_lock_sock*', '__lock_sock', 'lock_timer_base', 'lock_hrtimer_base', 'task_rq_lock', '__task_rq_lock', 'raw_spin_rq_lock*', '_raw_spin_rq_lock*',
      'local_bh_disable', 'local_bh_enable', '__local_bh_disable_ip', '__local_bh_enable_ip', '_local_bh_enable', 'local_irq_*', 'preempt_disable', 'preempt_enable', 'preempt_schedule*', '__preempt_schedule*',
      'cv_wait*', 'cv_timedwait*', '__cv_*', 'rw_enter', 'rw_exit', 'mutex_enter', 'mutex_exit', 'seqcount_*', 'read_seqbegin*', 'write_seqlock*', 'write_sequnlock*', 'bit_spin_lock', 'bit_spin_unlock', '__bit_spin_unlock',
      'rcu_read_lock*', 'rcu_read_unlock*', '__rcu_read_lock', '__rcu_read_unlock', 'srcu_read_lock', 'srcu_read_unlock', '__srcu_read_*',
    ],
  },
  {
    role: 'primitive',
    family: 'sleeping and waiting',
    names: [
      'schedule', '__schedule', 'context_switch', '__switch_to', '__switch_to_asm', 'switch_to', 'finish_task_switch*', 'schedule_timeout*', 'schedule_hrtimeout*', 'schedule_preempt_disabled', 'io_schedule*', 'schedule_idle', 'preempt_schedule_common', 'do_task_dead', '_cond_resched', '__cond_resched*', 'cond_resched*', 'yield',
      'msleep*', 'usleep_range*', 'ssleep', 'fsleep', 'do_nanosleep', 'hrtimer_nanosleep',
      'wait_for_completion*', '__wait_for_common', 'wait_for_common*', 'do_wait_for_common', 'wait_for_common_io', 'completion_done', 'try_wait_for_completion',
      'wait_event*', '__wait_event*', 'wait_woken', 'prepare_to_wait*', 'finish_wait', 'add_wait_queue*', 'remove_wait_queue', '__add_wait_queue*', '__remove_wait_queue', 'smp_call_function*', 'on_each_cpu*', 'csd_lock_wait*', '__csd_lock_wait', 'smp_call_on_cpu', 'wait_on_bit*', '__wait_on_bit*', 'out_of_line_wait_on_bit*', 'bit_wait*', 'wait_on_page*', 'wait_on_folio*', '__folio_lock*', 'folio_wait_*', '__lock_page*', 'lock_page*', '__lock_folio*', 'wait_on_buffer', '__wait_on_buffer', '__wait_on_freeing_inode', 'inode_wait_*',
      'rcu_barrier*', 'synchronize_rcu*', 'synchronize_srcu*', 'synchronize_sched*', 'synchronize_net', '__synchronize_srcu', 'wait_rcu_gp', '__wait_rcu_gp', 'rcu_sync_enter',
      'wait_var_event*', 'swait_*', '__swait_*', 'rcuwait_wait_event', 'io_wait_event', 'blk_mq_freeze_queue_wait', 'blk_execute_rq', 'blk_wait_io', 'submit_bio_wait', 'wait_for_device_probe', 'wait_for_key_construction',
    ],
  },
  {
    role: 'primitive',
    family: 'allocators',
    names: [
      'kmalloc*', '__kmalloc*', '___kmalloc*', 'kzalloc*', 'kcalloc*', 'krealloc*', '__krealloc', 'kmemdup*', 'kstrdup*', 'kvmalloc*', 'kvzalloc*', 'kvcalloc', 'kvrealloc', '__kvmalloc*', 'kmalloc_array*', 'kmalloc_node*', 'kmalloc_trace*', 'kmalloc_large*', 'kmalloc_order*',
      'kmem_cache_alloc*', 'kmem_cache_free*', 'kmem_cache_zalloc', '__kmem_cache_alloc*', '__kmem_cache_free*', 'slab_alloc*', '___slab_alloc', '__slab_alloc*', 'slab_free*', '__slab_free', 'do_slab_free', 'new_slab', 'allocate_slab', 'alloc_slab_page', 'set_track*', 'cache_alloc*', '____cache_alloc*', 'cache_grow*', 'fallback_alloc', 'kfree', 'kvfree', 'kfree_sensitive', 'kzfree', 'kfree_skb*', '__kfree_skb', 'kfree_rcu*',
      'alloc_pages*', '__alloc_pages*', 'alloc_page*', '__get_free_pages', 'get_free_pages', 'get_zeroed_page', '__get_free_page', 'alloc_pages_current', 'alloc_pages_vma', 'folio_alloc*', '__folio_alloc*', 'vma_alloc_folio*', 'prepare_alloc_pages*', 'get_page_from_freelist', '__alloc_pages_slowpath', '__alloc_pages_direct_*', 'rmqueue*', '__rmqueue*', 'free_pages*', '__free_pages*', 'free_page*', 'free_unref_page*', '__free_one_page', 'free_one_page', 'free_pcppages_bulk', 'free_the_page',
      'vmalloc*', '__vmalloc*', 'vzalloc*', 'vmalloc_node*', 'vfree', '__vfree', 'vunmap', 'vmap*', '__vmap*', 'alloc_vmap_area', '__get_vm_area*', 'get_vm_area*',
      'mempool_alloc*', 'mempool_free', 'dma_alloc_*', 'dma_free_*', 'dma_pool_alloc', 'dma_pool_free', 'devm_kmalloc', 'devm_kzalloc', 'devm_kcalloc', 'devm_kfree', 'alloc_percpu*', '__alloc_percpu*', 'pcpu_alloc', 'kv_alloc', 'spl_kmem_*', 'kmem_alloc', 'kmem_zalloc', 'vmem_alloc',
      'alloc_skb*', '__alloc_skb', '__netdev_alloc_skb', 'netdev_alloc_skb*', '__napi_alloc_skb', 'napi_alloc_skb', 'build_skb*', 'page_frag_alloc*', '__page_frag_alloc*', 'skb_clone', 'skb_copy*', 'pskb_expand_head', '__pskb_pull_tail',
      'should_fail*', 'should_failslab', '__should_failslab', 'fail_dump', 'memcg_slab_*', '__memcg_kmem_charge*', 'memcg_kmem_charge*', 'obj_cgroup_charge*', '__memcg_slab_*', 'try_charge*', 'mem_cgroup_charge*',
      'try_to_compact_pages', 'compact_zone*', 'try_to_free_pages', 'do_try_to_free_pages', 'shrink_*', '__perform_reclaim', '__alloc_pages_may_oom', 'out_of_memory', 'oom_kill_process', 'dump_header',
    ],
  },
  {
    role: 'primitive',
    family: 'stopping timers, work and threads',
    names: [
      'hrtimer_cancel', 'hrtimer_try_to_cancel', 'del_timer*', 'timer_delete*', 'try_to_del_timer_sync', '__try_to_del_timer_sync', '__del_timer*', 'timer_shutdown*', 'flush_work', '__flush_work', 'flush_workqueue', '__flush_workqueue', 'drain_workqueue', 'destroy_workqueue', 'flush_delayed_work', 'flush_scheduled_work',
      'cancel_work*', 'cancel_delayed_work*', '__cancel_work*', 'kthread_stop*', 'kthread_park', 'kthread_flush_work*', 'kthread_cancel_*', 'tasklet_kill', 'tasklet_unlock_wait', 'free_irq', '__free_irq', 'synchronize_irq', '__synchronize_hardirq', 'synchronize_hardirq', 'disable_irq', 'irq_work_sync', 'flush_rcu_work', 'rcu_barrier_tasks*',
    ],
  },
  {
    role: 'primitive',
    family: 'wake-ups and completions',
    names: ['wake_up*', '__wake_up*', 'try_to_wake_up', 'ttwu_*', 'default_wake_function', 'autoremove_wake_function', 'woken_wake_function', 'wake_bit_function', 'complete', 'complete_all', 'complete_and_exit', 'swake_up*', 'rcuwait_wake_up', 'wake_q_add*', 'wake_up_q', 'cv_signal', 'cv_broadcast', '__cv_signal', '__cv_broadcast', 'up_*_wake', 'queue_work*', '__queue_work', 'queue_delayed_work*', 'mod_delayed_work*', 'schedule_work*', 'schedule_delayed_work*', 'irq_work_queue*', 'mod_timer*', '__mod_timer', 'add_timer*', 'hrtimer_start*', 'raise_softirq*', '__raise_softirq*', 'tasklet_schedule', '__tasklet_schedule*', 'call_rcu*', '__call_rcu*', 'kfree_call_rcu'],
  },
  {
    role: 'primitive',
    family: 'list, tree and bitmap operations',
    names: [
      'list_*', '__list_*', 'hlist_*', '__hlist_*', 'llist_*', '__llist_*', 'plist_*', 'rb_*', '__rb_*', 'rb_erase*', 'rb_insert*', 'xa_*', '__xa_*', 'xas_*', 'idr_*', 'ida_*', 'radix_tree_*', '__radix_tree_*', 'klist_*', 'timerqueue_*',
      'find_next_bit', 'find_first_bit', '_find_next_bit', '_find_first_bit', '__find_*bit*', 'find_next_zero_bit', 'find_next_and_bit', '_find_next_and_bit', 'bitmap_*', '__bitmap_*', 'set_bit', 'clear_bit', 'test_bit', 'test_and_*_bit', '__set_bit', '__clear_bit', '*_find_bit', '*_set_bit', '*_test_bit', '*_clear_bit', 'cpumask_*', '__cpumask_*', 'cpumask_next*', 'nodemask_*',
    ],
  },
  {
    role: 'primitive',
    family: 'string, printf, copy and checksum internals',
    names: [
      'memcpy*', '__memcpy*', 'memmove*', '__memmove*', 'memset*', '__memset*', 'memcmp', '__memcmp', 'bcmp', 'memchr*', 'memscan', 'memcpy_*', 'memset_*', 'memzero_*', '__memcpy_flushcache', 'memcpy_orig', 'memmove_orig', 'memset_orig', 'rep_movs_alternative', 'rep_stos_alternative',
      'strcpy', 'strncpy', 'strlcpy', 'strscpy*', '__strscpy*', 'strcat', 'strncat', 'strlcat', 'strcmp', 'strncmp', 'strcasecmp', 'strncasecmp', 'strchr', 'strrchr', 'strnchr', 'strchrnul', 'strstr', 'strnstr', 'strlen', '__strlen*', 'strnlen', '__strnlen*', 'strsep', 'strspn', 'strcspn', 'strpbrk', 'strim', 'strreplace', 'strndup_user', 'strtobool', 'kstrto*', 'simple_strto*', 'sprintf', 'snprintf', 'scnprintf', 'vsprintf', 'vsnprintf', 'vscnprintf', 'bstr_printf', 'seq_printf', 'seq_vprintf', 'seq_puts', 'number', 'string', 'string_nocheck', 'widen_string', 'pointer', 'format_decode', 'put_dec*', 'ip4_string', 'ip6_string', 'symbol_string', 'special_hex_number', 'hex_string', 'mac_address_string', 'uuid_string',
      'copy_to_user*', 'copy_from_user*', '_copy_to_user', '_copy_from_user', '__copy_to_user*', '__copy_from_user*', 'raw_copy_*', 'copy_user_*', '__copy_user_*', 'copy_user_generic*', '__arch_copy_*', 'strncpy_from_user', 'strnlen_user', 'do_strncpy_from_user', 'get_user*', 'put_user*', '__get_user*', '__put_user*', 'clear_user', '__clear_user', 'copy_from_kernel_nofault', 'copy_to_kernel_nofault', '__copy_from_kernel_nofault', 'copy_page*', 'copy_mc_*', 'copy_in_user', 'copyin', 'copyout', 'uiomove', 'copy_page_to_iter*', 'copy_page_from_iter*', '_copy_to_iter', '_copy_from_iter*', 'iov_iter_*', 'csum_partial*', 'csum_and_copy*', '__csum_*', 'crc32*', 'crc32c*', '__crc32c*', 'crc_t10dif*', 'memcpy_to_page', 'memcpy_from_page',
      'skb_put', '__skb_put*', 'skb_push', '__skb_push', 'skb_pull', '__skb_pull', 'skb_trim', '__skb_trim', 'skb_put_data', 'skb_put_zero', 'skb_reserve', 'skb_copy_bits', 'skb_store_bits', 'skb_copy_datagram_*', '__skb_datagram_iter',
      'refcount_*', '__refcount_*', 'kref_get', 'kref_init', 'kobject_get', 'kobject_get_unless_zero', 'atomic_*', 'arch_atomic*', 'atomic64_*', 'cmpxchg*', 'xchg*', 'this_cpu_*', '__this_cpu_*', 'percpu_counter_*', '__percpu_counter_*',
    ],
  },
  {
    role: 'primitive',
    family: 'random numbers',
    names: ['prandom_u32*', 'prandom_bytes*', 'get_random_*', '_get_random_bytes', 'get_random_bytes*', 'crng_make_state', 'crng_fast_key_erasure', 'chacha_block*'],
  },
  {
    role: 'primitive',
    family: 'delays and busy-waits',
    names: ['__const_udelay', '__udelay', '__ndelay', 'udelay', 'ndelay', 'mdelay', '__delay', 'delay_tsc', 'delay_loop', 'delay_halt*', 'read_current_timer', 'cpu_relax', 'native_safe_halt', 'default_idle', 'arch_cpu_idle', 'cpu_idle_poll', 'poll_idle', 'ktime_get*', 'read_tsc', 'native_read_tsc', 'rdtsc*', 'sched_clock*', 'local_clock', 'pvclock_clocksource_read*', 'kvm_clock_*', 'xen_clocksource_*', 'readl_poll_timeout*', 'read_poll_timeout*', 'io_serial_in', 'mem_serial_in', 'serial_in', 'serial8250_*', 'wait_for_xmitr', 'ioread*', 'iowrite*', 'readl', 'writel', 'readb', 'writeb', 'readw', 'writew', 'inb', 'outb', 'inl', 'outl'],
  },
  {
    role: 'primitive',
    family: 'reference drops that call the destructor',
    names: ['put_page', '__put_page', '__put_compound_page', 'put_compound_page', 'release_pages', 'folio_put', '__folio_put*', 'destroy_large_folio', 'free_compound_page', 'kref_put*', 'kobject_put', 'kobject_release', 'kobject_cleanup', 'put_device', 'device_release', 'dput', 'iput', 'fput', 'sock_put', 'sk_free', '__sk_free', 'sk_destruct', '__sk_destruct', 'put_task_struct*', '__put_task_struct', 'mmdrop', '__mmdrop', 'put_pid', 'module_put', 'dma_fence_put', 'dma_fence_release', 'drm_gem_object_put*', 'kref_put_lock', 'kref_put_mutex', 'percpu_ref_put*', 'put_cred*', '__put_cred', 'blk_put_queue', 'bio_put', 'skb_unref', 'consume_skb', 'kfree_skb_reason'],
  },
  {
    role: 'primitive',
    family: 'compiler thunks',
    names: ['__x86_indirect_thunk_*', '__x86_indirect_call_thunk_*', '__x86_indirect_jump_thunk_*', '__x86_return_thunk', '__x86_indirect_thunk_array'],
  },
  {
    role: 'primitive',
    family: 'page and skb freeing plumbing',
    names: [
      'memdup_user*', 'vmemdup_user', 'kunit_kmalloc*', 'kunit_kzalloc*', 'kunit_kcalloc*', 'free_large_kmalloc', '__alloc_frozen_pages*', 'alloc_frozen_pages*', 'post_alloc_hook', 'slab_post_alloc_hook', 'slab_pre_alloc_hook', 'free_pages_prepare', 'free_pcp_prepare', '__free_pages_ok', 'free_tail_page*', 'kvfree_call_rcu',
      'page_pool_*', '__page_pool_*', 'skb_release_data', 'skb_release_all', 'skb_release_head_state', 'skb_free_head', 'kfree_skbmem', 'sk_skb_reason_drop', 'consume_skb', '__consume_stateless_skb', 'napi_consume_skb',
    ],
  },
  {
    role: 'primitive',
    family: 'reference gets',
    names: ['kobject_get', 'kobject_get_unless_zero', 'kref_get_unless_zero', 'dev_hold', 'netdev_hold', 'sock_hold', 'get_task_struct', 'fast_dput'],
  },
  {
    role: 'primitive',
    family: 'page and folio state',
    names: ['folio_unlock', 'unlock_page', 'folio_end_writeback', 'end_page_writeback', 'folio_mark_dirty', 'set_page_dirty', 'set_page_dirty_lock', 'folio_start_writeback', 'set_page_writeback'],
  },
  // --- generic helpers, used as designed ---------------------------------------------------------
  {
    role: 'helper',
    family: 'tracing and BPF plumbing',
    names: ['trace_*', '__trace_*', 'trace_event_*', 'perf_trace_*', 'trace_call_bpf', 'bpf_trace_run*', '__bpf_trace_*', 'bpf_prog_run*', '__bpf_prog_run*', 'ftrace_*', 'fprobe_*', 'kprobe_*', 'kretprobe_*', 'trampoline_*', '__traceiter_*', 'tracepoint_probe_*', 'ring_buffer_*', 'rb_*_commit', 'seq_buf_*', 'bpf_probe_read_kernel', 'bpf_probe_read*'],
  },
  {
    role: 'helper',
    family: 'VFS and file plumbing',
    names: [
      'vfs_*', '__vfs_*', 'ksys_*', 'new_sync_read', 'new_sync_write', '__kernel_write', '__kernel_read', 'kernel_write', 'kernel_read', 'do_iter_*', 'do_readv*', 'do_writev*', 'do_sys_open*', 'do_filp_open', 'path_openat', 'do_open*', 'do_dentry_open', 'vfs_open', 'filp_open', 'file_open_*',
      'link_path_walk', 'walk_component', 'path_lookupat', 'filename_lookup', 'lookup_*', '__lookup_*', 'path_*', 'kern_path*', 'user_path*', 'd_alloc*', 'd_lookup', '__d_lookup*', 'd_add', 'd_instantiate', 'd_delete', '__dentry_kill', 'dentry_kill', 'iput_final', 'evict', '____fput', '__fput*', 'task_work_run', 'filp_close', 'close_fd', '__close_fd', '__x64_sys_close',
      'do_vfs_ioctl', 'vfs_ioctl', '__do_sys_ioctl', 'do_sys_ioctl', 'compat_sys_ioctl', '__se_sys_ioctl',
      'kernfs_*', 'sysfs_kf_*', 'sysfs_*', 'kobj_attr_*', 'dev_attr_*', 'drv_attr_*', 'bus_attr_*', 'class_attr_*', 'proc_reg_*', 'proc_sys_call_handler', 'proc_sys_write', 'proc_sys_read', 'seq_read*', 'seq_write', 'traverse', 'full_proxy_*', 'debugfs_*', 'simple_attr_*', 'generic_file_*', '__generic_file_*', 'generic_perform_write', 'filemap_*', '__filemap_*', 'do_writepages', 'write_cache_pages', 'generic_writepages', '__writepage', 'writeback_*', '__writeback_*', 'wb_*', 'iomap_*', '__iomap_*', 'mpage_*', 'block_write_*', 'block_read_*', '__block_write_*', 'read_pages', 'page_cache_ra_*', 'ondemand_readahead', 'do_page_cache_ra', 'filemap_read', 'filemap_fault', 'do_read_cache_*', 'read_cache_page*',
      'splice_*', 'do_splice*', 'iter_file_splice_write', 'generic_splice_*', 'pipe_write', 'pipe_read', 'dump_emit', 'dump_emit_page', '__dump_emit', 'elf_core_dump', 'do_coredump', 'writenote',
    ],
  },
  {
    role: 'helper',
    family: 'kernel-thread state checks',
    names: ['kthread_should_stop', 'kthread_should_park', '__kthread_should_park', 'kthread_freezable_should_stop', 'kthread_parkme', '__kthread_parkme', 'try_to_freeze', 'freezing_slow_path', '__refrigerator'],
  },
  {
    role: 'helper',
    family: 'hibernation snapshot bitmaps',
    names: ['memory_bm_*', 'swsusp_set_page_free', 'swsusp_unset_page_free', 'swsusp_page_is_free', 'swsusp_set_page_forbidden', 'swsusp_page_is_forbidden'],
  },
  {
    role: 'helper',
    family: 'memory-management plumbing',
    names: ['handle_mm_fault', '__handle_mm_fault', 'handle_pte_fault', 'do_fault', 'do_read_fault', 'do_shared_fault', 'do_cow_fault', 'do_wp_page', 'wp_page_*', 'do_page_mkwrite', '__do_fault', 'do_anonymous_page', 'do_swap_page', 'follow_page*', '__get_user_pages*', 'get_user_pages*', 'pin_user_pages*', 'faultin_page', 'mmap_region', 'do_mmap', 'vm_mmap_pgoff', 'ksys_mmap_pgoff', 'do_munmap', '__do_munmap', 'do_vmi_*', 'unmap_*', 'zap_*', 'exit_mmap', 'mmput', '__mmput', 'migrate_pages', 'move_to_new_page', 'move_to_new_folio', 'writeout', 'migrate_folio*', 'unmap_and_move*', '__unmap_and_move*'],
  },
  {
    role: 'helper',
    family: 'DRM, netlink and networking core',
    names: [
      'drm_ioctl', 'drm_ioctl_kernel', 'drm_atomic_*', '__drm_atomic_*', 'drm_mode_*', 'drm_client_*', 'drm_fb_helper_*', 'drm_gem_*', 'drm_sched_*', 'dma_fence_*', '__dma_fence_*', 'dma_resv_*',
      'netlink_*', '__netlink_*', 'genl_*', '__genl_*', 'nlmsg_*', 'nla_*', '__nla_*', 'rtnetlink_rcv*', 'rtnetlink_*', 'rtnl_*', '__rtnl_*', 'netlink_rcv_skb', 'sock_sendmsg*', '__sock_sendmsg', '____sys_sendmsg', '___sys_sendmsg', '__sys_sendmsg', '__sys_sendto', 'sock_recvmsg*', '____sys_recvmsg', '___sys_recvmsg', '__sys_recvmsg', 'sock_write_iter', 'sock_read_iter', 'sock_ioctl', 'sock_do_ioctl', '__sock_release', 'sock_close',
      'net_rx_action', '__napi_poll', 'napi_poll', 'napi_complete_done', 'napi_gro_*', 'gro_normal_*', 'dev_gro_receive', 'netif_receive_skb*', '__netif_receive_skb*', 'netif_rx*', 'process_backlog', '__dev_queue_xmit', 'dev_queue_xmit*', 'dev_hard_start_xmit', 'sch_direct_xmit', '__qdisc_run', 'qdisc_run*', 'net_tx_action', 'ip_rcv*', 'ip_local_deliver*', 'ip_protocol_deliver_rcu', 'ip_sublist_rcv*', 'ip_list_rcv', 'ipv6_rcv', 'ip6_rcv*', 'ip6_input*', 'ip6_protocol_deliver_rcu', 'ip_output', 'ip_finish_output*', 'ip6_output', 'ip6_finish_output*', 'ip_queue_xmit', '__ip_queue_xmit', 'ip_send_skb', 'ip_push_pending_frames', 'neigh_*', 'nf_hook_slow', 'nf_hook*',
      'inet_getname', 'inet_*', 'inet6_*', 'tcp_v4_rcv', 'tcp_v6_rcv', 'tcp_v4_do_rcv', 'tcp_v6_do_rcv', 'tcp_rcv_established', 'tcp_rcv_state_process', 'tcp_validate_incoming', 'tcp_data_queue', 'tcp_sendmsg*', 'tcp_recvmsg*', 'tcp_write_xmit', '__tcp_transmit_skb', 'tcp_transmit_skb', 'udp_rcv', '__udp4_lib_rcv', 'udp_queue_rcv_skb', 'udp_unicast_rcv_skb', 'udp_sendmsg', 'sk_filter*', '__sk_receive_skb', 'sock_queue_rcv_skb*', '__sock_queue_rcv_skb',
      'ieee80211_*', '__ieee80211_*', 'cfg80211_*', 'nl80211_*',
    ],
  },
  {
    role: 'helper',
    family: 'block layer',
    names: ['submit_bio*', '__submit_bio*', 'generic_make_request*', '__generic_make_request*', 'blk_*', '__blk_*', 'bio_*', '__bio_*', 'get_request', 'get_request_wait', '__get_request', 'elv_*', '__elv_*', 'scsi_*', '__scsi_*', 'disk_*', '__del_gendisk', 'del_gendisk', 'device_add_disk', 'add_disk*', 'bdi_*', 'bdev_*', 'blkdev_*', '__blkdev_*', 'submit_bh*', 'll_rw_block', 'end_bio_bh_io_sync', 'end_buffer_*', 'mpage_end_io', 'clone_endio'],
  },
  {
    role: 'helper',
    family: 'device-model core',
    names: ['device_add', 'device_del', 'device_register', 'device_unregister', 'device_release', 'device_release_driver*', '__device_release_driver', 'device_driver_detach', 'device_initial_probe', '__device_attach*', 'device_attach', 'device_links_*', 'get_device', 'kobject_add*', 'kobject_init*', 'kobject_del', 'kobject_uevent*', 'kobject_create*', 'kobj_*', 'bus_for_each_dev', 'bus_for_each_drv', 'bus_probe_device', 'bus_add_driver', 'bus_remove_device', 'driver_register', 'driver_unregister', 'driver_attach', '__driver_attach*', 'driver_probe_device', '__driver_probe_device', 'driver_detach', 'devres_*', 'devm_*', 'release_nodes', 'devres_release_all', 'platform_device_*', 'platform_driver_*', '__platform_driver_*', 'pci_bus_*', 'pci_remove_bus_device', 'pci_stop_*', 'pci_stop_and_remove_bus_device*', 'pci_device_remove', 'pci_register_driver', '__pci_register_driver', 'i2c_register_driver', 'i2c_for_each_dev', 'usb_register_driver', 'usb_driver_*', 'usb_submit_urb', 'usb_kill_urb', 'usb_start_wait_urb', 'usb_control_msg', 'usb_bulk_msg', 'usb_hcd_submit_urb', 'module_add_driver', 'blocking_notifier_call_chain', 'class_*'],
  },
  {
    role: 'helper',
    family: 'inode, buffer and device bookkeeping',
    names: ['drop_nlink', 'clear_nlink', 'inc_nlink', 'set_nlink', 'mark_buffer_dirty', '__mark_inode_dirty', 'add_uevent_var', 'get_device_parent', 'dpm_sysfs_*', 'device_destroy', 'device_create', 'device_create_*', 'usb_disable_device', 'usb_disconnect', 'usb_set_configuration'],
  },
  // --- entry plumbing ------------------------------------------------------------------------
  {
    role: 'entry',
    family: 'system-call entry',
    names: ['__x86_indirect_thunk_*', '__x86_indirect_call_thunk_*', '__x86_return_thunk', 'srso_return_thunk', 'srso_safe_ret', 'retbleed_return_thunk', 'do_syscall_64', 'do_syscall_32_irqs_on', 'do_int80_syscall_32', 'do_fast_syscall_32', '__do_fast_syscall_32', 'entry_SYSCALL*', 'entry_SYSENTER*', 'entry_INT80*', 'system_call*', 'sysenter_*', 'syscall_call', 'ia32_*', 'tracesys*', 'int_ret_from_sys_call', 'ret_from_sys_call', 'sysret_*', 'retint_*', '__x64_sys_*', '__ia32_sys_*', '__se_sys_*', '__do_sys_*', '__se_compat_sys_*', '__do_compat_sys_*', '__x64_compat_sys_*', 'SyS_*', 'sys_*', 'compat_SyS_*', 'C_SYSC_*', '__arm64_sys_*', '__s390x_sys_*', '__s390_sys_*', '__riscv_sys_*', 'invoke_syscall', 'el0_svc*', 'el0t_64_sync*', 'el0_sync*', 'el0_da', 'el0_ia', 'do_el0_svc', 'ret_fast_syscall', 'vector_swi', '__do_syscall', 'syscall_exit_*', 'exit_to_user_mode*', 'syscall_exit_to_user_mode*', 'exit_to_usermode_loop', 'prepare_exit_to_usermode', 'syscall_return_slowpath', 'do_signal', 'arch_do_signal*', 'get_signal', 'do_notify_resume', 'ret_to_user', 'work_pending', 'ret_from_syscall', 'system_call_exception', 'system_call_common', 'do_group_exit', 'do_exit', '__do_exit', 'sys_exit_group'],
  },
  {
    role: 'entry',
    family: 'interrupt, softirq and exception entry',
    names: [
      'common_interrupt', '__common_interrupt', 'asm_common_interrupt', 'do_IRQ', '__do_IRQ', 'handle_irq', 'generic_handle_irq*', 'generic_handle_domain_irq*', 'handle_domain_irq', '__handle_domain_irq', 'handle_irq_desc', 'handle_edge_irq', 'handle_level_irq', 'handle_fasteoi_irq', 'handle_simple_irq', 'handle_percpu_irq', 'handle_percpu_devid_irq', 'handle_untracked_irq', 'handle_nested_irq', 'ret_from_intr', 'apic_timer_interrupt', 'smp_apic_timer_interrupt', 'local_apic_timer_interrupt', 'sysvec_*', 'asm_sysvec_*', '__sysvec_*', 'irq_exit*', '__irq_exit_rcu', 'irq_enter*', 'irqentry_*', 'gic_handle_irq', 'el1_irq', 'el1h_64_irq*', 'el0_irq', 'el1_interrupt', 'call_on_irq_stack', 'do_interrupt_handler', '__irq_svc', '__irq_usr', 'xen_evtchn_do_upcall', '__xen_evtchn_do_upcall', 'xen_do_hypervisor_callback', 'xen_hypervisor_callback', 'do_softirq*', '__do_softirq', 'handle_softirqs', 'invoke_softirq', 'run_ksoftirqd', '__softirqentry_text_start', 'call_do_softirq', 'do_softirq_own_stack', 'irq_thread', 'irq_thread_fn', 'irq_forced_thread_fn', 'irq_finalize_oneshot*', 'irq_thread_check_affinity', 'handle_IRQ', 'asm_do_IRQ', 'do_IRQ_*', '__irq_entry_text_start', 'ret_from_exception', 'ret_from_except*', 'apic_timer_interrupt*', 'smp_apic_timer_interrupt*', 'smp_trace_*', 'common_interrupt_return', 'restore_regs_and_return_to_kernel', 'native_irq_return_iret',
      'run_timer_softirq', '__run_timers', 'expire_timers', 'call_timer_fn', 'hrtimer_interrupt', '__hrtimer_run_queues', '__run_hrtimer', 'hrtimer_run_queues', 'tick_sched_timer', 'tick_sched_handle', 'tick_handle_periodic', 'tick_periodic', 'update_process_times', 'scheduler_tick', 'sched_tick', 'timer_interrupt', 'arch_timer_handler_*', 'tasklet_action*', 'tasklet_hi_action', 'rcu_core', 'rcu_core_si', 'rcu_do_batch', 'rcu_process_callbacks', 'rcu_reclaim_tiny', '__rcu_reclaim', 'exiting_irq', 'blk_done_softirq', 'blk_complete_reqs', 'irq_poll_softirq', 'flush_smp_call_function_queue', '__flush_smp_call_function_queue', 'generic_smp_call_function_single_interrupt', 'smp_call_function_interrupt', 'sysvec_call_function*', 
    ],
  },
  {
    role: 'entry',
    family: 'kernel threads, workqueues and boot',
    names: ['kthread', 'ret_from_fork*', 'ret_from_kernel_thread', 'kernel_thread_helper', 'child_rip', 'kernel_thread_starter', 'worker_thread', 'process_one_work', 'process_scheduled_works', 'rescuer_thread', 'kthread_worker_fn', 'smpboot_thread_fn', 'kernel_init', 'kernel_init_freeable', 'do_basic_setup', 'do_initcalls', 'do_initcall_level', 'do_one_initcall', 'do_init_module', 'load_module', '__do_sys_init_module', '__do_sys_finit_module', 'init_module_from_file', 'idempotent_init_module', 'start_kernel', 'rest_init', 'x86_64_start_kernel', 'x86_64_start_reservations', 'secondary_startup_64*', 'start_secondary', 'cpu_startup_entry', 'do_idle', 'cpu_idle', 'secondary_start_kernel', '____call_usermodehelper', 'call_usermodehelper_exec_async', 'async_run_entry_fn', 'call_usermodehelper*', 'really_probe', 'call_driver_probe', '__device_attach_driver', 'local_pci_probe', 'pci_device_probe', 'platform_probe', 'platform_drv_probe', 'i2c_device_probe', 'spi_probe', 'spi_drv_probe', 'usb_probe_interface', 'usb_probe_device', 'sdio_bus_probe', 'virtio_dev_probe', 'serio_driver_probe', 'hid_device_probe', 'mmc_bus_probe', 'amba_probe', 'acpi_device_probe', 'device_shutdown', 'kernel_restart_prepare', 'kernel_power_off', 'kernel_restart', 'delete_module', '__do_sys_delete_module', '__se_sys_delete_module', 'free_module', 'notifier_call_chain', 'atomic_notifier_call_chain', 'raw_notifier_call_chain', '__blocking_notifier_call_chain', 'srcu_notifier_call_chain'],
  },
];

/** How a registered callback is entered: the first own frame inward of the dispatcher is the callback. */
export type CallbackMechanism =
  | 'timer'
  | 'hrtimer'
  | 'work'
  | 'kthread-work'
  | 'kthread'
  | 'tasklet'
  | 'softirq'
  | 'irq'
  | 'threaded-irq'
  | 'rcu'
  | 'notifier'
  | 'probe'
  | 'remove'
  | 'shutdown'
  | 'bio-completion'
  | 'urb-completion'
  | 'napi'
  | 'socket-callback'
  | 'netlink'
  | 'ioctl'
  | 'file-operation'
  | 'sysfs'
  | 'initcall'
  | 'smp-call';

export interface DispatcherRow {
  mechanism: CallbackMechanism;
  /** Functions that call the registered callback; the callback is the first own frame printed inward of them. */
  names: readonly string[];
  /** What stops the callback, for a teardown that forgot to (English; the call is code, not prose). */
  stoppedBy: string;
}

export const DISPATCHERS: readonly DispatcherRow[] = [
  { mechanism: 'timer', names: ['call_timer_fn', 'expire_timers', '__run_timers', 'run_timer_softirq'], stoppedBy: 'del_timer_sync() / timer_shutdown_sync()' },
  { mechanism: 'hrtimer', names: ['__run_hrtimer', '__hrtimer_run_queues'], stoppedBy: 'hrtimer_cancel()' },
  { mechanism: 'work', names: ['process_one_work', 'process_scheduled_works', 'worker_thread'], stoppedBy: 'cancel_work_sync() / cancel_delayed_work_sync() / destroy_workqueue()' },
  { mechanism: 'kthread-work', names: ['kthread_worker_fn'], stoppedBy: 'kthread_cancel_work_sync() / kthread_destroy_worker()' },
  { mechanism: 'threaded-irq', names: ['irq_thread_fn', 'irq_forced_thread_fn', 'irq_thread'], stoppedBy: 'free_irq() / devm release order' },
  { mechanism: 'irq', names: ['__handle_irq_event_percpu', 'handle_irq_event_percpu', 'handle_irq_event', 'handle_nested_irq'], stoppedBy: 'free_irq() / devm release order' },
  { mechanism: 'tasklet', names: ['tasklet_action_common', 'tasklet_action', 'tasklet_hi_action'], stoppedBy: 'tasklet_kill()' },
  { mechanism: 'rcu', names: ['rcu_do_batch', 'rcu_core', 'rcu_process_callbacks', '__rcu_reclaim', 'rcu_reclaim_tiny'], stoppedBy: 'rcu_barrier() before the module is freed' },
  { mechanism: 'notifier', names: ['notifier_call_chain', 'blocking_notifier_call_chain', '__blocking_notifier_call_chain', 'atomic_notifier_call_chain', 'raw_notifier_call_chain', 'srcu_notifier_call_chain'], stoppedBy: 'the matching *_unregister_notifier()' },
  { mechanism: 'probe', names: ['really_probe', 'call_driver_probe', 'local_pci_probe', 'pci_device_probe', 'platform_probe', 'platform_drv_probe', 'i2c_device_probe', 'spi_probe', 'spi_drv_probe', 'usb_probe_interface', 'usb_probe_device', 'sdio_bus_probe', 'virtio_dev_probe', 'serio_driver_probe', 'hid_device_probe', 'mmc_bus_probe', 'amba_probe', 'acpi_device_probe'], stoppedBy: 'the driver\'s remove path' },
  { mechanism: 'remove', names: ['device_remove', '__device_release_driver', 'pci_device_remove', 'platform_remove', 'platform_drv_remove', 'i2c_device_remove', 'spi_remove', 'usb_unbind_interface', 'virtio_dev_remove'], stoppedBy: 'the driver\'s remove path' },
  { mechanism: 'shutdown', names: ['device_shutdown', 'pci_device_shutdown', 'platform_shutdown', 'platform_drv_shutdown', 'i2c_device_shutdown'], stoppedBy: 'the driver\'s shutdown path' },
  { mechanism: 'bio-completion', names: ['bio_endio', 'req_bio_endio', 'blk_update_request', 'dec_pending', 'clone_endio'], stoppedBy: 'waiting for in-flight I/O before freeing' },
  { mechanism: 'urb-completion', names: ['__usb_hcd_giveback_urb', 'usb_hcd_giveback_urb', 'usb_giveback_urb_bh'], stoppedBy: 'usb_kill_urb() / usb_kill_anchored_urbs()' },
  { mechanism: 'napi', names: ['__napi_poll', 'napi_poll', 'net_rx_action'], stoppedBy: 'napi_disable() / netif_napi_del()' },
  { mechanism: 'socket-callback', names: ['sk_error_report', 'sock_def_readable', 'sk_data_ready', 'sock_def_wakeup', 'sk_state_change'], stoppedBy: 'restoring the socket callbacks before release' },
  { mechanism: 'netlink', names: ['netlink_rcv_skb', 'genl_rcv_msg', 'genl_family_rcv_msg*', 'genl_rcv', 'rtnetlink_rcv_msg', 'netlink_unicast_kernel'], stoppedBy: 'unregistering the netlink family' },
  { mechanism: 'ioctl', names: ['vfs_ioctl', 'do_vfs_ioctl', '__x64_sys_ioctl', '__se_sys_ioctl', '__do_sys_ioctl', 'drm_ioctl_kernel', 'compat_sys_ioctl', 'sock_do_ioctl', 'sock_ioctl'], stoppedBy: 'the driver\'s release path' },
  { mechanism: 'file-operation', names: ['vfs_write', 'vfs_read', '__vfs_write', '__vfs_read', 'new_sync_write', 'new_sync_read', 'proc_reg_write', 'proc_reg_read', 'full_proxy_write', 'full_proxy_read', 'seq_read', 'seq_read_iter', 'do_dentry_open', 'vfs_open', '__fput', 'do_mmap', 'mmap_region'], stoppedBy: 'the driver\'s release path' },
  { mechanism: 'sysfs', names: ['kernfs_fop_write', 'kernfs_fop_write_iter', 'sysfs_kf_write', 'kobj_attr_store', 'dev_attr_store', 'drv_attr_store', 'proc_sys_call_handler'], stoppedBy: 'removing the attribute before teardown' },
  { mechanism: 'initcall', names: ['do_one_initcall'], stoppedBy: 'the module\'s exit path' },
  { mechanism: 'kthread', names: ['kthread'], stoppedBy: 'kthread_stop()' },
  { mechanism: 'smp-call', names: ['flush_smp_call_function_queue', '__flush_smp_call_function_queue', 'generic_smp_call_function_single_interrupt', 'smp_call_function_interrupt', 'multi_cpu_stop', 'cpu_stopper_thread'], stoppedBy: 'waiting for the cross-CPU call' },
];

/** Locks of the oops/die machinery: recursion on one means a second fault while a fault was being reported. */
export const REPORTING_LOCKS: readonly string[] = ['die_lock', 'terminate_lock*', 'oops_lock', 'logbuf_lock', 'console_owner', 'console_sem', 'dump_lock', 'print_lock', 'die.lock', 'panic_lock'];

/** Debugging facilities whose own allocations and locks can create dependencies the code under test never has. */
export const DEBUG_FACILITIES: readonly string[] = ['kasan_*', '__kasan_*', 'stack_depot_*', 'kmemleak_*', '__create_object', 'create_object', '__alloc_object', 'debug_object_*', '__debug_object_*', 'kfence_*', 'kmsan_*', 'lockdep_*', 'set_track*', 'save_stack*', 'page_owner_*', '__set_page_owner', 'kcsan_*'];

/** How many bytes a function may have and still be a wrapper that only calls the next frame (no room for a loop or a lock region). */
export const WRAPPER_MAX_SIZE = 0x50;
