// SPDX-License-Identifier: GPL-2.0
/*
 * spinrecursion: the transmit path holds the device spinlock and calls the
 * tx_complete op, which takes the same spinlock: CONFIG_DEBUG_SPINLOCK
 * reports "spinlock recursion" and the CPU then spins for ever.
 * Booted with lockdep.prove_locking=0 so that lockdep does not report first.
 */
#include <linux/module.h>
#include <linux/spinlock.h>

struct spinrec_dev;
struct spinrec_ops {
	void (*tx_complete)(struct spinrec_dev *dev);
};

struct spinrec_dev {
	spinlock_t lock;
	const struct spinrec_ops *ops;
	unsigned int tx_pending;
};

static void spinrec_tx_complete(struct spinrec_dev *dev)
{
	spin_lock(&dev->lock);
	dev->tx_pending = 0;
	spin_unlock(&dev->lock);
}

static const struct spinrec_ops spinrec_ops = {
	.tx_complete = spinrec_tx_complete,
};

static struct spinrec_dev spinrec_dev = { .ops = &spinrec_ops };

static noinline void spinrec_xmit(struct spinrec_dev *dev)
{
	spin_lock(&dev->lock);
	dev->tx_pending++;
	dev->ops->tx_complete(dev);	/* BUG: called with dev->lock held */
	spin_unlock(&dev->lock);
}

static int __init spinrec_init(void)
{
	spin_lock_init(&spinrec_dev.lock);
	spinrec_xmit(&spinrec_dev);
	return 0;
}

module_init(spinrec_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a spinlock taken again by an op called with it held");
