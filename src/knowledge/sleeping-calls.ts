// Calls that may sleep (data): what `ktriage check` says must not be made while atomic, and why.
// Each entry is the kernel's own function or macro name; `might_sleep()` in its body (or a sleeping
// lock, a wait, a GFP_KERNEL allocation) is why it is here.

/** Why a call sleeps: a phrase the finding uses ("it waits for ..."). */
export interface SleepingCall {
  /** The function or macro, or a pattern of a family of them. */
  name: string | RegExp;
  why: { en: string; zh: string };
  /** A call that, made anywhere in the files, means this one does not sleep (pm_runtime_irq_safe()). */
  unless?: string;
}

const WAIT = { en: 'it waits (sleeps) until woken', zh: '它会等待（睡眠）直到被唤醒' };
const SLEEP = { en: 'it sleeps for a while', zh: '它会睡眠一段时间' };
const SCHED = { en: 'it calls the scheduler', zh: '它会调用调度器' };
const LOCK = { en: 'it takes a sleeping lock', zh: '它会获取可睡眠的锁' };
const USER = { en: 'it touches user memory, which may fault and sleep', zh: '它访问用户态内存，可能缺页并睡眠' };
const ALLOC = { en: 'it allocates memory with GFP_KERNEL', zh: '它以 GFP_KERNEL 分配内存' };
const SYNC = { en: 'it waits for callbacks or other CPUs to finish', zh: '它会等待回调或其他 CPU 完成' };
const BUS = { en: 'it waits for a transfer on a bus that sleeps (USB, I2C, SPI, MDIO)', zh: '它会等待可睡眠总线（USB、I2C、SPI、MDIO）上的传输完成' };
const FW = { en: 'it loads a file and waits for it', zh: '它会加载文件并等待' };

const REGISTER = { en: 'it registers with (or leaves) a core subsystem, which takes a mutex and allocates with GFP_KERNEL', zh: '它向内核子系统注册（或注销），会获取互斥锁并以 GFP_KERNEL 分配内存' };

export const SLEEPING_CALLS: readonly SleepingCall[] = [
  // Sleeping for a time, and the scheduler itself.
  ...['msleep', 'msleep_interruptible', 'ssleep', 'usleep_range', 'usleep_range_state', 'usleep_idle_range'].map((name) => ({ name, why: SLEEP })),
  ...['schedule', 'io_schedule', 'yield', 'cond_resched', 'might_sleep', 'schedule_preempt_disabled'].map((name) => ({ name, why: SCHED })),
  { name: /^(?:io_)?schedule_(?:hr)?timeout(?:_\w+)?$/, why: SLEEP },
  // Sleeping locks not in the lock table's acquires (which are matched by family), and lock helpers that take one.
  ...['rtnl_lock', 'lock_sock', 'lock_sock_nested', 'lock_page', 'folio_lock', 'lock_buffer', 'wait_on_buffer', 'device_lock', 'console_lock', 'cpus_read_lock', 'get_online_cpus', 'mmap_read_lock', 'mmap_write_lock', 'inode_lock', 'inode_lock_shared', 'percpu_down_read', 'percpu_down_write', 'sdio_claim_host', 'mmc_claim_host', 'mutex_lock_io', 'ww_mutex_lock', 'ww_mutex_lock_interruptible'].map((name) => ({ name, why: LOCK })),
  // Waits.
  { name: /^wait_for_completion(?:_\w+)?$/, why: WAIT },
  { name: /^wait_event(?:_\w+)?$/, why: WAIT },
  { name: /^wait_var_event(?:_\w+)?$/, why: WAIT },
  { name: /^wait_on_bit(?:_\w+)?$/, why: WAIT },
  ...['wait_on_page_locked', 'wait_on_page_writeback', 'folio_wait_locked', 'folio_wait_writeback', 'sk_wait_data', 'kthread_park', 'kthread_stop', 'call_usermodehelper'].map((name) => ({ name, why: WAIT })),
  // Waiting for callbacks, work, timers, other CPUs.
  ...['flush_work', 'flush_delayed_work', 'flush_workqueue', 'drain_workqueue', 'flush_scheduled_work', 'destroy_workqueue', 'cancel_work_sync', 'cancel_delayed_work_sync', 'flush_rcu_work', 'kthread_flush_work', 'kthread_cancel_work_sync', 'kthread_cancel_delayed_work_sync', 'kthread_destroy_worker'].map((name) => ({ name, why: SYNC })),
  ...['synchronize_rcu', 'synchronize_rcu_expedited', 'synchronize_srcu', 'synchronize_srcu_expedited', 'synchronize_net', 'synchronize_irq', 'synchronize_sched', 'synchronize_rcu_tasks', 'rcu_barrier', 'srcu_barrier', 'free_irq', 'disable_irq', 'napi_disable', 'tasklet_kill', 'tasklet_disable', 'stop_machine'].map((name) => ({ name, why: SYNC })),
  // User memory.
  ...['copy_to_user', 'copy_from_user', 'get_user', 'put_user', 'clear_user', 'strncpy_from_user', 'strnlen_user', 'memdup_user', 'memdup_user_nul', 'vmemdup_user', 'copy_to_iter', 'copy_from_iter'].map((name) => ({ name, why: USER })),
  // Memory that is always allocated with GFP_KERNEL, and mappings.
  ...['vmalloc', 'vzalloc', 'vmalloc_user', 'vmalloc_node', 'vzalloc_node', 'vmalloc_32', 'vmap', 'kvmalloc_array_node'].map((name) => ({ name, why: ALLOC })),
  // Firmware and files.
  ...['request_firmware', 'request_firmware_direct', 'firmware_request_nowarn', 'request_firmware_into_buf', 'filp_open', 'filp_close', 'kernel_read', 'kernel_write', 'kernel_read_file_from_path'].map((name) => ({ name, why: FW })),
  // Buses that sleep.
  ...['usb_control_msg', 'usb_control_msg_send', 'usb_control_msg_recv', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_kill_urb', 'usb_poison_urb', 'usb_kill_anchored_urbs', 'usb_reset_device', 'usb_set_interface', 'usb_clear_halt', 'usb_autopm_get_interface', 'usb_get_descriptor', 'usb_string'].map((name) => ({ name, why: BUS })),
  ...['i2c_transfer', 'i2c_master_send', 'i2c_master_recv', 'i2c_smbus_xfer', 'spi_sync', 'spi_write', 'spi_read', 'spi_write_then_read', 'spi_sync_transfer', 'mdiobus_read', 'mdiobus_write', 'phy_read', 'phy_write', 'phy_read_mmd', 'phy_write_mmd'].map((name) => ({ name, why: BUS })),
  { name: /^i2c_smbus_(?:read|write)_\w+$/, why: BUS },
  // Runtime PM waits for the device to resume, unless the driver made its callbacks IRQ-safe.
  ...['pm_runtime_get_sync', 'pm_runtime_put_sync', 'pm_runtime_resume_and_get', 'pm_runtime_put_sync_suspend'].map((name) => ({ name, why: WAIT, unless: 'pm_runtime_irq_safe' })),
  // Clocks, regulators and GPIOs behind a sleeping bus take a mutex or wait for hardware.
  ...['clk_prepare', 'clk_prepare_enable', 'clk_unprepare', 'clk_disable_unprepare', 'clk_set_rate', 'regulator_enable', 'regulator_disable', 'gpiod_set_value_cansleep', 'gpiod_get_value_cansleep', 'gpio_set_value_cansleep', 'gpio_get_value_cansleep'].map((name) => ({ name, why: WAIT })),
  // Registering with a core (and going away from it) takes the core's mutex and allocates with GFP_KERNEL.
  ...['device_register', 'device_add', 'device_create', 'device_unregister', 'device_del', 'device_destroy', 'misc_register', 'misc_deregister', 'input_register_device', 'input_unregister_device',
    'register_netdev', 'unregister_netdev', 'register_netdevice_notifier', 'unregister_netdevice_notifier', 'platform_device_register', 'platform_device_unregister', 'platform_device_add',
    'sysfs_create_group', 'sysfs_remove_group', 'sysfs_create_file', 'sysfs_remove_file', 'debugfs_create_dir', 'debugfs_create_file', 'debugfs_remove', 'debugfs_remove_recursive',
    'proc_create', 'proc_create_data', 'proc_mkdir', 'remove_proc_entry', 'kobject_uevent', 'kobject_uevent_env', 'cdev_add', 'cdev_del', 'class_create', 'class_destroy',
    'snd_card_register', 'snd_card_free', 'led_classdev_register', 'led_classdev_unregister'].map((name) => ({ name, why: REGISTER })),
  // Creating threads and registering handlers allocate with GFP_KERNEL and wait.
  ...['kthread_create', 'kthread_run', 'kthread_create_on_node', 'request_irq', 'request_threaded_irq', 'alloc_workqueue', 'create_singlethread_workqueue', 'create_workqueue'].map((name) => ({ name, why: ALLOC })),
];

/** The calls named by `unless` above. */
export const SLEEP_EXCEPTIONS: ReadonlySet<string> = new Set(SLEEPING_CALLS.flatMap((c) => (c.unless ? [c.unless] : [])));

const EXACT: ReadonlyMap<string, SleepingCall> = new Map(SLEEPING_CALLS.filter((c) => typeof c.name === 'string').map((c) => [c.name as string, c]));
const PATTERNS: readonly SleepingCall[] = SLEEPING_CALLS.filter((c) => typeof c.name !== 'string');

/** Calls matching a pattern above that do not sleep: they test or try, and return at once. */
const NOT_SLEEPING = /^(?:try_wait_for_completion|wait_event_\w*_locked_irq|schedule_timeout_\w*_atomic)$|trylock|_nowait$|_atomic$/;

/** The entry that says the named call may sleep, if one does. */
export function sleepingCall(name: string): SleepingCall | null {
  const e = EXACT.get(name);
  if (e) return e;
  if (NOT_SLEEPING.test(name)) return null;
  return PATTERNS.find((c) => (c.name as RegExp).test(name)) ?? null;
}

/**
 * GFP flags that let an allocation reclaim memory, and so sleep (include/linux/gfp_types.h): GFP_KERNEL,
 * GFP_NOIO, GFP_NOFS, GFP_USER and GFP_HIGHUSER* all carry __GFP_DIRECT_RECLAIM; GFP_ATOMIC and GFP_NOWAIT do not.
 */
export const RECLAIM_GFP = /\b(?:GFP_KERNEL(?:_ACCOUNT)?|GFP_NOIO|GFP_NOFS|GFP_USER|GFP_HIGHUSER(?:_MOVABLE)?|GFP_TEMPORARY|__GFP_DIRECT_RECLAIM|__GFP_RECLAIM|__GFP_WAIT)\b/;
/** Flags that keep an allocation from sleeping, whatever else the argument says (`in_atomic() ? GFP_ATOMIC : GFP_KERNEL`, `~__GFP_DIRECT_RECLAIM`). */
export const NO_RECLAIM_GFP = /\bGFP_ATOMIC\b|\bGFP_NOWAIT\b|~|\?/;

export const GFP_WHY = { en: 'it may reclaim memory and sleep (its GFP flags allow direct reclaim)', zh: '它可能回收内存而睡眠（其 GFP 标志允许直接回收）' };

/** The GFP argument of a call that lets it sleep, if one does: any call given GFP_KERNEL (kmalloc, alloc_skb, usb_submit_urb...). */
export function reclaimGfp(args: readonly string[]): string | null {
  for (const a of args) if (RECLAIM_GFP.test(a) && !NO_RECLAIM_GFP.test(a)) return a.replace(/\s+/g, ' ').trim();
  return null;
}

/** Callbacks that run in atomic context because of how they are registered: the call, which argument is the callback, the context. */
const URB_COMPLETION = { en: 'a URB completion handler (interrupt context)', zh: 'URB 完成回调（中断上下文）' };

export const ATOMIC_CALLBACK_REGISTRARS: ReadonlyArray<{ call: string; arg: number; what: { en: string; zh: string } }> = [
  { call: 'timer_setup', arg: 1, what: { en: 'a timer callback (softirq context)', zh: '定时器回调（软中断上下文）' } },
  { call: 'setup_timer', arg: 1, what: { en: 'a timer callback (softirq context)', zh: '定时器回调（软中断上下文）' } },
  { call: 'setup_deferrable_timer', arg: 1, what: { en: 'a timer callback (softirq context)', zh: '定时器回调（软中断上下文）' } },
  { call: 'timer_setup_on_stack', arg: 1, what: { en: 'a timer callback (softirq context)', zh: '定时器回调（软中断上下文）' } },
  { call: 'DEFINE_TIMER', arg: 1, what: { en: 'a timer callback (softirq context)', zh: '定时器回调（软中断上下文）' } },
  { call: 'tasklet_init', arg: 1, what: { en: 'a tasklet (softirq context)', zh: 'tasklet（软中断上下文）' } },
  { call: 'tasklet_setup', arg: 1, what: { en: 'a tasklet (softirq context)', zh: 'tasklet（软中断上下文）' } },
  { call: 'DECLARE_TASKLET', arg: 1, what: { en: 'a tasklet (softirq context)', zh: 'tasklet（软中断上下文）' } },
  { call: 'DECLARE_TASKLET_OLD', arg: 1, what: { en: 'a tasklet (softirq context)', zh: 'tasklet（软中断上下文）' } },
  { call: 'netif_napi_add', arg: 2, what: { en: 'a NAPI poll function (softirq context)', zh: 'NAPI poll 函数（软中断上下文）' } },
  { call: 'netif_napi_add_weight', arg: 2, what: { en: 'a NAPI poll function (softirq context)', zh: 'NAPI poll 函数（软中断上下文）' } },
  { call: 'netif_napi_add_tx', arg: 2, what: { en: 'a NAPI poll function (softirq context)', zh: 'NAPI poll 函数（软中断上下文）' } },
  { call: 'netif_tx_napi_add', arg: 2, what: { en: 'a NAPI poll function (softirq context)', zh: 'NAPI poll 函数（软中断上下文）' } },
  { call: 'call_rcu', arg: 1, what: { en: 'an RCU callback (softirq context)', zh: 'RCU 回调（软中断上下文）' } },
  { call: 'request_irq', arg: 1, what: { en: 'a hard IRQ handler', zh: '硬中断处理函数' } },
  { call: 'devm_request_irq', arg: 2, what: { en: 'a hard IRQ handler', zh: '硬中断处理函数' } },
  // The threaded handler (the next argument) runs in a thread and may sleep; the primary one does not.
  { call: 'request_threaded_irq', arg: 1, what: { en: 'a hard IRQ handler', zh: '硬中断处理函数' } },
  { call: 'devm_request_threaded_irq', arg: 2, what: { en: 'a hard IRQ handler', zh: '硬中断处理函数' } },
  { call: 'request_percpu_irq', arg: 1, what: { en: 'a per-CPU IRQ handler', zh: '每 CPU 中断处理函数' } },
  { call: 'hrtimer_setup', arg: 1, what: { en: 'an hrtimer callback (hard IRQ context)', zh: 'hrtimer 回调（硬中断上下文）' } },
  // A URB's completion handler runs in interrupt context (or the HCD's BH tasklet): atomic either way.
  { call: 'usb_fill_bulk_urb', arg: 5, what: URB_COMPLETION },
  { call: 'usb_fill_int_urb', arg: 5, what: URB_COMPLETION },
  { call: 'usb_fill_control_urb', arg: 6, what: URB_COMPLETION },
];

/**
 * Operations a framework calls in atomic context, by the structure and field the driver fills in
 * (`static const struct snd_pcm_ops x = { .trigger = foo_trigger }`), as the framework documents it.
 * `unless`: text in the files that makes the framework call it where it may sleep.
 */
export const ATOMIC_OPERATIONS: ReadonlyArray<{
  struct: string;
  fields: readonly string[];
  what: { en: string; zh: string };
  unless?: RegExp;
  /** The field's name alone says which framework calls it: an assignment (`cb.irq_func = f;`) counts too. */
  assigned?: boolean;
  /**
   * Where `unless` is looked for: the struct's own module (its directory), or every file given (an ASoC
   * DAI's link is made nonatomic by the machine driver, in another directory).
   */
  unlessIn?: 'module' | 'files';
}> = [
  {
    struct: 'snd_pcm_ops',
    fields: ['trigger', 'pointer'],
    what: { en: 'an ALSA PCM trigger/pointer operation (the stream lock held, interrupts off)', zh: 'ALSA PCM trigger/pointer 操作（持有 stream 锁、关中断）' },
    // A PCM made nonatomic has these called from process context.
    unless: /\bnonatomic\s*=\s*(?:true|1)\b/,
  },
  // ASoC calls its components' and DAIs' triggers from the PCM trigger, in the same atomic context.
  { struct: 'snd_soc_component_driver', fields: ['trigger', 'pointer'], what: { en: 'an ASoC component trigger/pointer operation (called from the PCM trigger, the stream lock held)', zh: 'ASoC 组件 trigger/pointer 操作（在 PCM trigger 中调用、持有 stream 锁）' }, unless: /\bnonatomic\s*=\s*(?:true|1)\b/, unlessIn: 'files' },
  { struct: 'snd_soc_dai_ops', fields: ['trigger'], what: { en: 'an ASoC DAI trigger operation (called from the PCM trigger, the stream lock held)', zh: 'ASoC DAI trigger 操作（在 PCM trigger 中调用、持有 stream 锁）' }, unless: /\bnonatomic\s*=\s*(?:true|1)\b/, unlessIn: 'files' },
  { struct: 'net_device_ops', fields: ['ndo_start_xmit'], what: { en: 'a netdev transmit operation (bottom halves off, the TX queue lock held)', zh: '网卡发送操作（关下半部、持有 TX 队列锁）' }, assigned: true },
  { struct: 'pardev_cb', fields: ['irq_func'], what: { en: 'a parport interrupt callback (hard IRQ context)', zh: 'parport 中断回调（硬中断上下文）' }, assigned: true },
  { struct: 'net_device_ops', fields: ['ndo_set_rx_mode'], what: { en: 'a netdev RX mode operation (the address list lock held, bottom halves off)', zh: '网卡 RX 模式操作（持有地址表锁、关下半部）' } },
  { struct: 'net_device_ops', fields: ['ndo_tx_timeout'], what: { en: 'a netdev TX timeout operation (from the watchdog timer, the TX lock held)', zh: '网卡发送超时操作（在 watchdog 定时器中、持有 TX 锁）' } },
  { struct: 'uart_ops', fields: ['start_tx', 'stop_tx', 'stop_rx', 'set_mctrl', 'enable_ms'], what: { en: 'a serial core port operation (the port lock held, interrupts off)', zh: '串口核心端口操作（持有端口锁、关中断）' } },
  { struct: 'irq_chip', fields: ['irq_mask', 'irq_unmask', 'irq_ack', 'irq_eoi', 'irq_mask_ack', 'irq_set_type'], what: { en: 'an irq_chip operation (the IRQ descriptor\'s raw lock held, interrupts off)', zh: 'irq_chip 操作（持有中断描述符的 raw 锁、关中断）' } },
  { struct: 'console', fields: ['write'], what: { en: 'a console write operation (printk calls it from any context)', zh: '控制台写操作（printk 可在任意上下文中调用）' } },
];

/** Timer-deleting calls that wait for a running callback: from that callback itself they wait forever. */
export const TIMER_SYNC_DELETES: ReadonlySet<string> = new Set(['del_timer_sync', 'timer_delete_sync', 'timer_shutdown_sync', 'del_singleshot_timer_sync']);

/** Calls that read the device or the clock: a test of one polls, it is not the caller's choice. */
export const POLLED_READS = /read|^(?:in[bwl]_?p?|ioread\d{1,2}(?:be)?|time_(?:before|after)\w{0,8}|ktime_\w{1,24}|jiffies\w{0,16}|get_cycles|\w*_status|\w*poll\w*)$/i;
