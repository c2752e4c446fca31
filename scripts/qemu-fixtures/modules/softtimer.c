// SPDX-License-Identifier: GPL-2.0
/*
 * softtimer: the watchdog timer callback of a fake NIC polls for the TX
 * queue to drain with udelay() and no bound that works: it loops in softirq
 * context until the soft lockup watchdog fires. The CPU is seen in the delay
 * loop (delay_tsc / __const_udelay); the callback is the culprit.
 * use_hrtimer=1 runs the same callback from a softirq-mode hrtimer instead
 * of a timer_list.
 */
#include <linux/module.h>
#include <linux/timer.h>
#include <linux/hrtimer.h>
#include <linux/delay.h>

static int use_hrtimer;
module_param(use_hrtimer, int, 0444);

struct softtimer_nic {
	struct timer_list watchdog;
	struct hrtimer tx_timer;
	unsigned int tx_pending;
	unsigned long polls;
};

static struct softtimer_nic softtimer_nic = { .tx_pending = 1 };

/* BUG: the hardware never clears tx_pending; the bound is 10^9 polls */
#define SOFTTIMER_WAIT_TX_DRAINED(nic)					\
	while (READ_ONCE((nic)->tx_pending) && (nic)->polls < 1000000000UL) {	\
		udelay(10);						\
		(nic)->polls++;						\
	}

static noinline void softtimer_watchdog_fn(struct timer_list *t)
{
	struct softtimer_nic *nic = from_timer(nic, t, watchdog);

	SOFTTIMER_WAIT_TX_DRAINED(nic);
}

static noinline enum hrtimer_restart softtimer_tx_timer_fn(struct hrtimer *t)
{
	struct softtimer_nic *nic = container_of(t, struct softtimer_nic, tx_timer);

	SOFTTIMER_WAIT_TX_DRAINED(nic);
	return HRTIMER_NORESTART;
}

static int __init softtimer_init(void)
{
	if (use_hrtimer) {
		hrtimer_init(&softtimer_nic.tx_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
		softtimer_nic.tx_timer.function = softtimer_tx_timer_fn;
		hrtimer_start(&softtimer_nic.tx_timer, ms_to_ktime(500), HRTIMER_MODE_REL_SOFT);
	} else {
		timer_setup(&softtimer_nic.watchdog, softtimer_watchdog_fn, 0);
		mod_timer(&softtimer_nic.watchdog, jiffies + HZ / 2);
	}
	return 0;
}

module_init(softtimer_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: soft lockup in a timer callback that polls with udelay");
