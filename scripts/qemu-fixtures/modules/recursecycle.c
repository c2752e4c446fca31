// SPDX-License-Identifier: GPL-2.0
/*
 * recursecycle: a descriptor parser walks node -> attributes -> value ->
 * node. The firmware table it is given refers to itself, and nothing bounds
 * the depth: the three-function cycle overflows the kernel stack.
 */
#include <linux/module.h>

struct recursecycle_desc {
	unsigned int type;
	const struct recursecycle_desc *child;
};

/* a table whose value refers back to its own node */
static struct recursecycle_desc recursecycle_table = { .type = 1 };

static unsigned long recursecycle_parse_node(const struct recursecycle_desc *d, int depth);

static noinline unsigned long recursecycle_parse_value(const struct recursecycle_desc *d, int depth)
{
	volatile unsigned char scratch[96];
	unsigned long v;

	scratch[0] = d->type;
	v = d->child ? recursecycle_parse_node(d->child, depth + 1) : 0;
	return v + scratch[0];
}

static noinline unsigned long recursecycle_parse_attrs(const struct recursecycle_desc *d, int depth)
{
	volatile unsigned char scratch[96];
	unsigned long v;

	scratch[0] = depth;
	v = recursecycle_parse_value(d, depth);
	return v + scratch[0];
}

static noinline unsigned long recursecycle_parse_node(const struct recursecycle_desc *d, int depth)
{
	volatile unsigned char scratch[96];
	unsigned long v;

	/* BUG: no depth limit and no check for a node already being parsed */
	scratch[0] = d->type;
	v = recursecycle_parse_attrs(d, depth);
	return v + scratch[0];
}

static int __init recursecycle_init(void)
{
	recursecycle_table.child = &recursecycle_table;
	pr_info("recursecycle: parsed %lu\n", recursecycle_parse_node(&recursecycle_table, 0));
	return 0;
}

static void __exit recursecycle_exit(void)
{
}

module_init(recursecycle_init);
module_exit(recursecycle_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: stack overflow by a three-function recursion cycle");
