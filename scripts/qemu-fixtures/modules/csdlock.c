// SPDX-License-Identifier: GPL-2.0
/*
 * csdlock: the FIFO thread on CPU 1 waits 15 s for the hardware FIFO with
 * interrupts disabled. Every synchronous IPI to CPU 1 waits for it: the
 * stats thread's smp_call_function_single(1, ..., wait=1), and first of all
 * the kernel TLB flush that insmod does when it frees the module's init
 * text. CONFIG_CSD_LOCK_WAIT_DEBUG (csdlock_debug=1) reports the CSD lock.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/smp.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>

struct csd_dev {
	unsigned long fifo_status;
	unsigned long counters[2];
};

static struct csd_dev csd_dev;
static int spin_seconds = 15;
module_param(spin_seconds, int, 0444);

static noinline void csd_hw_wait_fifo(struct csd_dev *dev)
{
	unsigned long flags;
	ktime_t end = ktime_add_ms(ktime_get(), spin_seconds * 1000);

	local_irq_save(flags);
	while (!(READ_ONCE(dev->fifo_status) & 1) && ktime_before(ktime_get(), end))
		udelay(10);		/* BUG: a 15 s (spin_seconds) wait with IRQs off */
	local_irq_restore(flags);
}

static int csd_fifo_thread(void *data)
{
	csd_hw_wait_fifo(data);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static void csd_read_counters(void *data)
{
	struct csd_dev *dev = data;

	dev->counters[smp_processor_id() & 1]++;
}

static int csd_stats_thread(void *data)
{
	msleep(1000);		/* CPU 1 is in its IRQs-off wait by now */
	smp_call_function_single(1, csd_read_counters, data, 1);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static void csd_start(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, &csd_dev, name);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
}

static int __init csd_init(void)
{
	if (num_online_cpus() < 2)
		return -ENODEV;
	csd_start(csd_fifo_thread, "csd_fifo", 1);
	csd_start(csd_stats_thread, "csd_stats", 0);
	return 0;
}

module_init(csd_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: an IPI to a CPU spinning with interrupts disabled");
