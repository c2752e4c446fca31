// SPDX-License-Identifier: GPL-2.0
/*
 * recurse: unbounded recursion with a 256-byte frame overflows the (16 KiB,
 * VMAP_STACK) kernel stack into its guard page.
 */
#include <linux/module.h>

static int recurse_depth = 1000000;
module_param(recurse_depth, int, 0444);

static noinline unsigned long recurse_walk(int depth, volatile unsigned char *prev)
{
	volatile unsigned char frame[256];
	unsigned long sum;

	frame[0] = depth;
	frame[255] = prev ? prev[0] : 0;
	if (depth <= 0)
		return frame[0];
	sum = recurse_walk(depth - 1, frame);	/* no termination in practice */
	return sum + frame[255];
}

static int __init recurse_init(void)
{
	pr_info("recurse: walking %d levels\n", recurse_depth);
	pr_info("recurse: sum=%lu\n", recurse_walk(recurse_depth, NULL));
	return 0;
}

static void __exit recurse_exit(void)
{
}

module_init(recurse_init);
module_exit(recurse_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: kernel stack overflow by recursion");
