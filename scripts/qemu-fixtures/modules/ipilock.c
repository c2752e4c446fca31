// SPDX-License-Identifier: GPL-2.0
/*
 * ipilock: the config thread (CPU 0) takes the device lock with spin_lock()
 * and, still holding it, asks CPU 1 to flush its per-CPU cache with
 * smp_call_function_single(..., wait=1). The stats thread on CPU 1 is
 * spinning for the same lock with spin_lock_irq(): interrupts off, so it
 * never runs the IPI, and CPU 0 never gets its answer to release the lock.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/smp.h>

struct ipilock_dev {
	spinlock_t lock;
	unsigned long flushes, reads;
};

static struct ipilock_dev ipilock_dev = { .lock = __SPIN_LOCK_UNLOCKED(ipilock_dev.lock) };

static void ipilock_flush_cpu(void *data)
{
	struct ipilock_dev *dev = data;

	dev->flushes++;
}

static noinline void ipilock_reconfigure(struct ipilock_dev *dev)
{
	spin_lock(&dev->lock);
	mdelay(200);		/* the stats thread is spinning by now */
	/* BUG: waits for CPU 1 with the lock CPU 1 spins on held */
	smp_call_function_single(1, ipilock_flush_cpu, dev, 1);
	spin_unlock(&dev->lock);
}

static noinline void ipilock_read_stats(struct ipilock_dev *dev)
{
	spin_lock_irq(&dev->lock);
	dev->reads++;
	spin_unlock_irq(&dev->lock);
}

static int ipilock_cfg_thread(void *data)
{
	msleep(500);
	ipilock_reconfigure(data);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int ipilock_stats_thread(void *data)
{
	msleep(600);
	while (!kthread_should_stop()) {
		ipilock_read_stats(data);
		cond_resched();
	}
	return 0;
}

static void ipilock_start(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, &ipilock_dev, name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
}

static int __init ipilock_init(void)
{
	if (num_online_cpus() < 2)
		return -ENODEV;
	ipilock_start(ipilock_cfg_thread, "ipilock_cfg", 0);
	ipilock_start(ipilock_stats_thread, "ipilock_stats", 1);
	return 0;
}

module_init(ipilock_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: smp_call_function_single() with a lock held that the target spins on with IRQs off");
