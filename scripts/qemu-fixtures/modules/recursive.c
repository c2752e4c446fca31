// SPDX-License-Identifier: GPL-2.0
/*
 * recursive: the /proc/recursive write handler changes the MTU with the
 * device mutex held and, to refresh the counters, calls the device's
 * get_stats op, which takes the same mutex again: lockdep reports
 * "possible recursive locking", then the writer deadlocks on itself.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>

struct recur_dev;
struct recur_ops {
	void (*get_stats)(struct recur_dev *dev);
};

struct recur_dev {
	struct mutex lock;
	const struct recur_ops *ops;
	unsigned int mtu;
	unsigned long rx_packets;
};

static void recur_get_stats(struct recur_dev *dev)
{
	mutex_lock(&dev->lock);
	dev->rx_packets = 0;
	mutex_unlock(&dev->lock);
}

static const struct recur_ops recur_ops = {
	.get_stats = recur_get_stats,
};

static struct recur_dev recur_dev = { .ops = &recur_ops };
static struct proc_dir_entry *recur_pde;

static noinline int recur_set_mtu(struct recur_dev *dev, unsigned int mtu)
{
	mutex_lock(&dev->lock);
	dev->mtu = mtu;
	dev->ops->get_stats(dev);	/* BUG: the op takes dev->lock itself */
	mutex_unlock(&dev->lock);
	return 0;
}

static noinline ssize_t recur_ctl_write(struct file *file, const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	recur_set_mtu(&recur_dev, 9000);
	return count;
}

static const struct proc_ops recur_proc_ops = {
	.proc_write = recur_ctl_write,
};

static int __init recur_init(void)
{
	mutex_init(&recur_dev.lock);
	recur_pde = proc_create("recursive", 0200, NULL, &recur_proc_ops);
	return recur_pde ? 0 : -ENOMEM;
}

module_init(recur_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a mutex taken again by an op called with it held");
