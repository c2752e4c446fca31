// What each way of entering a registered callback is called in a sentence, in English and Chinese (data).

import type { CallbackMechanism } from './blame';

export interface MechanismName {
  /** The bare noun: "timer", "work item". */
  name: { en: string; zh: string };
  /** With its article, for "a timer of the module": "a timer", "an interrupt handler". */
  aName: { en: string; zh: string };
}

function n(en: string, a: string, zh: string): MechanismName {
  return { name: { en, zh }, aName: { en: a, zh } };
}

export const MECHANISM_NAMES: Readonly<Record<CallbackMechanism, MechanismName>> = {
  timer: n('timer', 'a timer', '定时器'),
  hrtimer: n('high-resolution timer', 'a high-resolution timer', '高精度定时器'),
  work: n('work item', 'a work item', '工作项'),
  'kthread-work': n('kthread work item', 'a kthread work item', 'kthread 工作项'),
  kthread: n('kernel thread', 'a kernel thread', '内核线程'),
  tasklet: n('tasklet', 'a tasklet', 'tasklet'),
  softirq: n('softirq handler', 'a softirq handler', '软中断处理函数'),
  irq: n('interrupt handler', 'an interrupt handler', '中断处理函数'),
  'threaded-irq': n('threaded interrupt handler', 'a threaded interrupt handler', '线程化中断处理函数'),
  rcu: n('RCU callback', 'an RCU callback', 'RCU 回调'),
  notifier: n('notifier callback', 'a notifier callback', '通知链回调'),
  probe: n('probe routine', 'a probe routine', 'probe 函数'),
  remove: n('remove routine', 'a remove routine', 'remove 函数'),
  shutdown: n('shutdown routine', 'a shutdown routine', 'shutdown 函数'),
  'bio-completion': n('bio completion', 'a bio completion', 'bio 完成回调'),
  'urb-completion': n('URB completion', 'a URB completion', 'URB 完成回调'),
  napi: n('NAPI poll routine', 'a NAPI poll routine', 'NAPI 轮询函数'),
  'socket-callback': n('socket callback', 'a socket callback', 'socket 回调'),
  netlink: n('netlink handler', 'a netlink handler', 'netlink 处理函数'),
  ioctl: n('ioctl handler', 'an ioctl handler', 'ioctl 处理函数'),
  'file-operation': n('file operation', 'a file operation', '文件操作函数'),
  sysfs: n('sysfs attribute handler', 'a sysfs attribute handler', 'sysfs 属性处理函数'),
  initcall: n('initcall', 'an initcall', '初始化函数'),
  'smp-call': n('cross-CPU function call', 'a cross-CPU function call', '跨 CPU 函数调用'),
};
