// SPDX-License-Identifier: GPL-2.0
/*
 * wqleak: the rx refill work function takes spin_lock_bh() and its
 * "ring full" early return forgets spin_unlock_bh(): the work returns to the
 * workqueue with the lock held and BH disabled.
 * leak_preempt=1 queues the stats work instead, whose "no counters" early
 * return skips preempt_enable().
 */
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>

static int leak_preempt;
module_param(leak_preempt, int, 0444);

struct wqleak_ring {
	spinlock_t lock;
	unsigned int head, tail, size;
	struct work_struct refill_work;
	struct work_struct stats_work;
	unsigned long __percpu *rx_count;
	unsigned long rx_total;
};

static struct wqleak_ring wqleak_rx = { .size = 64, .head = 64 };

static noinline void wqleak_refill_work(struct work_struct *work)
{
	struct wqleak_ring *ring = container_of(work, struct wqleak_ring, refill_work);

	spin_lock_bh(&ring->lock);
	if (ring->head - ring->tail >= ring->size) {
		pr_info("wqleak: rx ring full, nothing to refill\n");
		return;		/* BUG: returns with ring->lock held, BH disabled */
	}
	ring->head++;
	spin_unlock_bh(&ring->lock);
}

static noinline void wqleak_stats_work(struct work_struct *work)
{
	struct wqleak_ring *ring = container_of(work, struct wqleak_ring, stats_work);

	preempt_disable();
	if (!ring->rx_count) {
		pr_info("wqleak: no per-CPU counters yet\n");
		return;		/* BUG: returns with preemption disabled */
	}
	ring->rx_total += *this_cpu_ptr(ring->rx_count);
	preempt_enable();
}

static int __init wqleak_init(void)
{
	spin_lock_init(&wqleak_rx.lock);
	INIT_WORK(&wqleak_rx.refill_work, wqleak_refill_work);
	INIT_WORK(&wqleak_rx.stats_work, wqleak_stats_work);
	schedule_work(leak_preempt ? &wqleak_rx.stats_work : &wqleak_rx.refill_work);
	return 0;
}

static void __exit wqleak_exit(void)
{
	cancel_work_sync(&wqleak_rx.refill_work);
	cancel_work_sync(&wqleak_rx.stats_work);
}

module_init(wqleak_init);
module_exit(wqleak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: work function returns with spin_lock_bh held");
