// What the frequent WARN sites mean (data): the message or location of a WARNING, the bug it usually signals, and who it names.

import { tx as t, type Text } from './text';

type Class = 'use-after-free' | 'memory-corruption' | 'lock-imbalance' | 'irq-state-corruption' | 'dangling-callback-after-unload' | 'hardware' | 'other';

export interface WarnSite {
  id: string;
  /** Matched against the report's lines (the message printed just before or after the WARNING line). */
  message?: RegExp;
  /** Matched against the WARNING line's location: file and function. */
  at?: RegExp;
  cls: Class;
  confidence: number;
  /** What the check found, as a headline that starts a sentence. */
  what: Text;
  meaning: Text;
  next: Text;
  /**
   * The message names the responsible code: capture groups of `message` that hold a function (printed as
   * `func+0x1/0x2 [mod]`) or a module/driver. Used before the stack, since the stack is the checker's.
   */
  names?: { function?: number; module?: number };
}

export const WARN_SITES: readonly WarnSite[] = [
  {
    id: 'refcount-uaf', message: /refcount_t: (?:increment on 0|addition on 0|underflow|decrement hit 0)/, cls: 'use-after-free', confidence: 0.78,
    what: t('refcount_t went from 0 or below 0', 'refcount_t 从 0 增加或减到 0 以下'),
    meaning: t('A reference was taken on an object whose count had already dropped to zero (it is being or has been freed), or one put too many was done: a get/put imbalance that ends in a use-after-free.', '对一个引用计数已经降到 0 的对象（正在或已经被释放）又取了引用，或者多做了一次 put：get/put 不配对，最终就是释放后使用。'),
    next: t('List every get and put of this object type (grep for the refcount field, *_get/*_put/*_hold/*_release helpers) on the paths in the stack; the extra put is usually on an error path. CONFIG_REF_TRACKER or a debug print in get/put with the caller (%pS, __builtin_return_address(0)) shows the unbalanced pair.', '在调用栈涉及的路径上列出该类对象的每一次 get 和 put（grep 引用计数字段以及 *_get/*_put/*_hold/*_release 辅助函数）；多出来的 put 通常在错误分支上。打开 CONFIG_REF_TRACKER，或者在 get/put 中打印调用者（%pS、__builtin_return_address(0)），可以找出不配对的那一对。'),
  },
  {
    id: 'refcount-saturated', message: /refcount_t: saturated|refcount_t: (?:addition|increment) on (?:saturated|overflow)/, cls: 'other', confidence: 0.7,
    what: t('refcount_t saturated', 'refcount_t 饱和'),
    meaning: t('The counter overflowed and was pinned at saturation: references are taken and never dropped (a leak of gets), so the object will never be freed.', '计数器溢出后被钉在饱和值：引用只取不放（get 泄漏），对象永远不会被释放。'),
    next: t('Find the get without its put: a loop or a retry path that takes a reference each time.', '找出没有配对 put 的 get：通常是每次循环或重试都取一次引用的路径。'),
  },
  {
    id: 'odebug-free-active', message: /ODEBUG: (?:free|destroy) active|ODEBUG: .*free active/, cls: 'use-after-free', confidence: 0.78,
    what: t('ODEBUG: an object was freed while still active', 'ODEBUG：对象在仍处于活动状态时被释放'),
    meaning: t('The debugobjects checker saw memory freed that still contains an active timer, work item or other tracked object: it will fire on freed memory later.', 'debugobjects 发现被释放的内存里还有处于活动状态的定时器、工作项或其他被跟踪对象：之后它会在已释放的内存上触发。'),
    next: t('Cancel the named object (del_timer_sync()/cancel_work_sync()/hrtimer_cancel()) before freeing its container, on every teardown and error path.', '在每条拆除路径和错误路径上，释放外层结构之前先取消报告中的对象（del_timer_sync()/cancel_work_sync()/hrtimer_cancel()）。'),
  },
  {
    id: 'odebug', message: /ODEBUG: (?:activate|init|assert|deactivate|destroy|object)/, cls: 'use-after-free', confidence: 0.65,
    what: t('ODEBUG: a tracked object was used in the wrong state', 'ODEBUG：被跟踪对象在错误的状态下被使用'),
    meaning: t('The debugobjects checker saw a timer, work item or RCU head activated, initialised or asserted in a state it cannot be in: usually an object reused after free or initialised twice while active.', 'debugobjects 发现定时器/工作项/rcu head 在不可能的状态下被激活、初始化或断言：通常是对象释放后被重用，或在活动时被重复初始化。'),
    next: t('Read the ODEBUG line: object type and hint (the callback) name the object and its owner.', '看 ODEBUG 那一行：object type 和 hint（回调函数）给出了对象及其所有者。'),
  },
  {
    id: 'kobject', message: /kobject[: ].*(?:is not initialized|already initialized|has no release\(\) function|tried to init an initialized object)|kobject_add_internal failed/, at: /lib\/kobject\.c|kobject_\w+/, cls: 'other', confidence: 0.7,
    what: t('A kobject was used against its lifetime rules', 'kobject 的使用违反了其生命周期规则'),
    meaning: t('A kobject was used before kobject_init(), initialised twice, added twice, or has no release(): a device or sysfs object registered in the wrong order or re-registered after a failed unregister.', 'kobject 在 kobject_init() 之前被使用、被初始化两次、被添加两次，或者没有 release()：设备或 sysfs 对象的注册顺序错误，或注销失败后又被重新注册。'),
    next: t('Check the register/unregister pairing of the device in the stack, especially the error path of its probe or add function.', '检查调用栈中该设备的注册/注销配对，尤其是 probe 或 add 函数的错误分支。'),
  },
  {
    id: 'alloc-order', at: /mm\/page_alloc\.c|__alloc_pages|mm\/slab_common\.c|kmalloc_slab|kmalloc_large|kvmalloc_node|mm\/util\.c/, cls: 'other', confidence: 0.65,
    what: t('An allocation larger than the allocator supports', '申请的内存超过分配器支持的大小'),
    meaning: t('The page allocator warns when the requested order is above MAX_ORDER (or kmalloc/kvmalloc on a size beyond INT_MAX): the size came from a caller that did not bound it, usually from user input.', '请求的 order 超过 MAX_ORDER（或 kmalloc/kvmalloc 的大小超过 INT_MAX）时分配器会告警：调用者没有限制大小，通常大小来自用户输入。'),
    next: t('Find the size argument in the first non-allocator frame and bound it (return -EINVAL/-E2BIG), or use kvmalloc() with __GFP_NOWARN where large sizes are legitimate.', '在第一个非分配器的帧里找到大小参数并加上限制（返回 -EINVAL/-E2BIG）；确实需要大块内存时用 kvmalloc() 并加 __GFP_NOWARN。'),
  },
  {
    id: 'netdev-watchdog', message: /NETDEV WATCHDOG: (?:CPU: \d{1,4}: )?(\S{1,32}) \(([\w-]{1,64})\): transmit (?:queue \d{1,5} )?timed out/, at: /dev_watchdog/, cls: 'hardware', confidence: 0.6, names: { module: 2 },
    what: t('A network transmit queue stalled', '网卡发送队列停滞'),
    meaning: t('The stack found a TX queue stopped for longer than the driver\'s watchdog timeout: the NIC stopped completing transmissions. A hung NIC or PCIe link, firmware, or a driver that stopped the queue and never woke it (lost completion interrupt).', '协议栈发现某个发送队列停止的时间超过了驱动的 watchdog 超时：网卡不再完成发送。可能是网卡或 PCIe 链路挂死、固件问题，或者驱动停掉了队列却再也没有唤醒（丢失了完成中断）。'),
    next: t('Check the driver\'s tx_timeout messages, ethtool -S counters, dmesg for PCIe AER / link down, firmware version; if it repeats, update the driver/firmware.', '查看驱动 tx_timeout 打印的信息、ethtool -S 计数、dmesg 中的 PCIe AER / link down，以及固件版本；反复出现时升级驱动/固件。'),
  },
  {
    id: 'suspicious-rcu', message: /suspicious RCU usage|suspicious rcu_dereference/, cls: 'other', confidence: 0.6,
    what: t('An RCU-protected pointer was read without the required protection', '在没有必要保护的情况下读取了 RCU 保护的指针'),
    meaning: t('An RCU-protected pointer was read with rcu_dereference*() outside rcu_read_lock() and without the lock its annotation names: the pointer can be freed under the reader, a use-after-free window.', '在 rcu_read_lock() 之外、也没有持有注解要求的锁时调用了 rcu_dereference*()：指针可能在读者使用期间被释放，存在释放后使用的窗口。'),
    next: t('Wrap the access in rcu_read_lock()/rcu_read_unlock() or hold the lock, or use rcu_dereference_protected() with the correct lockdep condition.', '用 rcu_read_lock()/rcu_read_unlock() 包住访问或持有相应的锁，或者用带正确 lockdep 条件的 rcu_dereference_protected()。'),
  },
  {
    id: 'smp-processor-id', message: /using smp_processor_id\(\) in preemptible|using __this_cpu_\w+\(\) in preemptible/, cls: 'other', confidence: 0.65,
    what: t('A per-CPU access in preemptible context', '在可抢占上下文中访问 per-CPU 数据'),
    meaning: t('The task can migrate between reading the CPU number and using it: the per-CPU data of another CPU may be modified concurrently.', '任务在读取 CPU 号和使用它之间可能被迁移：可能并发修改了另一个 CPU 的 per-CPU 数据。'),
    next: t('Disable preemption around the access (get_cpu()/put_cpu(), this_cpu_* ops) or use raw_smp_processor_id() if the value is only a hint.', '在访问前后关闭抢占（get_cpu()/put_cpu()、this_cpu_* 操作），如果该值只是提示用途就用 raw_smp_processor_id()。'),
  },
  {
    id: 'initcall-imbalance', message: /initcall ([A-Za-z_][\w.]{0,127})\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}(?: \[([\w-]{1,64})\])? returned with preemption imbalance/, cls: 'lock-imbalance', confidence: 0.8, names: { function: 1, module: 2 },
    what: t('An init function returned with preemption still disabled', '初始化函数返回时抢占仍处于关闭状态'),
    meaning: t('do_one_initcall() compares the preempt count before and after the init function: it returned with a spin lock still held, or a preempt_disable()/get_cpu() without its pair, on some path.', 'do_one_initcall() 会比较初始化函数调用前后的 preempt count：它在某条路径上返回时仍持有自旋锁，或者 preempt_disable()/get_cpu() 没有配对。'),
    next: t('Read every return path of the init function named in the message: each spin_lock()/preempt_disable()/get_cpu() needs its unlock on the error paths too.', '阅读消息中点名的初始化函数的每条返回路径：每个 spin_lock()/preempt_disable()/get_cpu() 在错误分支上也要有对应的释放。'),
  },
  {
    id: 'initcall-irqs-off', message: /initcall ([A-Za-z_][\w.]{0,127})\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}(?: \[([\w-]{1,64})\])? returned with disabled interrupts/, cls: 'irq-state-corruption', confidence: 0.8, names: { function: 1, module: 2 },
    what: t('An init function returned with interrupts disabled', '初始化函数返回时中断仍处于关闭状态'),
    meaning: t('The init function left interrupts off: a local_irq_disable() or spin_lock_irqsave() without its restore on some path.', '初始化函数让中断保持关闭：某条路径上的 local_irq_disable() 或 spin_lock_irqsave() 没有恢复。'),
    next: t('Read every return path of the init function named in the message for an irq-disabling lock or local_irq_disable() without its pair.', '阅读消息中点名的初始化函数的每条返回路径，找没有配对的关中断锁或 local_irq_disable()。'),
  },
  {
    id: 'dma-api', message: /^(\w[\w-]{0,63}) [\w:.-]{1,40}: DMA-API: /, at: /dma-debug\.c|debug_dma_|check_unmap|check_sync/, cls: 'memory-corruption', confidence: 0.7, names: { module: 1 },
    what: t('A driver misused the DMA API', '驱动错误使用了 DMA API'),
    meaning: t('CONFIG_DMA_API_DEBUG caught the driver named in the message freeing or syncing a DMA buffer it did not map, with the wrong size or direction, or twice: the device may write to memory the kernel has reused.', 'CONFIG_DMA_API_DEBUG 抓到消息中点名的驱动释放或同步了它没有映射的 DMA 缓冲区，或者大小、方向不对，或者重复操作：设备可能会写入内核已经重新使用的内存。'),
    next: t('Match every dma_map_*() of that driver with its dma_unmap_*() (same size and direction), on the error and teardown paths too.', '把该驱动的每个 dma_map_*() 与 dma_unmap_*()（相同的大小和方向）一一对应，错误分支和拆除路径上也要如此。'),
  },
  {
    id: 'free-irq-twice', message: /Trying to free already-free IRQ \d{1,6}/, at: /__free_irq|free_irq/, cls: 'other', confidence: 0.7,
    what: t('An IRQ was freed twice', '中断被释放了两次'),
    meaning: t('free_irq() was called for a handler that is not registered: a second teardown of the same device (remove after a failed probe, or two cleanup paths).', '对一个并未注册的处理函数调用了 free_irq()：同一设备被拆除了两次（probe 失败后又走 remove，或者有两条清理路径）。'),
    next: t('Make the driver\'s teardown free the IRQ once: track whether request_irq() succeeded, or use devm_request_irq().', '让驱动的拆除流程只释放一次中断：记录 request_irq() 是否成功，或者改用 devm_request_irq()。'),
  },
];
