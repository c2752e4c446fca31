// SPDX-License-Identifier: GPL-2.0
/*
 * heldfreed: the /proc/heldfreed write handler drops a user of the session
 * under the session mutex and, when it was the last user, frees the session
 * and returns without unlocking: lockdep's "held lock freed!".
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/proc_fs.h>

struct heldf_session {
	struct mutex lock;
	unsigned int users;
};

static struct heldf_session *heldf_session;
static struct proc_dir_entry *heldf_pde;

static noinline void heldf_session_put(struct heldf_session *s)
{
	mutex_lock(&s->lock);
	if (--s->users == 0) {
		kfree(s);	/* BUG: freed with s->lock held, never unlocked */
		return;
	}
	mutex_unlock(&s->lock);
}

static noinline ssize_t heldf_ctl_write(struct file *file, const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	struct heldf_session *s = xchg(&heldf_session, NULL);

	if (s)
		heldf_session_put(s);
	return count;
}

static const struct proc_ops heldf_ops = {
	.proc_write = heldf_ctl_write,
};

static int __init heldf_init(void)
{
	heldf_session = kzalloc(sizeof(*heldf_session), GFP_KERNEL);
	if (!heldf_session)
		return -ENOMEM;
	mutex_init(&heldf_session->lock);
	heldf_session->users = 1;
	heldf_pde = proc_create("heldfreed", 0200, NULL, &heldf_ops);
	return heldf_pde ? 0 : -ENOMEM;
}

module_init(heldf_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: an object freed while its mutex is held");
