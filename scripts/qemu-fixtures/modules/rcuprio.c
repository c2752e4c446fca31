// SPDX-License-Identifier: GPL-2.0
/*
 * rcuprio: a statistics thread walks the RCU-protected flow table on CPU 1
 * inside rcu_read_lock(), a little work per entry, preemptible. A polling
 * thread of the same driver, SCHED_FIFO and bound to CPU 1 too, wakes up a
 * second later and busy-polls its "hardware" without ever sleeping. With a
 * preemptible kernel (preempt=full) the reader is preempted inside its
 * read-side critical section and never runs again (RT throttling is off in
 * the scenario): the grace period waits for a task that is not running, and
 * RCU reports "Tasks blocked on level-0 rcu_node".
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/slab.h>

struct rcuprio_table {
	unsigned long flows[256];
};

struct rcuprio_dev {
	struct rcuprio_table __rcu *table;
	unsigned long bytes, polls;
};

static struct rcuprio_dev rcuprio_dev;
static struct task_struct *rcuprio_threads[2];

static noinline void rcuprio_sum_flows(struct rcuprio_dev *dev)
{
	struct rcuprio_table *t;
	unsigned int i;

	rcu_read_lock();
	t = rcu_dereference(dev->table);
	for (i = 0; t && i < 100000; i++) {
		dev->bytes += READ_ONCE(t->flows[i % ARRAY_SIZE(t->flows)]);
		udelay(100);	/* preemptible: the FIFO poller below takes the CPU here */
	}
	rcu_read_unlock();
}

static int rcuprio_stats_thread(void *data)
{
	while (!kthread_should_stop()) {
		rcuprio_sum_flows(data);
		schedule_timeout_interruptible(HZ / 10);
	}
	return 0;
}

static noinline void rcuprio_poll_hw(struct rcuprio_dev *dev)
{
	/* BUG: a SCHED_FIFO busy poll that never sleeps starves every other task of this CPU */
	for (;;) {
		WRITE_ONCE(dev->polls, dev->polls + 1);
		cpu_relax();
	}
}

static int rcuprio_poll_thread(void *data)
{
	sched_set_fifo(current);
	msleep(1000);
	rcuprio_poll_hw(data);
	return 0;
}

static struct task_struct *rcuprio_start(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, &rcuprio_dev, name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	return t;
}

static int __init rcuprio_init(void)
{
	if (num_online_cpus() < 2)
		return -ENODEV;
	RCU_INIT_POINTER(rcuprio_dev.table, kzalloc(sizeof(struct rcuprio_table), GFP_KERNEL));
	if (!rcu_access_pointer(rcuprio_dev.table))
		return -ENOMEM;
	rcuprio_threads[0] = rcuprio_start(rcuprio_stats_thread, "rcuprio_stats", 1);
	rcuprio_threads[1] = rcuprio_start(rcuprio_poll_thread, "rcuprio_poll", 1);
	return 0;
}

module_init(rcuprio_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a SCHED_FIFO busy poll preempts an RCU reader on its CPU for good");
