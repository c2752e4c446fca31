// SPDX-License-Identifier: GPL-2.0
/*
 * inconsistent: the stats lock is taken with plain spin_lock() by the
 * /proc/inconsistent write handler (bottom halves enabled) and by the stats
 * timer callback (softirq). A timer firing on the CPU that holds it would
 * spin for ever: lockdep's {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/spinlock.h>
#include <linux/proc_fs.h>

struct incons_dev {
	spinlock_t stats_lock;
	struct timer_list stats_timer;
	unsigned long rx_packets, rx_dropped;
};

static struct incons_dev incons_dev;
static struct proc_dir_entry *incons_pde;

static noinline ssize_t incons_ctl_write(struct file *file, const char __user *ubuf,
					 size_t count, loff_t *ppos)
{
	struct incons_dev *dev = &incons_dev;

	spin_lock(&dev->stats_lock);	/* BUG: the timer takes it too: needs spin_lock_bh() */
	dev->rx_packets = dev->rx_dropped = 0;
	spin_unlock(&dev->stats_lock);
	mod_timer(&dev->stats_timer, jiffies + HZ / 2);
	return count;
}

static void incons_stats_timer_fn(struct timer_list *t)
{
	struct incons_dev *dev = from_timer(dev, t, stats_timer);

	spin_lock(&dev->stats_lock);
	dev->rx_packets++;
	spin_unlock(&dev->stats_lock);
}

static const struct proc_ops incons_ops = {
	.proc_write = incons_ctl_write,
};

static int __init incons_init(void)
{
	spin_lock_init(&incons_dev.stats_lock);
	timer_setup(&incons_dev.stats_timer, incons_stats_timer_fn, 0);
	incons_pde = proc_create("inconsistent", 0200, NULL, &incons_ops);
	return incons_pde ? 0 : -ENOMEM;
}

static void __exit incons_exit(void)
{
	proc_remove(incons_pde);
	del_timer_sync(&incons_dev.stats_timer);
}

module_init(incons_init);
module_exit(incons_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a spinlock taken in process context and in a timer without _bh");
