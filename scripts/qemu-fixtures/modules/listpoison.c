// SPDX-License-Identifier: GPL-2.0
/*
 * listdel: two teardown paths remove the same entry from a list; the second
 * list_del() finds LIST_POISON in it. With listpoison_raw=1 the second removal
 * bypasses CONFIG_DEBUG_LIST's check (__list_del_entry) and writes through
 * the poisoned pointers: a general protection fault.
 */
#include <linux/module.h>
#include <linux/list.h>
#include <linux/slab.h>

struct listdel_item {
	int id;
	struct list_head node;
};

static LIST_HEAD(listdel_items);
static int listpoison_raw;
module_param(listpoison_raw, int, 0444);

static noinline void listdel_remove(struct listdel_item *it)
{
	if (listpoison_raw)
		__list_del(it->node.prev, it->node.next);	/* no debug check */
	else
		list_del(&it->node);
}

static int __init listdel_init(void)
{
	struct listdel_item *it = kzalloc(sizeof(*it), GFP_KERNEL);

	if (!it)
		return -ENOMEM;
	it->id = 1;
	list_add(&it->node, &listdel_items);
	list_del(&it->node);		/* first teardown path */
	listdel_remove(it);		/* BUG: second teardown path */
	kfree(it);
	return 0;
}

static void __exit listdel_exit(void)
{
}

module_init(listdel_init);
module_exit(listdel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: an entry deleted twice from a list");
