// SPDX-License-Identifier: GPL-2.0
/*
 * wqleak: a work function that takes spin_lock_bh() and, on its error path
 * (the device is busy), releases the lock with plain spin_unlock(). The work
 * item returns to the workqueue with bottom halves still disabled (one leaked
 * SOFTIRQ_DISABLE_OFFSET, 0x200) and no lock held.
 */
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

static DEFINE_SPINLOCK(wqleak_lock);
static int wqleak_busy = 1;
static struct work_struct wqleak_work;

static noinline void wqleak_work_fn(struct work_struct *work)
{
	spin_lock_bh(&wqleak_lock);
	if (wqleak_busy) {
		pr_info("wqleak: device busy, retry later\n");
		spin_unlock(&wqleak_lock);	/* BUG: should be spin_unlock_bh() */
		return;
	}
	spin_unlock_bh(&wqleak_lock);
}

static int __init wqleak_init(void)
{
	INIT_WORK(&wqleak_work, wqleak_work_fn);
	schedule_work(&wqleak_work);
	return 0;
}

static void __exit wqleak_exit(void)
{
	cancel_work_sync(&wqleak_work);
}

module_init(wqleak_init);
module_exit(wqleak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a work function that leaks a spin_lock_bh() on its error path");
