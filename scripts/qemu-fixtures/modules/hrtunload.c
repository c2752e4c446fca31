// SPDX-License-Identifier: GPL-2.0
/*
 * hrtunload: the device's periodic sampling hrtimer is not cancelled at
 * unload (no hrtimer_cancel()). The device structure is leaked with it, so
 * the timer stays queued and fires into freed module text.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/hrtimer.h>

struct hrtunload_dev {
	struct hrtimer sample_timer;
	unsigned long samples;
};

static struct hrtunload_dev *hrtunload_dev;

static enum hrtimer_restart hrtunload_sample_timer_fn(struct hrtimer *t)
{
	struct hrtunload_dev *dev = container_of(t, struct hrtunload_dev, sample_timer);

	dev->samples++;
	hrtimer_forward_now(t, ms_to_ktime(1000));
	return HRTIMER_RESTART;
}

static int __init hrtunload_init(void)
{
	hrtunload_dev = kzalloc(sizeof(*hrtunload_dev), GFP_KERNEL);
	if (!hrtunload_dev)
		return -ENOMEM;
	hrtimer_init(&hrtunload_dev->sample_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	hrtunload_dev->sample_timer.function = hrtunload_sample_timer_fn;
	hrtimer_start(&hrtunload_dev->sample_timer, ms_to_ktime(1000), HRTIMER_MODE_REL);
	return 0;
}

static void __exit hrtunload_exit(void)
{
	pr_info("hrtunload: unloading\n");
	/* BUG: missing hrtimer_cancel(&hrtunload_dev->sample_timer); kfree() */
}

module_init(hrtunload_init);
module_exit(hrtunload_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: hrtimer still armed after module unload");
