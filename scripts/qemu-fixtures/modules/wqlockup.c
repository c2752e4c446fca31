// SPDX-License-Identifier: GPL-2.0
/*
 * wqlockup: the firmware-load work polls 45 s for the firmware to answer,
 * calling cond_resched() (so no soft lockup) but never sleeping: it keeps
 * the per-CPU worker pool busy and the stats work queued behind it never
 * runs. CONFIG_WQ_WATCHDOG reports the pool as stuck.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/delay.h>

static int spin_seconds = 45;
module_param(spin_seconds, int, 0444);

struct wqlockup_dev {
	struct work_struct fw_load_work;
	struct work_struct stats_work;
	unsigned long fw_status, rx_packets;
};

static struct wqlockup_dev wqlockup_dev;

static noinline void wqlockup_fw_load_work(struct work_struct *work)
{
	struct wqlockup_dev *dev = container_of(work, struct wqlockup_dev, fw_load_work);
	unsigned long end = jiffies + spin_seconds * HZ;

	/* BUG: busy-polls in a work item instead of sleeping or re-queueing */
	while (!(READ_ONCE(dev->fw_status) & 1) && time_before(jiffies, end)) {
		udelay(100);
		cond_resched();
	}
}

static void wqlockup_stats_work(struct work_struct *work)
{
	struct wqlockup_dev *dev = container_of(work, struct wqlockup_dev, stats_work);

	dev->rx_packets++;
}

static int __init wqlockup_init(void)
{
	INIT_WORK(&wqlockup_dev.fw_load_work, wqlockup_fw_load_work);
	INIT_WORK(&wqlockup_dev.stats_work, wqlockup_stats_work);
	queue_work_on(0, system_wq, &wqlockup_dev.fw_load_work);
	msleep(100);
	queue_work_on(0, system_wq, &wqlockup_dev.stats_work);
	return 0;
}

module_init(wqlockup_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a work item that busy-polls and stalls its worker pool");
