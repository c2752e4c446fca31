// SPDX-License-Identifier: GPL-2.0
/*
 * nmibt: the reset thread (CPU 1) takes the hardware lock and waits 40 s
 * for the reset to complete while holding it; the statistics thread (CPU 0)
 * spins on the same spinlock. Booted with softlockup_all_cpu_backtrace=1,
 * the soft lockup report carries an NMI backtrace of the other CPU, which
 * shows the holder.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
#include <linux/delay.h>

struct nmibt_dev {
	spinlock_t hw_lock;
	unsigned long status, rx_packets;
};

static struct nmibt_dev nmibt_dev;

static noinline void nmibt_wait_reset(struct nmibt_dev *dev)
{
	unsigned long end = jiffies + 40 * HZ;

	while (!(READ_ONCE(dev->status) & 1) && time_before(jiffies, end))
		cpu_relax();	/* BUG: waits for the hardware with hw_lock held */
}

static noinline void nmibt_reset_hw(struct nmibt_dev *dev)
{
	spin_lock(&dev->hw_lock);
	nmibt_wait_reset(dev);
	spin_unlock(&dev->hw_lock);
}

static int nmibt_reset_thread(void *data)
{
	nmibt_reset_hw(data);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static noinline void nmibt_read_stats(struct nmibt_dev *dev)
{
	spin_lock(&dev->hw_lock);
	dev->rx_packets++;
	spin_unlock(&dev->hw_lock);
}

static int nmibt_stats_thread(void *data)
{
	msleep(500);	/* the reset thread has the lock by now */
	nmibt_read_stats(data);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static struct task_struct *nmibt_start(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, &nmibt_dev, name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	return t;
}

static int __init nmibt_init(void)
{
	spin_lock_init(&nmibt_dev.hw_lock);
	nmibt_start(nmibt_reset_thread, "nmibt_reset", 1);
	nmibt_start(nmibt_stats_thread, "nmibt_stats", 0);
	return 0;
}

module_init(nmibt_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: soft lockup on a spinlock whose holder waits for hardware");
