// SPDX-License-Identifier: GPL-2.0
/*
 * nullmember: dereferences a member at offset 0x48 of a NULL struct pointer
 * (a device whose private data was never set up).
 */
#include <linux/module.h>
#include <linux/stddef.h>

struct nullmember_dev {
	char name[64];		/* 0x00 */
	unsigned long flags;	/* 0x40 */
	unsigned long rx_packets;	/* 0x48 */
	unsigned long tx_packets;	/* 0x50 */
};

struct nullmember_dev *nullmember_devs[4];	/* never filled in */
static int nullmember_idx = 1;
module_param(nullmember_idx, int, 0444);

static noinline unsigned long nullmember_read_stats(int idx)
{
	struct nullmember_dev *dev = READ_ONCE(nullmember_devs[idx]);

	return dev->rx_packets;		/* BUG: dev is NULL */
}

static int __init nullmember_init(void)
{
	BUILD_BUG_ON(offsetof(struct nullmember_dev, rx_packets) != 0x48);
	pr_info("nullmember: rx_packets=%lu\n", nullmember_read_stats(nullmember_idx));
	return 0;
}

static void __exit nullmember_exit(void)
{
}

module_init(nullmember_init);
module_exit(nullmember_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: NULL pointer dereference of a struct member");
