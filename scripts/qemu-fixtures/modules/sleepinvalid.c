// SPDX-License-Identifier: GPL-2.0
/*
 * sleepinvalid: the statistics timer callback takes the device spinlock with
 * spin_lock_irqsave() and then the firmware mutex to read the counters:
 * mutex_lock() may sleep, in softirq context with IRQs off.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>

struct sleepinv_dev {
	spinlock_t lock;
	struct mutex fw_mutex;
	struct timer_list stats_timer;
	unsigned long rx_packets;
};

static struct sleepinv_dev sleepinv_dev;

static noinline void sleepinv_stats_timer_fn(struct timer_list *t)
{
	struct sleepinv_dev *dev = from_timer(dev, t, stats_timer);
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	mutex_lock(&dev->fw_mutex);	/* BUG: may sleep; atomic here */
	dev->rx_packets++;
	mutex_unlock(&dev->fw_mutex);
	spin_unlock_irqrestore(&dev->lock, flags);
}

static int __init sleepinv_init(void)
{
	spin_lock_init(&sleepinv_dev.lock);
	mutex_init(&sleepinv_dev.fw_mutex);
	timer_setup(&sleepinv_dev.stats_timer, sleepinv_stats_timer_fn, 0);
	mod_timer(&sleepinv_dev.stats_timer, jiffies + HZ / 2);
	return 0;
}

static void __exit sleepinv_exit(void)
{
	del_timer_sync(&sleepinv_dev.stats_timer);
}

module_init(sleepinv_init);
module_exit(sleepinv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: mutex_lock under spin_lock_irqsave in a timer callback");
