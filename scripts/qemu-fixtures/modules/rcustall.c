// SPDX-License-Identifier: GPL-2.0
/*
 * rcustall: a table-scanning kthread walks its table for 30 s with
 * preemption disabled, so its CPU never reports a quiescent state and RCU
 * reports a stall (booted with nowatchdog, so no soft lockup is reported first).
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>

static int spin_seconds = 30;
module_param(spin_seconds, int, 0444);
static unsigned long rcustall_table[512];

static noinline unsigned long rcustall_scan_table(void)
{
	unsigned long end = jiffies + spin_seconds * HZ, sum = 0;
	unsigned int i = 0;

	preempt_disable();
	while (time_before(jiffies, end)) {	/* BUG: rescans until done, never yields */
		sum += READ_ONCE(rcustall_table[i++ % ARRAY_SIZE(rcustall_table)]);
		cpu_relax();
	}
	preempt_enable();
	return sum;
}

static int rcustall_scan_thread(void *data)
{
	rcustall_scan_table();
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int __init rcustall_init(void)
{
	kthread_run(rcustall_scan_thread, NULL, "rcustall_scan");
	return 0;
}

module_init(rcustall_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: RCU stall by a kthread looping with preemption disabled");
