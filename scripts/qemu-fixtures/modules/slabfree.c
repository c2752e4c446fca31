// SPDX-License-Identifier: GPL-2.0
/*
 * slabfree: a request is completed and freed, then its completion handler
 * still follows the request's buffer pointer. Without slab poisoning the
 * freed object's middle word is SLUB's (hardened, so scrambled) freelist
 * pointer: the load gives a non-canonical address and a general protection
 * fault. crash's kmem on the request's address shows it is a free object.
 */
#include <linux/module.h>
#include <linux/slab.h>

struct slabfree_buf {
	unsigned long flags;
	unsigned long len;
};

struct slabfree_req {
	int tag;
	struct slabfree_buf *buf;	/* offset 8: SLUB's free pointer of a 16-byte object */
};

static noinline void slabfree_req_free(struct slabfree_req *req)
{
	kfree(req);
}

static noinline unsigned long slabfree_complete(struct slabfree_req *req)
{
	return READ_ONCE(req->buf)->len;	/* BUG: req was freed */
}

static int __init slabfree_init(void)
{
	struct slabfree_req *req = kzalloc(sizeof(*req), GFP_KERNEL);
	struct slabfree_buf *buf = kzalloc(sizeof(*buf), GFP_KERNEL);

	if (!req || !buf)
		return -ENOMEM;
	req->buf = buf;
	slabfree_req_free(req);
	pr_info("slabfree: completed %lu bytes\n", slabfree_complete(req));
	kfree(buf);
	return 0;
}

static void __exit slabfree_exit(void)
{
}

module_init(slabfree_init);
module_exit(slabfree_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: a completion handler follows a pointer of a freed slab object");
