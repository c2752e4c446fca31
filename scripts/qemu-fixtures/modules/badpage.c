// SPDX-License-Identifier: GPL-2.0
/*
 * badpage: the rx ring stashes a back pointer to itself in page->mapping of
 * each 64 KiB (order-4) jumbo rx buffer and frees the buffers without
 * clearing it: the page allocator finds a page with a non-NULL mapping on
 * free ("Bad page state"). Order-0 frees go through the per-CPU lists, which
 * check nothing without CONFIG_DEBUG_VM or debug_pagealloc.
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#define BADPAGE_RX_ORDER 4

struct badpage_ring {
	struct page *pages[4];
	unsigned int count;
};

static noinline int badpage_rx_alloc(struct badpage_ring *ring)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ring->pages); i++) {
		ring->pages[i] = alloc_pages(GFP_KERNEL, BADPAGE_RX_ORDER);
		if (!ring->pages[i])
			return -ENOMEM;
		/* the owner, for the completion handler to find the ring */
		ring->pages[i]->mapping = (struct address_space *)ring;
		ring->count++;
	}
	return 0;
}

static noinline void badpage_rx_free(struct badpage_ring *ring)
{
	unsigned int i;

	for (i = 0; i < ring->count; i++)
		__free_pages(ring->pages[i], BADPAGE_RX_ORDER);	/* BUG: page->mapping still set */
	ring->count = 0;
}

static int __init badpage_init(void)
{
	struct badpage_ring *ring = kzalloc(sizeof(*ring), GFP_KERNEL);

	if (!ring)
		return -ENOMEM;
	badpage_rx_alloc(ring);
	badpage_rx_free(ring);
	kfree(ring);
	return 0;
}

static void __exit badpage_exit(void)
{
}

module_init(badpage_init);
module_exit(badpage_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: page freed with page->mapping still set");
