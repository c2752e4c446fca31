// SPDX-License-Identifier: GPL-2.0
/*
 * hungabba: the statistics thread takes stats_lock then cfg_lock, the reset
 * thread takes cfg_lock then stats_lock: an ABBA deadlock of two kthreads.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/kthread.h>
#include <linux/delay.h>

struct hungabba_dev {
	struct mutex stats_lock;
	struct mutex cfg_lock;
	unsigned long rx_packets, resets;
};

static struct hungabba_dev hungabba_dev;

static noinline void hungabba_update_stats(struct hungabba_dev *dev)
{
	mutex_lock(&dev->stats_lock);
	msleep(200);			/* reads the hardware counters */
	mutex_lock(&dev->cfg_lock);	/* BUG: cfg_lock after stats_lock */
	dev->rx_packets++;
	mutex_unlock(&dev->cfg_lock);
	mutex_unlock(&dev->stats_lock);
}

static noinline void hungabba_reset_hw(struct hungabba_dev *dev)
{
	mutex_lock(&dev->cfg_lock);
	msleep(200);			/* waits for the reset to settle */
	mutex_lock(&dev->stats_lock);	/* stats_lock after cfg_lock */
	dev->resets++;
	mutex_unlock(&dev->stats_lock);
	mutex_unlock(&dev->cfg_lock);
}

static int hungabba_stats_thread(void *data)
{
	while (!kthread_should_stop()) {
		hungabba_update_stats(data);
		msleep(100);
	}
	return 0;
}

static int hungabba_reset_thread(void *data)
{
	while (!kthread_should_stop()) {
		hungabba_reset_hw(data);
		msleep(100);
	}
	return 0;
}

static int __init hungabba_init(void)
{
	mutex_init(&hungabba_dev.stats_lock);
	mutex_init(&hungabba_dev.cfg_lock);
	kthread_run(hungabba_stats_thread, &hungabba_dev, "hungabba_stats");
	kthread_run(hungabba_reset_thread, &hungabba_dev, "hungabba_reset");
	return 0;
}

module_init(hungabba_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: two kthreads take two mutexes in opposite order");
