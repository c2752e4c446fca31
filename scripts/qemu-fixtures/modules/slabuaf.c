// SPDX-License-Identifier: GPL-2.0
/*
 * slabuaf: frees a session object and then follows a pointer stored in it;
 * with slub_debug=P the freed object is filled with 0x6b, so the pointer
 * loaded from it is 0x6b6b6b6b6b6b6b6b.
 */
#include <linux/module.h>
#include <linux/slab.h>

struct slabuaf_peer {
	unsigned long flags;
	unsigned long packets;
};

struct slabuaf_session {
	int id;
	struct slabuaf_peer *peer;
};

static noinline unsigned long slabuaf_peer_packets(struct slabuaf_session *s)
{
	return READ_ONCE(s->peer)->packets;	/* BUG: s was freed */
}

static int __init slabuaf_init(void)
{
	struct slabuaf_session *s = kzalloc(sizeof(*s), GFP_KERNEL);
	struct slabuaf_peer *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!s || !p)
		return -ENOMEM;
	s->peer = p;
	kfree(s);
	pr_info("slabuaf: packets=%lu\n", slabuaf_peer_packets(s));
	kfree(p);
	return 0;
}

static void __exit slabuaf_exit(void)
{
}

module_init(slabuaf_init);
module_exit(slabuaf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a pointer read from a freed, poisoned slab object");
