// What a module arms or registers that must be undone before it is unloaded (or its device removed), and
// the calls that undo it (data): timers, work, tasklets, threads, workqueues, IRQ handlers, notifiers,
// proc/debugfs/sysfs entries, netdevices, character devices and drivers.

import type { L10n } from '../rules/types';

export type TeardownKind =
  | 'timer'
  | 'hrtimer'
  | 'work'
  | 'delayed-work'
  | 'tasklet'
  | 'kthread'
  | 'workqueue'
  | 'irq'
  | 'notifier'
  | 'proc'
  | 'debugfs'
  | 'sysfs'
  | 'netdev'
  | 'misc'
  | 'chrdev'
  | 'cdev'
  | 'driver'
  | 'device'
  | 'class'
  | 'filesystem';

export interface ArmCall {
  call: string;
  kind: TeardownKind;
  /** Which argument is the object (0-based), or `ret`: the variable the result is assigned to (`t = kthread_run(...)`). */
  obj: number | 'ret';
  /** Only initialises (timer_setup, INIT_WORK): the object is armed by another call of the kind. */
  initOnly?: boolean;
  /** The argument that is the callback (timer_setup's function, kthread_run's thread function). */
  callback?: number;
  /** queue_work(wq, &w): the workqueue the work goes on (its flush or destroy waits for the work). */
  wq?: number;
  /** A second identity of the object: request_irq's dev_id (free_irq(irq, dev_id)). */
  data?: number;
  /** proc/debugfs: the parent directory argument; sysfs: the device or kobject the entry is made on. */
  parent?: number;
  /** proc/debugfs: the name argument (remove_proc_entry(name, parent), debugfs_lookup_and_remove(name, parent)). */
  name?: number;
  /** The call that undoes it, named in the help. */
  undo: string;
}

export interface UndoCall {
  call: string;
  kinds: readonly TeardownKind[];
  /** Which argument is the object; null: no object (flush_scheduled_work() waits for every work of the system queue). */
  obj: number | null;
  /** Another argument that may name it: free_irq()'s dev_id, remove_proc_entry()'s parent. */
  alt?: number;
  /** Waits for a callback that is running (del_timer_sync, cancel_work_sync); del_timer() and cancel_work() do not. */
  sync: boolean;
  /** The object is a name (remove_proc_entry("foo", parent)). */
  byName?: boolean;
  /** Removes what is under the object too (debugfs_remove_recursive, remove_proc_subtree, proc_remove). */
  recursive?: boolean;
  /** Undoes a workqueue: every work queued on it is waited for (destroy_workqueue, flush_workqueue). */
  drainsQueue?: boolean;
}

const timerUndo = 'del_timer_sync';

export const ARM_CALLS: readonly ArmCall[] = [
  // Timers: set up, then armed.
  { call: 'timer_setup', kind: 'timer', obj: 0, initOnly: true, callback: 1, undo: timerUndo },
  { call: 'setup_timer', kind: 'timer', obj: 0, initOnly: true, callback: 1, undo: timerUndo },
  { call: 'setup_deferrable_timer', kind: 'timer', obj: 0, initOnly: true, callback: 1, undo: timerUndo },
  { call: 'init_timer', kind: 'timer', obj: 0, initOnly: true, undo: timerUndo },
  { call: 'timer_setup_on_stack', kind: 'timer', obj: 0, initOnly: true, callback: 1, undo: timerUndo },
  { call: 'mod_timer', kind: 'timer', obj: 0, undo: timerUndo },
  { call: 'add_timer', kind: 'timer', obj: 0, undo: timerUndo },
  { call: 'add_timer_on', kind: 'timer', obj: 0, undo: timerUndo },
  { call: 'timer_reduce', kind: 'timer', obj: 0, undo: timerUndo },
  { call: 'mod_timer_pending', kind: 'timer', obj: 0, undo: timerUndo },
  // High-resolution timers.
  { call: 'hrtimer_init', kind: 'hrtimer', obj: 0, initOnly: true, undo: 'hrtimer_cancel' },
  { call: 'hrtimer_setup', kind: 'hrtimer', obj: 0, initOnly: true, callback: 1, undo: 'hrtimer_cancel' },
  { call: 'hrtimer_start', kind: 'hrtimer', obj: 0, undo: 'hrtimer_cancel' },
  { call: 'hrtimer_start_range_ns', kind: 'hrtimer', obj: 0, undo: 'hrtimer_cancel' },
  { call: 'hrtimer_start_expires', kind: 'hrtimer', obj: 0, undo: 'hrtimer_cancel' },
  { call: 'hrtimer_restart', kind: 'hrtimer', obj: 0, undo: 'hrtimer_cancel' },
  // Work items.
  { call: 'INIT_WORK', kind: 'work', obj: 0, initOnly: true, callback: 1, undo: 'cancel_work_sync' },
  { call: '__INIT_WORK', kind: 'work', obj: 0, initOnly: true, callback: 1, undo: 'cancel_work_sync' },
  { call: 'INIT_DELAYED_WORK', kind: 'delayed-work', obj: 0, initOnly: true, callback: 1, undo: 'cancel_delayed_work_sync' },
  { call: 'INIT_DEFERRABLE_WORK', kind: 'delayed-work', obj: 0, initOnly: true, callback: 1, undo: 'cancel_delayed_work_sync' },
  { call: 'schedule_work', kind: 'work', obj: 0, undo: 'cancel_work_sync' },
  { call: 'schedule_work_on', kind: 'work', obj: 1, undo: 'cancel_work_sync' },
  { call: 'queue_work', kind: 'work', obj: 1, wq: 0, undo: 'cancel_work_sync' },
  { call: 'queue_work_on', kind: 'work', obj: 2, wq: 1, undo: 'cancel_work_sync' },
  { call: 'schedule_delayed_work', kind: 'delayed-work', obj: 0, undo: 'cancel_delayed_work_sync' },
  { call: 'schedule_delayed_work_on', kind: 'delayed-work', obj: 1, undo: 'cancel_delayed_work_sync' },
  { call: 'queue_delayed_work', kind: 'delayed-work', obj: 1, wq: 0, undo: 'cancel_delayed_work_sync' },
  { call: 'queue_delayed_work_on', kind: 'delayed-work', obj: 2, wq: 1, undo: 'cancel_delayed_work_sync' },
  { call: 'mod_delayed_work', kind: 'delayed-work', obj: 1, wq: 0, undo: 'cancel_delayed_work_sync' },
  { call: 'mod_delayed_work_on', kind: 'delayed-work', obj: 2, wq: 1, undo: 'cancel_delayed_work_sync' },
  // Tasklets.
  { call: 'tasklet_init', kind: 'tasklet', obj: 0, initOnly: true, callback: 1, undo: 'tasklet_kill' },
  { call: 'tasklet_setup', kind: 'tasklet', obj: 0, initOnly: true, callback: 1, undo: 'tasklet_kill' },
  { call: 'tasklet_schedule', kind: 'tasklet', obj: 0, undo: 'tasklet_kill' },
  { call: 'tasklet_hi_schedule', kind: 'tasklet', obj: 0, undo: 'tasklet_kill' },
  // Kernel threads: the task is what the call returns.
  { call: 'kthread_run', kind: 'kthread', obj: 'ret', callback: 0, undo: 'kthread_stop' },
  { call: 'kthread_create', kind: 'kthread', obj: 'ret', callback: 0, undo: 'kthread_stop' },
  { call: 'kthread_run_on_cpu', kind: 'kthread', obj: 'ret', callback: 0, undo: 'kthread_stop' },
  { call: 'kthread_create_on_node', kind: 'kthread', obj: 'ret', callback: 0, undo: 'kthread_stop' },
  { call: 'kthread_create_on_cpu', kind: 'kthread', obj: 'ret', callback: 0, undo: 'kthread_stop' },
  // Workqueues.
  { call: 'alloc_workqueue', kind: 'workqueue', obj: 'ret', undo: 'destroy_workqueue' },
  { call: 'alloc_ordered_workqueue', kind: 'workqueue', obj: 'ret', undo: 'destroy_workqueue' },
  { call: 'create_workqueue', kind: 'workqueue', obj: 'ret', undo: 'destroy_workqueue' },
  { call: 'create_singlethread_workqueue', kind: 'workqueue', obj: 'ret', undo: 'destroy_workqueue' },
  { call: 'create_freezable_workqueue', kind: 'workqueue', obj: 'ret', undo: 'destroy_workqueue' },
  // Interrupt handlers: the number, and the dev_id free_irq() is given.
  { call: 'request_irq', kind: 'irq', obj: 0, data: 4, callback: 1, undo: 'free_irq' },
  { call: 'request_threaded_irq', kind: 'irq', obj: 0, data: 5, callback: 1, undo: 'free_irq' },
  { call: 'request_any_context_irq', kind: 'irq', obj: 0, data: 4, callback: 1, undo: 'free_irq' },
  { call: 'request_percpu_irq', kind: 'irq', obj: 0, data: 3, callback: 1, undo: 'free_percpu_irq' },
  { call: 'pci_request_irq', kind: 'irq', obj: 1, data: 4, callback: 2, undo: 'pci_free_irq' },
  // proc entries: by name under a parent, or by what the call returned.
  { call: 'proc_create', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_create_data', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_create_seq', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_create_seq_data', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_create_single', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_create_single_data', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_create_seq_private', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_mkdir', kind: 'proc', obj: 'ret', name: 0, parent: 1, undo: 'remove_proc_entry' },
  { call: 'proc_mkdir_data', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_mkdir_mode', kind: 'proc', obj: 'ret', name: 0, parent: 2, undo: 'remove_proc_entry' },
  { call: 'proc_symlink', kind: 'proc', obj: 'ret', name: 0, parent: 1, undo: 'remove_proc_entry' },
  // debugfs entries: by what the call returned, or under the parent removed recursively.
  { call: 'debugfs_create_dir', kind: 'debugfs', obj: 'ret', name: 0, parent: 1, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_file', kind: 'debugfs', obj: 'ret', name: 0, parent: 2, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_file_unsafe', kind: 'debugfs', obj: 'ret', name: 0, parent: 2, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_file_size', kind: 'debugfs', obj: 'ret', name: 0, parent: 2, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_symlink', kind: 'debugfs', obj: 'ret', name: 0, parent: 1, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_devm_seqfile', kind: 'debugfs', obj: 'ret', name: 1, parent: 2, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_regset32', kind: 'debugfs', obj: 'ret', name: 0, parent: 2, undo: 'debugfs_remove_recursive' },
  { call: 'debugfs_create_blob', kind: 'debugfs', obj: 'ret', name: 0, parent: 2, undo: 'debugfs_remove_recursive' },
  // sysfs entries on a device or kobject: the attribute or group is the object.
  { call: 'device_create_file', kind: 'sysfs', obj: 1, parent: 0, undo: 'device_remove_file' },
  { call: 'device_add_groups', kind: 'sysfs', obj: 1, parent: 0, undo: 'device_remove_groups' },
  { call: 'device_add_group', kind: 'sysfs', obj: 1, parent: 0, undo: 'device_remove_group' },
  { call: 'device_create_bin_file', kind: 'sysfs', obj: 1, parent: 0, undo: 'device_remove_bin_file' },
  { call: 'sysfs_create_group', kind: 'sysfs', obj: 1, parent: 0, undo: 'sysfs_remove_group' },
  { call: 'sysfs_create_groups', kind: 'sysfs', obj: 1, parent: 0, undo: 'sysfs_remove_groups' },
  { call: 'sysfs_create_file', kind: 'sysfs', obj: 1, parent: 0, undo: 'sysfs_remove_file' },
  { call: 'sysfs_create_files', kind: 'sysfs', obj: 1, parent: 0, undo: 'sysfs_remove_files' },
  { call: 'sysfs_create_bin_file', kind: 'sysfs', obj: 1, parent: 0, undo: 'sysfs_remove_bin_file' },
  { call: 'sysfs_create_link', kind: 'sysfs', obj: 2, parent: 0, undo: 'sysfs_remove_link' },
  // Network devices.
  { call: 'register_netdev', kind: 'netdev', obj: 0, undo: 'unregister_netdev' },
  { call: 'register_netdevice', kind: 'netdev', obj: 0, undo: 'unregister_netdevice' },
  // Character devices.
  { call: 'misc_register', kind: 'misc', obj: 0, undo: 'misc_deregister' },
  { call: 'register_chrdev', kind: 'chrdev', obj: 1, data: 0, undo: 'unregister_chrdev' },
  { call: '__register_chrdev', kind: 'chrdev', obj: 3, data: 0, undo: '__unregister_chrdev' },
  { call: 'cdev_add', kind: 'cdev', obj: 0, undo: 'cdev_del' },
  { call: 'cdev_device_add', kind: 'cdev', obj: 0, undo: 'cdev_device_del' },
  // Drivers, devices, classes and filesystems a module registers: their callbacks are its text.
  { call: 'platform_driver_register', kind: 'driver', obj: 0, undo: 'platform_driver_unregister' },
  { call: '__platform_driver_register', kind: 'driver', obj: 0, undo: 'platform_driver_unregister' },
  { call: 'platform_register_drivers', kind: 'driver', obj: 0, undo: 'platform_unregister_drivers' },
  { call: 'pci_register_driver', kind: 'driver', obj: 0, undo: 'pci_unregister_driver' },
  { call: 'usb_register', kind: 'driver', obj: 0, undo: 'usb_deregister' },
  { call: 'usb_register_driver', kind: 'driver', obj: 0, undo: 'usb_deregister' },
  { call: 'usb_register_device_driver', kind: 'driver', obj: 0, undo: 'usb_deregister_device_driver' },
  { call: 'usb_serial_register_drivers', kind: 'driver', obj: 0, undo: 'usb_serial_deregister_drivers' },
  { call: 'usb_gadget_register_driver', kind: 'driver', obj: 0, undo: 'usb_gadget_unregister_driver' },
  { call: 'usb_composite_probe', kind: 'driver', obj: 0, undo: 'usb_composite_unregister' },
  { call: 'i2c_add_driver', kind: 'driver', obj: 0, undo: 'i2c_del_driver' },
  { call: 'i2c_register_driver', kind: 'driver', obj: 1, undo: 'i2c_del_driver' },
  { call: 'spi_register_driver', kind: 'driver', obj: 0, undo: 'spi_unregister_driver' },
  { call: 'serio_register_driver', kind: 'driver', obj: 0, undo: 'serio_unregister_driver' },
  { call: 'hid_register_driver', kind: 'driver', obj: 0, undo: 'hid_unregister_driver' },
  { call: 'tty_register_driver', kind: 'driver', obj: 0, undo: 'tty_unregister_driver' },
  { call: 'uart_register_driver', kind: 'driver', obj: 0, undo: 'uart_unregister_driver' },
  { call: 'driver_register', kind: 'driver', obj: 0, undo: 'driver_unregister' },
  { call: 'platform_device_register', kind: 'device', obj: 0, undo: 'platform_device_unregister' },
  { call: 'class_register', kind: 'class', obj: 0, undo: 'class_unregister' },
  { call: 'register_filesystem', kind: 'filesystem', obj: 0, undo: 'unregister_filesystem' },
];

export const UNDO_CALLS: readonly UndoCall[] = [
  { call: 'del_timer_sync', kinds: ['timer'], obj: 0, sync: true },
  { call: 'timer_delete_sync', kinds: ['timer'], obj: 0, sync: true },
  { call: 'timer_shutdown_sync', kinds: ['timer'], obj: 0, sync: true },
  { call: 'del_singleshot_timer_sync', kinds: ['timer'], obj: 0, sync: true },
  { call: 'del_timer', kinds: ['timer'], obj: 0, sync: false },
  { call: 'timer_delete', kinds: ['timer'], obj: 0, sync: false },
  { call: 'timer_shutdown', kinds: ['timer'], obj: 0, sync: false },
  { call: 'try_to_del_timer_sync', kinds: ['timer'], obj: 0, sync: false },
  { call: 'hrtimer_cancel', kinds: ['hrtimer'], obj: 0, sync: true },
  { call: 'hrtimer_try_to_cancel', kinds: ['hrtimer'], obj: 0, sync: false },
  { call: 'cancel_work_sync', kinds: ['work', 'delayed-work'], obj: 0, sync: true },
  { call: 'cancel_delayed_work_sync', kinds: ['delayed-work', 'work'], obj: 0, sync: true },
  { call: 'flush_work', kinds: ['work', 'delayed-work'], obj: 0, sync: true },
  { call: 'flush_delayed_work', kinds: ['delayed-work', 'work'], obj: 0, sync: true },
  { call: 'disable_work_sync', kinds: ['work'], obj: 0, sync: true },
  { call: 'disable_delayed_work_sync', kinds: ['delayed-work'], obj: 0, sync: true },
  { call: 'cancel_work', kinds: ['work'], obj: 0, sync: false },
  { call: 'cancel_delayed_work', kinds: ['delayed-work'], obj: 0, sync: false },
  { call: 'flush_scheduled_work', kinds: ['work', 'delayed-work'], obj: null, sync: true },
  { call: 'destroy_workqueue', kinds: ['workqueue'], obj: 0, sync: true, drainsQueue: true },
  { call: 'flush_workqueue', kinds: ['workqueue'], obj: 0, sync: true, drainsQueue: true },
  { call: 'drain_workqueue', kinds: ['workqueue'], obj: 0, sync: true, drainsQueue: true },
  { call: 'tasklet_kill', kinds: ['tasklet'], obj: 0, sync: true },
  { call: 'kthread_stop', kinds: ['kthread'], obj: 0, sync: true },
  { call: 'kthread_stop_put', kinds: ['kthread'], obj: 0, sync: true },
  { call: 'free_irq', kinds: ['irq'], obj: 0, alt: 1, sync: true },
  { call: 'free_percpu_irq', kinds: ['irq'], obj: 0, alt: 1, sync: true },
  { call: 'pci_free_irq', kinds: ['irq'], obj: 1, alt: 2, sync: true },
  { call: 'remove_proc_entry', kinds: ['proc'], obj: 0, alt: 1, sync: true, byName: true },
  { call: 'remove_proc_subtree', kinds: ['proc'], obj: 0, alt: 1, sync: true, byName: true, recursive: true },
  { call: 'proc_remove', kinds: ['proc'], obj: 0, sync: true, recursive: true },
  { call: 'debugfs_remove', kinds: ['debugfs'], obj: 0, sync: true, recursive: true },
  { call: 'debugfs_remove_recursive', kinds: ['debugfs'], obj: 0, sync: true, recursive: true },
  { call: 'debugfs_lookup_and_remove', kinds: ['debugfs'], obj: 0, alt: 1, sync: true, byName: true, recursive: true },
  { call: 'device_remove_file', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'device_remove_groups', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'device_remove_group', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'device_remove_bin_file', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'sysfs_remove_group', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'sysfs_remove_groups', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'sysfs_remove_file', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'sysfs_remove_files', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'sysfs_remove_bin_file', kinds: ['sysfs'], obj: 1, sync: true },
  { call: 'sysfs_remove_link', kinds: ['sysfs'], obj: 1, sync: true, byName: true },
  { call: 'unregister_netdev', kinds: ['netdev'], obj: 0, sync: true },
  { call: 'unregister_netdevice', kinds: ['netdev'], obj: 0, sync: true },
  { call: 'unregister_netdevice_queue', kinds: ['netdev'], obj: 0, sync: true },
  { call: 'misc_deregister', kinds: ['misc'], obj: 0, sync: true },
  { call: 'unregister_chrdev', kinds: ['chrdev'], obj: 1, alt: 0, sync: true },
  { call: '__unregister_chrdev', kinds: ['chrdev'], obj: 3, alt: 0, sync: true },
  { call: 'cdev_del', kinds: ['cdev'], obj: 0, sync: true },
  { call: 'cdev_device_del', kinds: ['cdev'], obj: 0, sync: true },
  { call: 'platform_driver_unregister', kinds: ['driver'], obj: 0, sync: true },
  { call: 'platform_unregister_drivers', kinds: ['driver'], obj: 0, sync: true },
  { call: 'pci_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'usb_deregister', kinds: ['driver'], obj: 0, sync: true },
  { call: 'usb_deregister_device_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'usb_serial_deregister_drivers', kinds: ['driver'], obj: 0, sync: true },
  { call: 'usb_gadget_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'usb_composite_unregister', kinds: ['driver'], obj: 0, sync: true },
  { call: 'i2c_del_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'spi_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'serio_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'hid_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'tty_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'uart_unregister_driver', kinds: ['driver'], obj: 0, sync: true },
  { call: 'driver_unregister', kinds: ['driver'], obj: 0, sync: true },
  { call: 'platform_device_unregister', kinds: ['device'], obj: 0, sync: true },
  { call: 'platform_device_del', kinds: ['device'], obj: 0, sync: true },
  { call: 'class_unregister', kinds: ['class'], obj: 0, sync: true },
  { call: 'class_destroy', kinds: ['class'], obj: 0, sync: true },
  { call: 'unregister_filesystem', kinds: ['filesystem'], obj: 0, sync: true },
];

export const ARM_BY_NAME: ReadonlyMap<string, ArmCall> = new Map(ARM_CALLS.map((a) => [a.call, a]));
export const UNDO_BY_NAME: ReadonlyMap<string, UndoCall> = new Map(UNDO_CALLS.map((u) => [u.call, u]));

/**
 * Notifier registrations, by their name (`register_reboot_notifier`, `blocking_notifier_chain_register`,
 * `cpufreq_register_notifier`, `usb_register_notify`...): undone by the same name with `unregister` (or
 * `deregister`). devm_ ones undo themselves.
 */
const NOTIFIER_REGISTER = /^(\w*?)register(\w*)$/;

/** The unregistering names of a notifier registration; [] when the call is none. */
export function notifierUndoNames(call: string): string[] {
  if (MANAGED_PREFIX.test(call) || !/notif/.test(call)) return [];
  const m = NOTIFIER_REGISTER.exec(call);
  if (!m || /(?:un|de)$/.test(m[1])) return [];
  return [`${m[1]}unregister${m[2]}`, `${m[1]}deregister${m[2]}`];
}

/** The notifier_block argument of a notifier registration: the second of a chain's (`..._chain_register(&head, &nb)`), else the first. */
export function notifierArg(call: string): number {
  return /_chain_register$/.test(call) ? 1 : 0;
}

/**
 * Calls whose object needs no teardown by the module: managed (devm_*, pcim_*, drmm_*), or cancelled by
 * the helper that set it up (devm_delayed_work_autocancel). An object one of these is given is never reported.
 */
export const MANAGED_PREFIX = /^(?:devm_|pcim_|drmm_|devres_|dmam_)/;
export const MANAGED_INIT: ReadonlyArray<{ call: string; obj: number }> = [
  { call: 'devm_delayed_work_autocancel', obj: 1 },
  { call: 'devm_work_autocancel', obj: 1 },
];

/** Registrations whose callback the core runs when the device or module goes away: the argument that is the function. */
export const TEARDOWN_REGISTRARS: ReadonlyArray<{ call: string; arg: number }> = [
  { call: 'devm_add_action', arg: 1 },
  { call: 'devm_add_action_or_reset', arg: 1 },
  { call: 'kref_put', arg: 1 },
  { call: 'kref_put_mutex', arg: 1 },
  { call: 'kref_put_lock', arg: 1 },
  { call: 'devres_alloc', arg: 0 },
  { call: 'snd_device_new', arg: 3 },
  { call: 'cpuhp_setup_state', arg: 3 },
  { call: 'cpuhp_setup_state_nocalls', arg: 3 },
];

/** A struct field (or the name of a function no one calls directly) the core calls when the thing goes away: `.remove`, `.ndo_stop`, `private_free`... */
export const TEARDOWN_FIELD = /(?:^|_)(?:remove|remove_new|disconnect|release|stop|close|shutdown|exit|destroy|free|unbind|detach|teardown|cleanup|uninit|deinit|fini|unregister|put|destruct|dtor)(?:_|$)/;

/**
 * The lifetime pairs a driver struct (or ops table) declares: the callback that sets the thing up and the one
 * that takes it down (`.probe`/`.remove`, serio's `.connect`/`.disconnect`, usb-serial's per-port pair, a UART
 * port's `.startup`/`.shutdown`), with what is gone once the second ran.
 */
export const DRIVER_PAIRS: ReadonlyArray<{ setup: string; teardown: readonly string[]; gone: L10n }> = [
  { setup: 'probe', teardown: ['remove', 'remove_new', 'disconnect'], gone: { en: 'the device is removed', zh: '设备移除' } },
  // i2c drivers of 4.10 to 6.2 give the one-argument probe as .probe_new.
  { setup: 'probe_new', teardown: ['remove', 'remove_new'], gone: { en: 'the device is removed', zh: '设备移除' } },
  { setup: 'connect', teardown: ['disconnect'], gone: { en: 'the device is removed', zh: '设备移除' } },
  { setup: 'port_probe', teardown: ['port_remove'], gone: { en: 'the port is removed', zh: '端口移除' } },
  { setup: 'attach', teardown: ['release'], gone: { en: 'the device is released', zh: '设备释放' } },
  { setup: 'startup', teardown: ['shutdown'], gone: { en: 'the port is shut down', zh: '端口关闭' } },
  // ACPI drivers: `.ops = { .add = ..., .remove = ... }` of a struct acpi_driver.
  { setup: 'add', teardown: ['remove'], gone: { en: 'the device is removed', zh: '设备移除' } },
  // The component framework's aggregate: what .bind sets up, .unbind takes down.
  { setup: 'bind', teardown: ['unbind'], gone: { en: 'the component is unbound', zh: '组件解除绑定' } },
];

/** Frees of the data an object lives in: the argument that is the data. */
export const FREE_CALLS: ReadonlyArray<{ call: string; arg: number }> = [
  { call: 'kfree', arg: 0 },
  { call: 'kvfree', arg: 0 },
  { call: 'kfree_sensitive', arg: 0 },
  { call: 'kzfree', arg: 0 },
  { call: 'vfree', arg: 0 },
  { call: 'free_netdev', arg: 0 },
  { call: 'kmem_cache_free', arg: 1 },
  { call: 'devm_kfree', arg: 1 },
];

/** Each kind in a sentence: its name, and the verb of what undoes it (`del_timer_sync()` stops a timer). */
export const KIND_TEXT: Readonly<Record<TeardownKind, { name: L10n; undo: L10n }>> = {
  timer: { name: { en: 'timer', zh: '定时器' }, undo: { en: 'stops', zh: '停止' } },
  hrtimer: { name: { en: 'hrtimer', zh: '高精度定时器' }, undo: { en: 'cancels', zh: '取消' } },
  work: { name: { en: 'work item', zh: '工作项' }, undo: { en: 'cancels', zh: '取消' } },
  'delayed-work': { name: { en: 'delayed work item', zh: '延迟工作项' }, undo: { en: 'cancels', zh: '取消' } },
  tasklet: { name: { en: 'tasklet', zh: 'tasklet' }, undo: { en: 'kills', zh: '终止' } },
  kthread: { name: { en: 'kernel thread', zh: '内核线程' }, undo: { en: 'stops', zh: '停止' } },
  workqueue: { name: { en: 'workqueue', zh: '工作队列' }, undo: { en: 'destroys', zh: '销毁' } },
  irq: { name: { en: 'interrupt handler', zh: '中断处理函数' }, undo: { en: 'frees', zh: '释放' } },
  notifier: { name: { en: 'notifier', zh: '通知链回调' }, undo: { en: 'unregisters', zh: '注销' } },
  proc: { name: { en: 'proc entry', zh: 'proc 条目' }, undo: { en: 'removes', zh: '删除' } },
  debugfs: { name: { en: 'debugfs entry', zh: 'debugfs 条目' }, undo: { en: 'removes', zh: '删除' } },
  sysfs: { name: { en: 'sysfs entry', zh: 'sysfs 条目' }, undo: { en: 'removes', zh: '删除' } },
  netdev: { name: { en: 'network device', zh: '网络设备' }, undo: { en: 'unregisters', zh: '注销' } },
  misc: { name: { en: 'misc device', zh: 'misc 设备' }, undo: { en: 'deregisters', zh: '注销' } },
  chrdev: { name: { en: 'character device', zh: '字符设备' }, undo: { en: 'unregisters', zh: '注销' } },
  cdev: { name: { en: 'character device', zh: '字符设备' }, undo: { en: 'deletes', zh: '删除' } },
  driver: { name: { en: 'driver', zh: '驱动' }, undo: { en: 'unregisters', zh: '注销' } },
  device: { name: { en: 'device', zh: '设备' }, undo: { en: 'unregisters', zh: '注销' } },
  class: { name: { en: 'device class', zh: '设备类' }, undo: { en: 'unregisters', zh: '注销' } },
  filesystem: { name: { en: 'filesystem type', zh: '文件系统类型' }, undo: { en: 'unregisters', zh: '注销' } },
};

/** Kinds whose callback runs on its own (fires, is scheduled): the rest are entry points others call into. */
export const FIRING_KINDS: ReadonlySet<TeardownKind> = new Set(['timer', 'hrtimer', 'work', 'delayed-work', 'tasklet', 'kthread', 'workqueue', 'irq']);

/**
 * Where a driver names the callback the PM core runs to suspend a device: a cancel there does not end the object's
 * life (remove can come without a suspend), so it is no run-time cancel. The macro and which argument is the suspend
 * callback; the `struct dev_pm_ops` (and legacy bus driver) fields that are suspend callbacks (not `.prepare`:
 * PCM, DAI and clock ops have one too).
 */
export const PM_SUSPEND_MACROS: ReadonlyArray<{ macro: string; arg: number }> = [
  { macro: 'SIMPLE_DEV_PM_OPS', arg: 1 },
  { macro: 'DEFINE_SIMPLE_DEV_PM_OPS', arg: 1 },
  { macro: 'EXPORT_SIMPLE_DEV_PM_OPS', arg: 1 },
  { macro: 'EXPORT_GPL_SIMPLE_DEV_PM_OPS', arg: 1 },
  { macro: 'UNIVERSAL_DEV_PM_OPS', arg: 1 },
  { macro: 'DEFINE_RUNTIME_DEV_PM_OPS', arg: 1 },
  { macro: 'SET_SYSTEM_SLEEP_PM_OPS', arg: 0 },
  { macro: 'SET_LATE_SYSTEM_SLEEP_PM_OPS', arg: 0 },
  { macro: 'SET_NOIRQ_SYSTEM_SLEEP_PM_OPS', arg: 0 },
  { macro: 'SYSTEM_SLEEP_PM_OPS', arg: 0 },
  { macro: 'LATE_SYSTEM_SLEEP_PM_OPS', arg: 0 },
  { macro: 'NOIRQ_SYSTEM_SLEEP_PM_OPS', arg: 0 },
  { macro: 'SET_RUNTIME_PM_OPS', arg: 0 },
  { macro: 'RUNTIME_PM_OPS', arg: 0 },
];
export const PM_SUSPEND_FIELDS = /^(?:suspend|suspend_late|suspend_noirq|freeze|freeze_late|freeze_noirq|poweroff|poweroff_late|poweroff_noirq|runtime_suspend)$/;

/** Calls that wait until what was started is over (the transfer whose timeout timer the completion handler deletes). */
export const WAITS_FOR_END = /^(?:wait_for_completion\w{0,32}|wait_event\w{0,32}|__wait_event\w{0,32}|wait_for_\w{1,32}|\w{1,32}_wait_for_completion\w{0,16})$/;

/** Handlers that run when the device signals, besides the atomic ones: an IRQ's thread function, by argument. */
export const THREADED_HANDLERS: ReadonlyArray<{ call: string; arg: number }> = [
  { call: 'request_threaded_irq', arg: 2 },
  { call: 'devm_request_threaded_irq', arg: 3 },
  { call: 'request_any_context_irq', arg: 1 },
  { call: 'devm_request_any_context_irq', arg: 2 },
];
