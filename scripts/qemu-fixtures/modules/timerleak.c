// SPDX-License-Identifier: GPL-2.0
/*
 * timerleak: arms a timer_list (itself and its callback in module memory) and
 * is unloaded without del_timer_sync(): the timer fires after rmmod.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/jiffies.h>

static struct timer_list timerleak_timer;
static unsigned long timerleak_fired;

static void timerleak_fn(struct timer_list *t)
{
	timerleak_fired++;
	mod_timer(&timerleak_timer, jiffies + HZ);
}

static int __init timerleak_init(void)
{
	timer_setup(&timerleak_timer, timerleak_fn, 0);
	mod_timer(&timerleak_timer, jiffies + 2 * HZ);
	pr_info("timerleak: timer armed at %px, callback %px\n", &timerleak_timer, timerleak_fn);
	return 0;
}

static void __exit timerleak_exit(void)
{
	pr_info("timerleak: unloading (timer still pending)\n");
	/* BUG: missing del_timer_sync(&timerleak_timer); */
}

module_init(timerleak_init);
module_exit(timerleak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: timer_list left armed after module unload");
