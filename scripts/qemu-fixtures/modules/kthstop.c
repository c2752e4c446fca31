// SPDX-License-Identifier: GPL-2.0
/*
 * kthstop: the module exit path takes spin_lock_bh() and, holding it, calls
 * kthread_stop(), which sleeps in wait_for_completion(): scheduling while
 * atomic in rmmod.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(kthstop_lock);
static struct task_struct *kthstop_task;
static int kthstop_running;

static int kthstop_thread(void *arg)
{
	while (!kthread_should_stop())
		msleep(50);
	return 0;
}

static noinline void kthstop_server_exit(void)
{
	spin_lock_bh(&kthstop_lock);
	pr_info("kthstop: test server stop\n");
	kthstop_running = 0;
	kthread_stop(kthstop_task);	/* BUG: sleeps with the _bh lock held */
	spin_unlock_bh(&kthstop_lock);
}

static int __init kthstop_init(void)
{
	kthstop_task = kthread_run(kthstop_thread, NULL, "kthstop_srv");
	if (IS_ERR(kthstop_task))
		return PTR_ERR(kthstop_task);
	kthstop_running = 1;
	pr_info("kthstop: test server start\n");
	return 0;
}

static void __exit kthstop_exit(void)
{
	kthstop_server_exit();
}

module_init(kthstop_init);
module_exit(kthstop_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: kthread_stop under spin_lock_bh in module exit");
