// SPDX-License-Identifier: GPL-2.0
/*
 * hungflush: the /proc/hungflush write handler holds the device mutex while
 * it waits for the flush work to signal a completion; the flush work takes
 * the same mutex first, so it never gets there. Both wait for ever.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/proc_fs.h>

struct hungflush_dev {
	struct mutex lock;
	struct work_struct flush_work;
	struct completion flushed;
	unsigned int dirty;
};

static struct hungflush_dev hungflush_dev;
static struct proc_dir_entry *hungflush_pde;

static noinline void hungflush_flush_work(struct work_struct *work)
{
	struct hungflush_dev *dev = container_of(work, struct hungflush_dev, flush_work);

	mutex_lock(&dev->lock);		/* held by the writer, who waits for us */
	dev->dirty = 0;
	mutex_unlock(&dev->lock);
	complete(&dev->flushed);
}

static noinline ssize_t hungflush_ctl_write(struct file *file, const char __user *ubuf,
					    size_t count, loff_t *ppos)
{
	struct hungflush_dev *dev = &hungflush_dev;

	mutex_lock(&dev->lock);
	reinit_completion(&dev->flushed);
	schedule_work(&dev->flush_work);
	wait_for_completion(&dev->flushed);	/* BUG: waits with dev->lock held */
	mutex_unlock(&dev->lock);
	return count;
}

static const struct proc_ops hungflush_ops = {
	.proc_write = hungflush_ctl_write,
};

static int __init hungflush_init(void)
{
	mutex_init(&hungflush_dev.lock);
	init_completion(&hungflush_dev.flushed);
	INIT_WORK(&hungflush_dev.flush_work, hungflush_flush_work);
	hungflush_pde = proc_create("hungflush", 0200, NULL, &hungflush_ops);
	return hungflush_pde ? 0 : -ENOMEM;
}

static void __exit hungflush_exit(void)
{
	proc_remove(hungflush_pde);
}

module_init(hungflush_init);
module_exit(hungflush_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: waiting on a completion with the mutex its work needs");
