// SPDX-License-Identifier: GPL-2.0
/*
 * listdel: the /proc/listdel write handler unbinds a client, and on the
 * "device busy" error path unbinds it once more: list_del() of an entry that
 * is already off the list (its pointers are LIST_POISON1/2).
 */
#include <linux/module.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>

struct listdel_client {
	struct list_head node;
	unsigned int id;
};

static LIST_HEAD(listdel_clients);
static DEFINE_MUTEX(listdel_lock);
static struct proc_dir_entry *listdel_pde;

static noinline void listdel_unbind_client(struct listdel_client *c)
{
	list_del(&c->node);
}

static noinline ssize_t listdel_ctl_write(struct file *file, const char __user *ubuf,
					  size_t count, loff_t *ppos)
{
	struct listdel_client *c;
	int busy = 1;	/* the device refuses the unbind */

	mutex_lock(&listdel_lock);
	c = list_first_entry_or_null(&listdel_clients, struct listdel_client, node);
	if (c) {
		listdel_unbind_client(c);
		if (busy) {
			pr_info("listdel: client %u busy, undoing\n", c->id);
			listdel_unbind_client(c);	/* BUG: already unbound above */
		}
	}
	mutex_unlock(&listdel_lock);
	return count;
}

static const struct proc_ops listdel_ops = {
	.proc_write = listdel_ctl_write,
};

static int __init listdel_init(void)
{
	struct listdel_client *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->id = 7;
	list_add_tail(&c->node, &listdel_clients);
	listdel_pde = proc_create("listdel", 0200, NULL, &listdel_ops);
	return listdel_pde ? 0 : -ENOMEM;
}

static void __exit listdel_exit(void)
{
	proc_remove(listdel_pde);
}

module_init(listdel_init);
module_exit(listdel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: list_del() twice on an error path");
