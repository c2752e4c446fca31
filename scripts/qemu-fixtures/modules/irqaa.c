// SPDX-License-Identifier: GPL-2.0
/*
 * irqaa: the stats thread (bound to CPU 1) folds the counters under
 * stats_lock taken with plain spin_lock(), interrupts enabled. The device's
 * poll timer, a hard-irq hrtimer pinned to the same CPU and fired every
 * millisecond, takes stats_lock too: it interrupts the thread inside its
 * critical section and spins, in interrupt context, on the lock that the
 * task it interrupted holds. CPU 1 deadlocks on itself with interrupts off.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/spinlock.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/delay.h>

struct irqaa_dev {
	spinlock_t stats_lock;
	struct hrtimer poll_timer;
	unsigned long polls, rx_packets;
};

static struct irqaa_dev irqaa_dev;

static enum hrtimer_restart irqaa_poll_timer_fn(struct hrtimer *t)
{
	struct irqaa_dev *dev = container_of(t, struct irqaa_dev, poll_timer);

	spin_lock(&dev->stats_lock);
	dev->polls++;
	spin_unlock(&dev->stats_lock);
	hrtimer_forward_now(t, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

static noinline void irqaa_fold_stats(struct irqaa_dev *dev)
{
	spin_lock(&dev->stats_lock);	/* BUG: the poll timer takes it in hard irq: needs spin_lock_irqsave() */
	mdelay(20);			/* folds the per-queue counters */
	dev->rx_packets++;
	spin_unlock(&dev->stats_lock);
}

static int irqaa_stats_thread(void *data)
{
	struct irqaa_dev *dev = data;

	hrtimer_init(&dev->poll_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	dev->poll_timer.function = irqaa_poll_timer_fn;
	hrtimer_start(&dev->poll_timer, ms_to_ktime(1), HRTIMER_MODE_REL_PINNED_HARD);
	while (!kthread_should_stop()) {
		irqaa_fold_stats(dev);
		msleep(10);
	}
	hrtimer_cancel(&dev->poll_timer);
	return 0;
}

static int __init irqaa_init(void)
{
	struct task_struct *t;

	spin_lock_init(&irqaa_dev.stats_lock);
	pr_info("irqaa: stats_lock at %px\n", &irqaa_dev.stats_lock);
	t = kthread_create(irqaa_stats_thread, &irqaa_dev, "irqaa_stats");
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, num_online_cpus() > 1 ? 1 : 0);
	wake_up_process(t);
	return 0;
}

module_init(irqaa_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a lock taken without disabling interrupts, and by a hard-irq hrtimer");
