// SPDX-License-Identifier: GPL-2.0
/*
 * mutexring: three kthreads and three mutexes taken in a cycle: thread A
 * takes m1 then m2, B takes m2 then m3, C takes m3 then m1, each with a
 * 200 ms msleep() between the two: every thread holds the mutex the one
 * before it waits for, a deadlock ring of three.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/kthread.h>
#include <linux/delay.h>

struct mutexring_dev {
	struct mutex m1;
	struct mutex m2;
	struct mutex m3;
	unsigned long a_runs, b_runs, c_runs;
};

static struct mutexring_dev mutexring_dev;

static noinline void mutexring_step_a(struct mutexring_dev *dev)
{
	mutex_lock(&dev->m1);
	msleep(200);
	mutex_lock(&dev->m2);		/* BUG: m2 after m1 */
	dev->a_runs++;
	mutex_unlock(&dev->m2);
	mutex_unlock(&dev->m1);
}

static noinline void mutexring_step_b(struct mutexring_dev *dev)
{
	mutex_lock(&dev->m2);
	msleep(200);
	mutex_lock(&dev->m3);		/* m3 after m2 */
	dev->b_runs++;
	mutex_unlock(&dev->m3);
	mutex_unlock(&dev->m2);
}

static noinline void mutexring_step_c(struct mutexring_dev *dev)
{
	mutex_lock(&dev->m3);
	msleep(200);
	mutex_lock(&dev->m1);		/* m1 after m3: closes the ring */
	dev->c_runs++;
	mutex_unlock(&dev->m1);
	mutex_unlock(&dev->m3);
}

static int mutexring_a_thread(void *data)
{
	while (!kthread_should_stop()) {
		mutexring_step_a(data);
		msleep(100);
	}
	return 0;
}

static int mutexring_b_thread(void *data)
{
	while (!kthread_should_stop()) {
		mutexring_step_b(data);
		msleep(100);
	}
	return 0;
}

static int mutexring_c_thread(void *data)
{
	while (!kthread_should_stop()) {
		mutexring_step_c(data);
		msleep(100);
	}
	return 0;
}

static int __init mutexring_init(void)
{
	mutex_init(&mutexring_dev.m1);
	mutex_init(&mutexring_dev.m2);
	mutex_init(&mutexring_dev.m3);
	kthread_run(mutexring_a_thread, &mutexring_dev, "mutexring_a");
	kthread_run(mutexring_b_thread, &mutexring_dev, "mutexring_b");
	kthread_run(mutexring_c_thread, &mutexring_dev, "mutexring_c");
	return 0;
}

module_init(mutexring_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: three kthreads take three mutexes in a cycle");
