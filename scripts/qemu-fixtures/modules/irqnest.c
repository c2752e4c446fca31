// SPDX-License-Identifier: GPL-2.0
/*
 * irqnest: the reconfigure path takes cfg_lock with spin_lock_irq() and
 * calls irqnest_update_stats(), which takes and releases stats_lock with
 * spin_lock_irq()/spin_unlock_irq(): the inner unlock turns interrupts back
 * on while cfg_lock is still held. The path then queues the device's kick
 * irq_work, meant to run once cfg_lock is dropped and interrupts are on
 * again; with interrupts already on, its self-IPI arrives at once and the
 * kick handler spins in hard irq on cfg_lock, held by the task it
 * interrupted. CPU 1 deadlocks on itself.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/spinlock.h>
#include <linux/irq_work.h>
#include <linux/delay.h>

struct irqnest_dev {
	spinlock_t cfg_lock;
	spinlock_t stats_lock;
	struct irq_work kick_work;
	unsigned int mtu;
	unsigned long updates, kicks;
};

static struct irqnest_dev irqnest_dev;

static void irqnest_kick(struct irq_work *work)
{
	struct irqnest_dev *dev = container_of(work, struct irqnest_dev, kick_work);

	spin_lock(&dev->cfg_lock);	/* hard irq: interrupts are off, as they should be under cfg_lock */
	dev->kicks++;
	spin_unlock(&dev->cfg_lock);
}

static noinline void irqnest_update_stats(struct irqnest_dev *dev)
{
	spin_lock_irq(&dev->stats_lock);
	dev->updates++;
	spin_unlock_irq(&dev->stats_lock);	/* BUG: enables interrupts; the caller holds cfg_lock */
}

static noinline void irqnest_reconfigure(struct irqnest_dev *dev, unsigned int mtu)
{
	spin_lock_irq(&dev->cfg_lock);
	dev->mtu = mtu;
	irqnest_update_stats(dev);
	irq_work_queue(&dev->kick_work);	/* runs after spin_unlock_irq() below: or so it should */
	mdelay(5);				/* reprograms the rings */
	spin_unlock_irq(&dev->cfg_lock);
}

static int irqnest_cfg_thread(void *data)
{
	unsigned int mtu = 1500;

	while (!kthread_should_stop()) {
		irqnest_reconfigure(data, mtu);
		mtu = mtu == 1500 ? 9000 : 1500;
		msleep(100);
	}
	return 0;
}

static int __init irqnest_init(void)
{
	struct task_struct *t;

	spin_lock_init(&irqnest_dev.cfg_lock);
	spin_lock_init(&irqnest_dev.stats_lock);
	init_irq_work(&irqnest_dev.kick_work, irqnest_kick);
	pr_info("irqnest: cfg_lock at %px\n", &irqnest_dev.cfg_lock);
	t = kthread_create(irqnest_cfg_thread, &irqnest_dev, "irqnest_cfg");
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, num_online_cpus() > 1 ? 1 : 0);
	wake_up_process(t);
	return 0;
}

module_init(irqnest_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a nested spin_unlock_irq() re-enables interrupts under an outer lock");
