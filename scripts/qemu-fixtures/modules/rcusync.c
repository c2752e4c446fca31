// SPDX-License-Identifier: GPL-2.0
/*
 * rcusync: the scan thread (bound to CPU 1) walks the RCU-protected route
 * table inside rcu_read_lock() and busy-waits on the hardware for each
 * entry (mdelay, no cond_resched) for 60 s (scan_seconds): its read-side
 * critical section never ends, so no grace period can. The update thread
 * (CPU 0) replaces the table and calls synchronize_rcu() before freeing the
 * old one: it sleeps in the grace-period wait for the whole scan.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/slab.h>

struct rcusync_table {
	unsigned long entries[64];
};

struct rcusync_dev {
	struct rcusync_table __rcu *table;
	unsigned long scanned, updates;
};

static struct rcusync_dev rcusync_dev;
static int scan_seconds = 60;
module_param(scan_seconds, int, 0444);

static noinline void rcusync_scan_table(struct rcusync_dev *dev)
{
	unsigned long end = jiffies + scan_seconds * HZ;
	struct rcusync_table *t;
	unsigned int i = 0;

	rcu_read_lock();
	t = rcu_dereference(dev->table);
	while (t && time_before(jiffies, end)) {
		/* BUG: waits for each entry inside the read-side section */
		dev->scanned += READ_ONCE(t->entries[i++ % ARRAY_SIZE(t->entries)]);
		mdelay(10);
	}
	rcu_read_unlock();
}

static noinline void rcusync_replace_table(struct rcusync_dev *dev)
{
	struct rcusync_table *new, *old;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return;
	old = rcu_replace_pointer(dev->table, new, true);
	synchronize_rcu();		/* waits for the scan above to end */
	kfree(old);
	dev->updates++;
}

static int rcusync_scan_thread(void *data)
{
	rcusync_scan_table(data);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int rcusync_update_thread(void *data)
{
	msleep(500);			/* the scan is under way by now */
	rcusync_replace_table(data);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static void rcusync_start(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, &rcusync_dev, name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
}

static int __init rcusync_init(void)
{
	if (num_online_cpus() < 2)
		return -ENODEV;
	RCU_INIT_POINTER(rcusync_dev.table, kzalloc(sizeof(struct rcusync_table), GFP_KERNEL));
	if (!rcu_access_pointer(rcusync_dev.table))
		return -ENOMEM;
	rcusync_start(rcusync_scan_thread, "rcusync_scan", 1);
	rcusync_start(rcusync_update_thread, "rcusync_update", 0);
	return 0;
}

module_init(rcusync_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: synchronize_rcu() behind a reader that busy-waits inside rcu_read_lock()");
