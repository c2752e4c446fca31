// SPDX-License-Identifier: GPL-2.0
/*
 * kasanoob: the /proc/kasanoob write handler copies the new port label into
 * a buffer of exactly count bytes and then NUL-terminates it one byte past
 * the end: KASAN slab-out-of-bounds write.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/proc_fs.h>

struct koob_port {
	char *label;
};

static struct koob_port koob_port;
static struct proc_dir_entry *koob_pde;

static noinline int koob_set_label(struct koob_port *port, const char __user *ubuf, size_t count)
{
	char *label = kmalloc(count, GFP_KERNEL);	/* BUG: no room for the NUL */

	if (!label)
		return -ENOMEM;
	if (copy_from_user(label, ubuf, count)) {
		kfree(label);
		return -EFAULT;
	}
	label[count] = '\0';
	kfree(port->label);
	port->label = label;
	return 0;
}

static noinline ssize_t koob_ctl_write(struct file *file, const char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	int err = koob_set_label(&koob_port, ubuf, count);

	return err ? err : count;
}

static const struct proc_ops koob_ops = {
	.proc_write = koob_ctl_write,
};

static int __init koob_init(void)
{
	koob_pde = proc_create("kasanoob", 0200, NULL, &koob_ops);
	return koob_pde ? 0 : -ENOMEM;
}

module_init(koob_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: off-by-one NUL terminator past a kmalloc buffer");
