// SPDX-License-Identifier: GPL-2.0
/*
 * softirqorder: stats_lock is taken by the stats timer (softirq-safe);
 * cfg_lock is taken with plain spin_lock() in process context
 * (softirq-unsafe); the /proc/softirqorder write handler takes cfg_lock
 * while holding stats_lock. Lockdep: SOFTIRQ-safe -> SOFTIRQ-unsafe.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/spinlock.h>
#include <linux/proc_fs.h>
#include <linux/delay.h>

struct so_dev {
	spinlock_t stats_lock;
	spinlock_t cfg_lock;
	struct timer_list stats_timer;
	unsigned long rx_packets;
	unsigned int mtu;
};

static struct so_dev so_dev;
static struct proc_dir_entry *so_pde;

static void so_stats_timer_fn(struct timer_list *t)
{
	struct so_dev *dev = from_timer(dev, t, stats_timer);

	spin_lock(&dev->stats_lock);
	dev->rx_packets++;
	spin_unlock(&dev->stats_lock);
}

static noinline unsigned int so_read_mtu(struct so_dev *dev)
{
	unsigned int mtu;

	spin_lock(&dev->cfg_lock);
	mtu = dev->mtu;
	spin_unlock(&dev->cfg_lock);
	return mtu;
}

static noinline ssize_t so_ctl_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct so_dev *dev = &so_dev;

	spin_lock_bh(&dev->stats_lock);
	dev->rx_packets = 0;
	dev->mtu = so_read_mtu(dev);	/* BUG: softirq-unsafe cfg_lock under stats_lock */
	spin_unlock_bh(&dev->stats_lock);
	return count;
}

static const struct proc_ops so_ops = {
	.proc_write = so_ctl_write,
};

static int __init so_init(void)
{
	spin_lock_init(&so_dev.stats_lock);
	spin_lock_init(&so_dev.cfg_lock);
	timer_setup(&so_dev.stats_timer, so_stats_timer_fn, 0);
	mod_timer(&so_dev.stats_timer, jiffies + 1);
	msleep(200);		/* the timer has run: stats_lock is softirq-safe */
	so_dev.mtu = so_read_mtu(&so_dev);
	so_pde = proc_create("softirqorder", 0200, NULL, &so_ops);
	return so_pde ? 0 : -ENOMEM;
}

static void __exit so_exit(void)
{
	proc_remove(so_pde);
	del_timer_sync(&so_dev.stats_timer);
}

module_init(so_init);
module_exit(so_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: softirq-unsafe lock taken under a softirq-safe one");
