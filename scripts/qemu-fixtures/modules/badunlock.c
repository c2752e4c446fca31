// SPDX-License-Identifier: GPL-2.0
/*
 * badunlock: the /proc/badunlock write handler's firmware-error path calls
 * a helper that drops fw_lock, then jumps to the common exit that drops it
 * again: lockdep's "bad unlock balance".
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>

struct badunl_dev {
	struct mutex fw_lock;
	unsigned int fw_state;
};

static struct badunl_dev badunl_dev;
static struct proc_dir_entry *badunl_pde;

static noinline void badunl_fw_abort(struct badunl_dev *dev)
{
	dev->fw_state = 0;
	mutex_unlock(&dev->fw_lock);
}

static noinline ssize_t badunl_ctl_write(struct file *file, const char __user *ubuf,
					 size_t count, loff_t *ppos)
{
	struct badunl_dev *dev = &badunl_dev;
	ssize_t ret = count;

	mutex_lock(&dev->fw_lock);
	if (dev->fw_state != 2) {	/* firmware not running */
		badunl_fw_abort(dev);
		ret = -EIO;
		goto out_unlock;	/* BUG: badunl_fw_abort() already unlocked */
	}
	dev->fw_state = 3;
out_unlock:
	mutex_unlock(&dev->fw_lock);
	return ret;
}

static const struct proc_ops badunl_ops = {
	.proc_write = badunl_ctl_write,
};

static int __init badunl_init(void)
{
	mutex_init(&badunl_dev.fw_lock);
	badunl_pde = proc_create("badunlock", 0200, NULL, &badunl_ops);
	return badunl_pde ? 0 : -ENOMEM;
}

static void __exit badunl_exit(void)
{
	proc_remove(badunl_pde);
}

module_init(badunl_init);
module_exit(badunl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a mutex released twice on an error path");
