// SPDX-License-Identifier: GPL-2.0
/*
 * spinlockup: module init busy-waits for 60 s with preemption disabled, so
 * the soft lockup watchdog fires on that CPU.
 */
#include <linux/module.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>

static int spin_seconds = 60;
module_param(spin_seconds, int, 0444);

static noinline void spinlockup_poll_hw(void)
{
	unsigned long end = jiffies + spin_seconds * HZ;

	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();		/* BUG: polls for a minute, never schedules */
	preempt_enable();
}

static int __init spinlockup_init(void)
{
	pr_info("spinlockup: polling for %d s with preemption off\n", spin_seconds);
	spinlockup_poll_hw();
	return 0;
}

static void __exit spinlockup_exit(void)
{
}

module_init(spinlockup_init);
module_exit(spinlockup_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: soft lockup with preemption disabled");
