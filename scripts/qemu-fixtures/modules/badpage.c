// SPDX-License-Identifier: GPL-2.0
/*
 * badpage: frees a buffer of pages whose first page's map count says it is
 * still mapped (the _mapcount was raised as a mapping would, and never
 * dropped), from module init. Order 4: freed straight to the buddy allocator,
 * which checks the page (order-0 pages wait on the per-CPU lists unchecked).
 */
#include <linux/module.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#define BADPAGE_ORDER 4

static noinline void badpage_drop_buffer(struct page *page)
{
	__free_pages(page, BADPAGE_ORDER);	/* BUG: still counted as mapped */
}

static int __init badpage_init(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, BADPAGE_ORDER);

	if (!page)
		return -ENOMEM;
	atomic_inc(&page->_mapcount);	/* as if it had been mapped once */
	badpage_drop_buffer(page);
	return 0;
}

static void __exit badpage_exit(void)
{
}

module_init(badpage_init);
module_exit(badpage_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: Bad page state (nonzero mapcount)");
