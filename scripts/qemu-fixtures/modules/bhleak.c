// SPDX-License-Identifier: GPL-2.0
/*
 * bhleak: a /proc/bhleak write handler that takes spin_lock_bh() and, on its
 * error path (input too long), releases the lock with plain spin_unlock().
 * The writer returns to user space with bottom halves still disabled
 * (one leaked SOFTIRQ_DISABLE_OFFSET, 0x200).
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

static DEFINE_SPINLOCK(bhleak_lock);
static char bhleak_buf[16];
static struct proc_dir_entry *bhleak_pde;

static noinline ssize_t bhleak_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	spin_lock_bh(&bhleak_lock);
	if (count >= sizeof(bhleak_buf)) {
		pr_info("bhleak: input too long (%zu bytes)\n", count);
		spin_unlock(&bhleak_lock);	/* BUG: should be spin_unlock_bh() */
		return -EINVAL;
	}
	memset(bhleak_buf, 0, sizeof(bhleak_buf));
	if (copy_from_user(bhleak_buf, ubuf, count)) {
		spin_unlock_bh(&bhleak_lock);
		return -EFAULT;
	}
	spin_unlock_bh(&bhleak_lock);
	return count;
}

static const struct proc_ops bhleak_ops = {
	.proc_write = bhleak_write,
};

static int __init bhleak_init(void)
{
	bhleak_pde = proc_create("bhleak", 0200, NULL, &bhleak_ops);
	return bhleak_pde ? 0 : -ENOMEM;
}

static void __exit bhleak_exit(void)
{
	proc_remove(bhleak_pde);
}

module_init(bhleak_init);
module_exit(bhleak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: spin_lock_bh released with spin_unlock on an error path");
