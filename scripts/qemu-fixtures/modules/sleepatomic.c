// SPDX-License-Identifier: GPL-2.0
/*
 * sleepatomic: the /proc/sleepatomic write handler resets the device under
 * its spinlock and waits for the reset with msleep(): it schedules while
 * atomic. The lock is taken and released correctly.
 */
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/proc_fs.h>

struct sleepatomic_dev {
	spinlock_t lock;
	unsigned int ctrl;
};

static struct sleepatomic_dev sleepatomic_dev;
static struct proc_dir_entry *sleepatomic_pde;

static noinline ssize_t sleepatomic_ctl_write(struct file *file, const char __user *ubuf,
					      size_t count, loff_t *ppos)
{
	struct sleepatomic_dev *dev = &sleepatomic_dev;

	spin_lock(&dev->lock);
	dev->ctrl |= 1;			/* start the reset */
	msleep(10);			/* BUG: sleeps with dev->lock held */
	dev->ctrl &= ~1;
	spin_unlock(&dev->lock);
	return count;
}

static const struct proc_ops sleepatomic_ops = {
	.proc_write = sleepatomic_ctl_write,
};

static int __init sleepatomic_init(void)
{
	spin_lock_init(&sleepatomic_dev.lock);
	sleepatomic_pde = proc_create("sleepatomic", 0200, NULL, &sleepatomic_ops);
	return sleepatomic_pde ? 0 : -ENOMEM;
}

static void __exit sleepatomic_exit(void)
{
	proc_remove(sleepatomic_pde);
}

module_init(sleepatomic_init);
module_exit(sleepatomic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: msleep() under spin_lock() in a write handler");
