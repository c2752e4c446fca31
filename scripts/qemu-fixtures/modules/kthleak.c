// SPDX-License-Identifier: GPL-2.0
/*
 * kthleak: starts a link-polling kthread at load and never stops it at
 * unload (no kthread_stop()). The thread wakes up from msleep() into module
 * text that rmmod has freed.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>

static struct task_struct *kthleak_task;
static unsigned long kthleak_polls;

static int kthleak_poll_thread(void *data)
{
	while (!kthread_should_stop()) {
		kthleak_polls++;
		msleep(500);
	}
	return 0;
}

static int __init kthleak_init(void)
{
	kthleak_task = kthread_run(kthleak_poll_thread, NULL, "kthleak_poll");
	return PTR_ERR_OR_ZERO(kthleak_task);
}

static void __exit kthleak_exit(void)
{
	pr_info("kthleak: unloading\n");
	/* BUG: missing kthread_stop(kthleak_task); */
}

module_init(kthleak_init);
module_exit(kthleak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: kthread left running after module unload");
