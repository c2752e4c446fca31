// SPDX-License-Identifier: GPL-2.0
/*
 * circular: the driver's netdevice notifier is called by the networking core
 * with rtnl_lock held and takes the driver's cfg_lock (rtnl -> cfg_lock);
 * the /proc/circular write handler holds cfg_lock and calls into the core,
 * which takes rtnl_lock (cfg_lock -> rtnl): an ABBA that lockdep reports.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/proc_fs.h>

struct circ_dev {
	struct mutex cfg_lock;
	unsigned int netdevs, mtu;
};

static struct circ_dev circ_dev;
static struct proc_dir_entry *circ_pde;

static int circ_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	mutex_lock(&circ_dev.cfg_lock);	/* called with rtnl_lock held */
	if (event == NETDEV_REGISTER)
		circ_dev.netdevs++;
	mutex_unlock(&circ_dev.cfg_lock);
	return NOTIFY_DONE;
}

static struct notifier_block circ_netdev_nb = {
	.notifier_call = circ_netdev_event,
};

static noinline void circ_apply_mtu(struct circ_dev *dev)
{
	rtnl_lock();
	dev->mtu = 1500;
	rtnl_unlock();
}

static noinline ssize_t circ_ctl_write(struct file *file, const char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	mutex_lock(&circ_dev.cfg_lock);
	circ_apply_mtu(&circ_dev);	/* BUG: rtnl_lock under cfg_lock */
	mutex_unlock(&circ_dev.cfg_lock);
	return count;
}

static const struct proc_ops circ_ops = {
	.proc_write = circ_ctl_write,
};

static int __init circ_init(void)
{
	int err;

	mutex_init(&circ_dev.cfg_lock);
	err = register_netdevice_notifier(&circ_netdev_nb);
	if (err)
		return err;
	circ_pde = proc_create("circular", 0200, NULL, &circ_ops);
	return circ_pde ? 0 : -ENOMEM;
}

static void __exit circ_exit(void)
{
	proc_remove(circ_pde);
	unregister_netdevice_notifier(&circ_netdev_nb);
}

module_init(circ_init);
module_exit(circ_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: driver mutex vs rtnl_lock in opposite orders");
