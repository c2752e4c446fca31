// SPDX-License-Identifier: GPL-2.0
/*
 * softrepeat: a polling kthread waits for a "link up" bit with
 * preemption disabled (55 s); without softlockup_panic the watchdog reports the
 * same CPU again and again ("stuck for 11s", "22s", ...).
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>

static int spin_seconds = 55;
module_param(spin_seconds, int, 0444);
static unsigned long softrepeat_status;	/* never gets the link-up bit */

static noinline void softrepeat_wait_link(void)
{
	unsigned long end = jiffies + spin_seconds * HZ;

	preempt_disable();
	while (!(READ_ONCE(softrepeat_status) & 1) && time_before(jiffies, end))
		cpu_relax();		/* BUG: busy-waits with preemption off */
	preempt_enable();
}

static int softrepeat_poll_thread(void *data)
{
	softrepeat_wait_link();
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int __init softrepeat_init(void)
{
	kthread_run(softrepeat_poll_thread, NULL, "softrepeat_poll");
	return 0;
}

module_init(softrepeat_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: one long soft lockup reported several times");
