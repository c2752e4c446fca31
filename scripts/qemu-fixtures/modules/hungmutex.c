// SPDX-License-Identifier: GPL-2.0
/*
 * hungmutex: the /proc/hungmutex write handler takes the device's config
 * mutex and its "unknown command" error path returns without mutex_unlock().
 * The writer goes back to user space holding it; the next writer blocks in
 * mutex_lock() for ever.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>

struct hungmutex_dev {
	struct mutex cfg_lock;
	unsigned int mode;
};

static struct hungmutex_dev hungmutex_dev;
static struct proc_dir_entry *hungmutex_pde;

static noinline ssize_t hungmutex_ctl_write(struct file *file, const char __user *ubuf,
					    size_t count, loff_t *ppos)
{
	struct hungmutex_dev *dev = &hungmutex_dev;
	char cmd[16] = "";

	if (copy_from_user(cmd, ubuf, min(count, sizeof(cmd) - 1)))
		return -EFAULT;
	mutex_lock(&dev->cfg_lock);
	if (!strncmp(cmd, "fast", 4)) {
		dev->mode = 1;
	} else if (!strncmp(cmd, "slow", 4)) {
		dev->mode = 0;
	} else {
		pr_info("hungmutex: unknown command\n");
		return -EINVAL;		/* BUG: cfg_lock is still held */
	}
	mutex_unlock(&dev->cfg_lock);
	return count;
}

static const struct proc_ops hungmutex_ops = {
	.proc_write = hungmutex_ctl_write,
};

static int __init hungmutex_init(void)
{
	mutex_init(&hungmutex_dev.cfg_lock);
	hungmutex_pde = proc_create("hungmutex", 0200, NULL, &hungmutex_ops);
	return hungmutex_pde ? 0 : -ENOMEM;
}

static void __exit hungmutex_exit(void)
{
	proc_remove(hungmutex_pde);
}

module_init(hungmutex_init);
module_exit(hungmutex_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: mutex left held on an error path, next caller hangs");
