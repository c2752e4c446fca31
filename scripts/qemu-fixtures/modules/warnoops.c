// SPDX-License-Identifier: GPL-2.0
/*
 * warnoops: the probe function's error path for a failed hardware init jumps
 * to the wrong label: it frees an IRQ it never requested (the kernel WARNs
 * "Trying to free already-free IRQ"), tears down the rx ring, and then
 * returns 0 because err was overwritten. The caller believes the probe
 * succeeded, waits 400 ms for the link and starts the device: NULL ring.
 */
#include <linux/module.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/delay.h>

static int warnoops_irq = 10;
module_param(warnoops_irq, int, 0444);

struct warnoops_ring {
	unsigned int head, tail;
};

struct warnoops_dev {
	int irq;
	struct warnoops_ring *rx_ring;
};

static struct warnoops_dev warnoops_dev;

static irqreturn_t warnoops_irq_handler(int irq, void *data)
{
	return IRQ_NONE;
}

static noinline int warnoops_hw_init(struct warnoops_dev *dev)
{
	return -ENODEV;		/* the device does not answer */
}

static noinline int warnoops_dev_probe(struct warnoops_dev *dev)
{
	int err;

	dev->irq = warnoops_irq;
	dev->rx_ring = kzalloc(sizeof(*dev->rx_ring), GFP_KERNEL);
	if (!dev->rx_ring)
		return -ENOMEM;
	err = warnoops_hw_init(dev);
	if (err)
		goto err_free_irq;	/* BUG: the IRQ is requested only below */
	err = request_irq(dev->irq, warnoops_irq_handler, IRQF_SHARED, "warnoops", dev);
	if (err)
		goto err_free_ring;
	return 0;

err_free_irq:
	free_irq(dev->irq, dev);
err_free_ring:
	kfree(dev->rx_ring);
	dev->rx_ring = NULL;
	err = 0;		/* BUG: the error is lost */
	return err;
}

static noinline void warnoops_dev_start(struct warnoops_dev *dev)
{
	dev->rx_ring->head = dev->rx_ring->tail = 0;
}

static int __init warnoops_init(void)
{
	int err = warnoops_dev_probe(&warnoops_dev);

	if (err)
		return err;
	msleep(400);		/* link settle time */
	warnoops_dev_start(&warnoops_dev);
	return 0;
}

static void __exit warnoops_exit(void)
{
}

module_init(warnoops_init);
module_exit(warnoops_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: WARN in a probe error path, oops of the same task after it");
