// SPDX-License-Identifier: GPL-2.0
/*
 * rwsemabba: the reader thread takes sem for reading, then lock (a mutex);
 * the writer thread takes lock, then sem for writing, each with a 200 ms
 * msleep() between the two: an ABBA deadlock of a rw_semaphore and a mutex,
 * the writer queued behind the reader that holds sem.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/kthread.h>
#include <linux/delay.h>

struct rwsemabba_dev {
	struct rw_semaphore sem;
	struct mutex lock;
	unsigned long lookups, resizes;
};

static struct rwsemabba_dev rwsemabba_dev;

static noinline void rwsemabba_lookup(struct rwsemabba_dev *dev)
{
	down_read(&dev->sem);
	msleep(200);			/* walks the table */
	mutex_lock(&dev->lock);		/* BUG: lock after sem */
	dev->lookups++;
	mutex_unlock(&dev->lock);
	up_read(&dev->sem);
}

static noinline void rwsemabba_resize(struct rwsemabba_dev *dev)
{
	mutex_lock(&dev->lock);
	msleep(200);			/* allocates the new table */
	down_write(&dev->sem);		/* sem after lock */
	dev->resizes++;
	up_write(&dev->sem);
	mutex_unlock(&dev->lock);
}

static int rwsemabba_reader_thread(void *data)
{
	while (!kthread_should_stop()) {
		rwsemabba_lookup(data);
		msleep(100);
	}
	return 0;
}

static int rwsemabba_writer_thread(void *data)
{
	while (!kthread_should_stop()) {
		rwsemabba_resize(data);
		msleep(100);
	}
	return 0;
}

static int __init rwsemabba_init(void)
{
	init_rwsem(&rwsemabba_dev.sem);
	mutex_init(&rwsemabba_dev.lock);
	kthread_run(rwsemabba_reader_thread, &rwsemabba_dev, "rwsemabba_rd");
	kthread_run(rwsemabba_writer_thread, &rwsemabba_dev, "rwsemabba_wr");
	return 0;
}

module_init(rwsemabba_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a rw_semaphore and a mutex taken in opposite order");
