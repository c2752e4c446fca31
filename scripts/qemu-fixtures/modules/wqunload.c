// SPDX-License-Identifier: GPL-2.0
/*
 * wqunload: the device's statistics work is a delayed work that holds a
 * reference on the device. Unload drops the module's reference without
 * cancel_delayed_work_sync(): the device lives on (the work's reference), the
 * work runs 2 s later, and the workqueue calls a function in freed module text.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/kref.h>
#include <linux/workqueue.h>

struct wqunload_dev {
	struct kref ref;
	struct delayed_work stats_work;
	unsigned long rx_packets;
};

static struct wqunload_dev *wqunload_dev;

static void wqunload_dev_release(struct kref *ref)
{
	kfree(container_of(ref, struct wqunload_dev, ref));
}

static void wqunload_stats_work(struct work_struct *work)
{
	struct wqunload_dev *dev = container_of(to_delayed_work(work), struct wqunload_dev, stats_work);

	dev->rx_packets++;
	kref_put(&dev->ref, wqunload_dev_release);
}

static int __init wqunload_init(void)
{
	wqunload_dev = kzalloc(sizeof(*wqunload_dev), GFP_KERNEL);
	if (!wqunload_dev)
		return -ENOMEM;
	kref_init(&wqunload_dev->ref);
	INIT_DELAYED_WORK(&wqunload_dev->stats_work, wqunload_stats_work);
	kref_get(&wqunload_dev->ref);	/* for the work */
	schedule_delayed_work(&wqunload_dev->stats_work, 2 * HZ);
	return 0;
}

static void __exit wqunload_exit(void)
{
	pr_info("wqunload: unloading\n");
	/* BUG: missing cancel_delayed_work_sync(&wqunload_dev->stats_work); */
	kref_put(&wqunload_dev->ref, wqunload_dev_release);
}

module_init(wqunload_init);
module_exit(wqunload_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: delayed work still queued after module unload");
