// What kernel functions mean to a diagnosis (data, not logic): return-to-user paths, sleeping calls, lock spinners...

/** Where a task goes back to user space (or checks for work before doing so) after a syscall or interrupt. */
export const RETURN_TO_USER: readonly RegExp[] = [
  /^sysret_(?:careful|signal|audit)$/,
  /^retint_(?:careful|signal|user|swapgs)$/,
  /^int_(?:careful|signal|ret_from_sys_call)$/,
  /^schedule_user$/,
  /^ret_from_sys_call$/,
  /^(?:syscall_)?exit_to_user_mode(?:_loop|_prepare)?$/,
  /^prepare_exit_to_usermode$/,
  /^exit_to_usermode(?:_loop)?$/,
  /^syscall_return_slowpath$/,
  /^irqentry_exit_to_user_mode$/,
  /^do_notify_resume$/,
  /^ret_to_user$/,
  /^work_pending$/,
];

/** Calls that may sleep: finding one under an atomic section means schedule() was reached while atomic. */
export const SLEEPING_CALLS: readonly RegExp[] = [
  /^kthread_stop$/,
  /^wait_for_completion\w*$/,
  /^schedule_timeout\w*$/,
  /^msleep\w*$/,
  /^usleep_range\w*$/,
  /^ssleep$/,
  /^mutex_lock\w*$/,
  /^__mutex_lock\w*$/,
  /^down(?:_read|_write|_interruptible|_killable|_timeout)?$/,
  /^rwsem_down_\w+$/,
  /^flush_work$/,
  /^flush_workqueue$/,
  /^cancel_(?:delayed_)?work_sync$/,
  /^synchronize_(?:rcu|net|srcu|sched)\w*$/,
  /^wait_event\w*$/,
  /^__wait_event\w*$/,
  /^wait_on_bit\w*$/,
  /^io_schedule\w*$/,
  /^cond_resched\w*$/,
  /^__cond_resched\w*$/,
  /^might_sleep$/,
  /^kmalloc$/,
  /^vmalloc$/,
  /^copy_(?:to|from)_user$/,
];

/** Functions that wait for a lock by spinning: the lock they wait for is their first argument (RDI on x86_64). */
export const LOCK_SPINNERS: readonly RegExp[] = [
  /^native_queued_spin_lock_slowpath$/,
  /^queued_spin_lock_slowpath$/,
  /^__pv_queued_spin_lock_slowpath$/,
  /^pv_queued_spin_lock_slowpath$/,
  /^_raw_spin_lock(?:_irq|_irqsave|_bh)?$/,
  /^__raw_spin_lock\w*$/,
  /^do_raw_spin_lock$/,
  /^_raw_(?:read|write)_lock(?:_irq|_irqsave|_bh)?$/,
  /^queued_(?:read|write)_lock_slowpath$/,
  /^__ticket_spin_lock$/,
  /^_spin_lock(?:_irq|_irqsave|_bh)?$/,
];

/** The panic() callers whose message is fixed, so the message can be inferred from a stack that shows only the call. */
export const PANIC_CALLERS: ReadonlyArray<{ caller: RegExp; message: string; when: string }> = [
  { caller: /^do_exit$/, message: 'Aiee, killing interrupt handler!', when: 'do_exit() found in_interrupt() true: the exiting task still had a softirq or hardirq count' },
  { caller: /^make_task_dead$/, message: 'Aiee, killing interrupt handler!', when: 'make_task_dead() found in_interrupt() true after an oops' },
  { caller: /^watchdog_overflow_callback$/, message: 'Hard LOCKUP', when: 'the NMI watchdog saw no timer interrupt on this CPU for the watchdog threshold' },
  { caller: /^watchdog_timer_fn(?:\.cold(?:\.\d+)?)?$/, message: 'softlockup: hung tasks', when: 'the soft lockup watchdog saw no scheduling on this CPU for the threshold' },
  { caller: /^oops_end$/, message: 'Fatal exception', when: 'an oops with panic_on_oops set' },
  { caller: /^check_hung_uninterruptible_tasks$/, message: 'hung_task: blocked tasks', when: 'a task stayed in D state past hung_task_timeout_secs with hung_task_panic set' },
];

/** Functions that run callbacks registered by other code; a fault inside them usually blames the callback's owner. */
export const CALLBACK_DISPATCHERS: ReadonlyArray<{ fn: RegExp; kind: 'timer' | 'hrtimer' | 'work' | 'rcu' | 'tasklet' | 'notifier' | 'irq' | 'kthread'; release: string }> = [
  { fn: /^(?:run_timer_softirq|__run_timers|expire_timers|call_timer_fn)$/, kind: 'timer', release: 'del_timer_sync() / timer_shutdown_sync()' },
  { fn: /^(?:__hrtimer_run_queues|__run_hrtimer)$/, kind: 'hrtimer', release: 'hrtimer_cancel()' },
  { fn: /^(?:process_one_work|worker_thread)$/, kind: 'work', release: 'cancel_work_sync() / cancel_delayed_work_sync() / destroy_workqueue()' },
  { fn: /^(?:rcu_do_batch|rcu_core|rcu_process_callbacks)$/, kind: 'rcu', release: 'rcu_barrier() before the module is freed' },
  { fn: /^(?:tasklet_action(?:_common)?|tasklet_hi_action)$/, kind: 'tasklet', release: 'tasklet_kill()' },
  { fn: /^(?:notifier_call_chain|__blocking_notifier_call_chain|atomic_notifier_call_chain|raw_notifier_call_chain)$/, kind: 'notifier', release: 'the matching *_unregister_notifier()' },
  { fn: /^(?:__handle_irq_event_percpu|handle_irq_event_percpu|handle_irq_event)$/, kind: 'irq', release: 'free_irq() / devm release order' },
];

/**
 * Functions known to run holding a lock, and functions that take the same lock: nesting them on one CPU self-deadlocks.
 * `heldWith`: how the holders take it (`irq`: with interrupts disabled, so an interrupt inside means they were re-enabled).
 */
export const LOCK_DOMAINS: ReadonlyArray<{ lock: string; holders: RegExp; takers: RegExp; heldWith: 'irq' | 'bh' | 'plain' | null }> = [
  {
    lock: 'timer base lock (timer_base->lock / tvec_base->lock)',
    holders: /^(?:run_timer_softirq|__run_timers|expire_timers)$/,
    takers: /^(?:lock_timer_base|mod_timer|add_timer|add_timer_on|del_timer|__mod_timer|try_to_del_timer_sync|timer_delete)$/,
    heldWith: 'irq',
  },
  {
    lock: 'hrtimer cpu_base lock',
    holders: /^(?:__hrtimer_run_queues|hrtimer_interrupt)$/,
    takers: /^(?:lock_hrtimer_base|hrtimer_start_range_ns|hrtimer_try_to_cancel)$/,
    heldWith: 'irq',
  },
  {
    lock: 'runqueue lock (rq->lock)',
    holders: /^(?:__schedule|scheduler_tick|try_to_wake_up)$/,
    takers: /^(?:task_rq_lock|__task_rq_lock|raw_spin_rq_lock_nested|_raw_spin_rq_lock)$/,
    heldWith: 'irq',
  },
  {
    lock: 'BFQ scheduler lock (bfqd->lock)',
    holders: /^(?:bfq_bio_merge|bfq_dispatch_request|bfq_insert_requests?|bfq_idle_slice_timer|bfq_exit_icq_bfqq|bfq_bic_update_cgroup)$/,
    takers: /^(?:bfq_finish_requeue_request|bfq_finish_request|bfq_bio_merge|bfq_dispatch_request|bfq_insert_requests?|bfq_idle_slice_timer|bfq_exit_icq_bfqq)$/,
    heldWith: 'irq',
  },
  // Seqlock writers (SEQLOCK_READERS names the readers that wait for them).
  {
    lock: 'timekeeper seqcount (tk_core.seq)',
    holders: /^(?:timekeeping_advance|update_wall_time|timekeeping_update\w{0,16}|do_settimeofday64|timekeeping_inject_offset|do_adjtimex|timekeeping_resume|timekeeping_suspend|change_clocksource|timekeeping_forward_now)$/,
    takers: /^$/,
    heldWith: 'irq',
  },
  {
    lock: 'jiffies seqlock (jiffies_lock / jiffies_seq)',
    holders: /^(?:tick_do_update_jiffies64|do_timer|tick_periodic|xtime_update)$/,
    takers: /^$/,
    heldWith: 'irq',
  },
  {
    lock: 'rename_lock',
    holders: /^(?:__d_move|d_move|d_exchange|d_splice_alias|__d_unalias)$/,
    takers: /^$/,
    heldWith: 'plain',
  },
  {
    lock: 'mount_lock',
    holders: /^(?:attach_recursive_mnt|umount_tree|do_umount|mnt_set_mountpoint|commit_tree|__detach_mounts|mntput_no_expire)$/,
    takers: /^$/,
    heldWith: 'plain',
  },
  {
    lock: 'console/logbuf lock',
    holders: /^(?:console_unlock|vprintk_emit)$/,
    takers: /^(?:console_lock|vprintk_emit|printk)$/,
    heldWith: null,
  },
];

/** Entry points of a module's exit path: code that runs on rmmod. */
export const MODULE_EXIT_PATH: readonly RegExp[] = [/^cleanup_module$/, /^\w+_(?:exit|cleanup|fini|remove|unload)$/, /^(?:SyS|sys|__x64_sys|__do_sys|__se_sys)_delete_module$/, /^free_module$/];

/** Functions that read another task's thread_info (->cpu, ->flags): a wild access there points at a corrupted thread_info. */
export const THREAD_INFO_READERS: readonly RegExp[] = [
  /^task_rq_lock$/,
  /^__task_rq_lock$/,
  /^try_to_wake_up$/,
  /^ttwu_\w+$/,
  /^set_task_cpu$/,
  /^task_cpu$/,
  /^wake_up_process$/,
  /^select_task_rq\w*$/,
  /^check_preempt_curr$/,
];

/** Messages every module prints on load; they say nothing about what the module was doing. */
export const MODULE_LOAD_NOISE: readonly RegExp[] = [
  /loading out-of-tree module taints kernel/,
  /module verification failed/,
  /module license '.{0,40}' taints kernel/,
  /Disabling lock debugging due to kernel taint/,
];

/** What a task exiting with a softirq/hardirq count does, by kernel version. */
export const EXIT_WITH_IRQ_COUNT: ReadonlyArray<{ range: { since?: string; before?: string }; panics: boolean; en: string; zh: string }> = [
  {
    range: { before: '5.17' },
    panics: true,
    en: 'do_exit() checks in_interrupt() and panics "Aiee, killing interrupt handler!"',
    zh: 'do_exit() 会检查 in_interrupt()，并 panic："Aiee, killing interrupt handler!"',
  },
  {
    // 5.17 moved the check into make_task_dead(), which only oopses reach.
    range: { since: '5.17' },
    panics: false,
    en: 'do_exit() no longer checks in_interrupt() (the check moved to make_task_dead(), reached only after an oops): the task exits, and the final schedule() in do_task_dead() reports "scheduling while atomic"',
    zh: 'do_exit() 不再检查 in_interrupt()（该检查已移到 make_task_dead()，只有 oops 之后才会走到）：任务正常退出，do_task_dead() 中最后一次 schedule() 报告 "scheduling while atomic"',
  },
];

/** Functions that wait for other CPUs to answer a cross-CPU call: a lockup there points at the CPU that does not answer. */
export const IPI_WAITERS: readonly RegExp[] = [
  /^smp_call_function_many(?:_cond)?$/,
  /^smp_call_function_single$/,
  /^csd_lock_wait\w*$/,
  /^__csd_lock_wait$/,
  /^on_each_cpu(?:_cond_mask|_mask)?$/,
  /^multi_cpu_stop$/,
  /^native_flush_tlb_multi$/,
  /^flush_tlb_others$/,
];

/**
 * Watchdogs and dump triggers that interrupt a CPU to report on it: a context made of them (and
 * the panic or kexec they call) is the detector, not what the CPU was doing.
 */
export const CPU_DETECTORS: readonly RegExp[] = [
  /^watchdog_overflow_callback$/,
  /^watchdog_timer_fn$/,
  /^softlockup_fn$/,
  /^rcu_sched_clock_irq$/,
  /^print_cpu_stall$/,
  /^check_cpu_stall$/,
  /^rcu_pending$/,
  /^crash_nmi_callback$/,
  /^nmi_cpu_backtrace(?:_handler)?$/,
  /^sysrq_handle_crash$/,
  /^crash_kexec$/,
  /^__crash_kexec$/,
];
