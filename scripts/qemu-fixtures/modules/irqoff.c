// SPDX-License-Identifier: GPL-2.0
/*
 * irqoff: a kthread bound to CPU 1 polls the hardware for 30 s with
 * interrupts disabled (local_irq_save()). A hard lockup for the NMI
 * watchdog; without one (no PMU under TCG) the CPUs that wait for it to
 * answer an IPI are the ones reported, and an NMI backtrace shows it.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/irqflags.h>

static int spin_seconds = 30;
module_param(spin_seconds, int, 0444);
static unsigned long irqoff_status;

static noinline void irqoff_wait_fifo(void)
{
	unsigned long flags;
	u64 n = (u64)spin_seconds * 100000;	/* 10 us each */

	local_irq_save(flags);
	while (!(READ_ONCE(irqoff_status) & 1) && n--)
		udelay(10);		/* BUG: a 30 s wait with IRQs off */
	local_irq_restore(flags);
}

static int irqoff_poll_thread(void *data)
{
	irqoff_wait_fifo();
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static int __init irqoff_init(void)
{
	struct task_struct *t = kthread_create(irqoff_poll_thread, NULL, "irqoff_poll");

	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, num_online_cpus() > 1 ? 1 : 0);
	wake_up_process(t);
	return 0;
}

module_init(irqoff_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a CPU spinning with interrupts disabled");
