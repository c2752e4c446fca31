// SPDX-License-Identifier: GPL-2.0
/*
 * warnflood: the statistics timer runs every 10 ms and checks its rx
 * accounting with WARN_ON() (not WARN_ON_ONCE()). The accounting is wrong
 * from the start, so the same warning is printed on every run; the module
 * stops after warn_count runs to keep the log bounded.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/jiffies.h>

static int warn_count = 40;
module_param(warn_count, int, 0444);

struct warnflood_dev {
	struct timer_list stats_timer;
	unsigned int rx_pending, ring_size;
	int runs;
};

static struct warnflood_dev warnflood_dev = { .rx_pending = 65, .ring_size = 64 };

static noinline void warnflood_update_stats(struct warnflood_dev *dev)
{
	WARN_ON(dev->rx_pending > dev->ring_size);	/* BUG: never reset */
}

static void warnflood_stats_timer_fn(struct timer_list *t)
{
	struct warnflood_dev *dev = from_timer(dev, t, stats_timer);

	warnflood_update_stats(dev);
	if (++dev->runs < warn_count)
		mod_timer(&dev->stats_timer, jiffies + msecs_to_jiffies(10));
}

static int __init warnflood_init(void)
{
	timer_setup(&warnflood_dev.stats_timer, warnflood_stats_timer_fn, 0);
	mod_timer(&warnflood_dev.stats_timer, jiffies + msecs_to_jiffies(10));
	return 0;
}

static void __exit warnflood_exit(void)
{
	del_timer_sync(&warnflood_dev.stats_timer);
}

module_init(warnflood_init);
module_exit(warnflood_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: the same WARN_ON printed on every timer run");
