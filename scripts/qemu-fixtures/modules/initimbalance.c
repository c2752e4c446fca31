// SPDX-License-Identifier: GPL-2.0
/*
 * initimbalance: the init function's error path returns with preemption
 * still disabled (a get_cpu() without its put_cpu()).
 */
#include <linux/module.h>
#include <linux/smp.h>

static int initimbalance_fail = 1;
module_param(initimbalance_fail, int, 0444);

static int __init initimbalance_init(void)
{
	int cpu = get_cpu();

	if (initimbalance_fail) {
		pr_info("initimbalance: setup failed on CPU %d\n", cpu);
		return 0;		/* BUG: no put_cpu() on this path */
	}
	put_cpu();
	return 0;
}

static void __exit initimbalance_exit(void)
{
}

module_init(initimbalance_init);
module_exit(initimbalance_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: an init function that returns with preemption disabled");
