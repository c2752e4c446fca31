// SPDX-License-Identifier: GPL-2.0
/*
 * spinabba: the rx thread (bound to CPU 0) takes rx_lock then tx_lock, the
 * tx thread (bound to CPU 1) takes tx_lock then rx_lock, each with a 100 ms
 * busy wait between the two: an ABBA deadlock of two spinlocks, both CPUs
 * spinning for ever in the queued spinlock slow path.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/spinlock.h>
#include <linux/delay.h>

struct spinabba_dev {
	spinlock_t rx_lock;
	spinlock_t tx_lock;
	unsigned long rx_packets, tx_packets;
};

static struct spinabba_dev spinabba_dev;

static noinline void spinabba_rx_poll(struct spinabba_dev *dev)
{
	spin_lock(&dev->rx_lock);
	mdelay(100);			/* drains the rx ring */
	spin_lock(&dev->tx_lock);	/* BUG: tx_lock after rx_lock */
	dev->rx_packets++;
	spin_unlock(&dev->tx_lock);
	spin_unlock(&dev->rx_lock);
}

static noinline void spinabba_tx_clean(struct spinabba_dev *dev)
{
	spin_lock(&dev->tx_lock);
	mdelay(100);			/* reclaims the tx descriptors */
	spin_lock(&dev->rx_lock);	/* rx_lock after tx_lock */
	dev->tx_packets++;
	spin_unlock(&dev->rx_lock);
	spin_unlock(&dev->tx_lock);
}

static int spinabba_rx_thread(void *data)
{
	while (!kthread_should_stop()) {
		spinabba_rx_poll(data);
		msleep(10);
	}
	return 0;
}

static int spinabba_tx_thread(void *data)
{
	while (!kthread_should_stop()) {
		spinabba_tx_clean(data);
		msleep(10);
	}
	return 0;
}

static void spinabba_start(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, &spinabba_dev, name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
}

static int __init spinabba_init(void)
{
	if (num_online_cpus() < 2)
		return -ENODEV;
	spin_lock_init(&spinabba_dev.rx_lock);
	spin_lock_init(&spinabba_dev.tx_lock);
	pr_info("spinabba: rx_lock at %px, tx_lock at %px\n",
		&spinabba_dev.rx_lock, &spinabba_dev.tx_lock);
	spinabba_start(spinabba_rx_thread, "spinabba_rx", 0);
	spinabba_start(spinabba_tx_thread, "spinabba_tx", 1);
	return 0;
}

module_init(spinabba_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: two kthreads on two CPUs take two spinlocks in opposite order");
