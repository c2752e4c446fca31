// SPDX-License-Identifier: GPL-2.0
/*
 * kasanuaf: firmware load fails a checksum and its error path frees the
 * firmware image but leaves dev->fw pointing at it; the next
 * /proc/kasanuaf write reads the firmware version through the stale
 * pointer: KASAN use-after-free.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/proc_fs.h>

struct kuaf_fw {
	u32 magic, version, csum;
	u8 data[116];
};

struct kuaf_dev {
	struct kuaf_fw *fw;
	u32 fw_version;
};

static struct kuaf_dev kuaf_dev;
static struct proc_dir_entry *kuaf_pde;

static noinline int kuaf_load_fw(struct kuaf_dev *dev)
{
	dev->fw = kzalloc(sizeof(*dev->fw), GFP_KERNEL);
	if (!dev->fw)
		return -ENOMEM;
	dev->fw->magic = 0x46573031;
	dev->fw->version = 7;
	if (dev->fw->csum != 0x5a5a) {	/* the image is corrupt */
		kfree(dev->fw);		/* BUG: dev->fw is left dangling */
		return -EBADMSG;
	}
	return 0;
}

static noinline u32 kuaf_fw_version(struct kuaf_dev *dev)
{
	return dev->fw ? dev->fw->version : 0;
}

static noinline ssize_t kuaf_ctl_write(struct file *file, const char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	kuaf_dev.fw_version = kuaf_fw_version(&kuaf_dev);
	return count;
}

static const struct proc_ops kuaf_ops = {
	.proc_write = kuaf_ctl_write,
};

static int __init kuaf_init(void)
{
	int err = kuaf_load_fw(&kuaf_dev);

	if (err)
		pr_info("kasanuaf: firmware load failed (%d), running without it\n", err);
	kuaf_pde = proc_create("kasanuaf", 0200, NULL, &kuaf_ops);
	return kuaf_pde ? 0 : -ENOMEM;
}

module_init(kuaf_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture: use after free of a buffer freed on an error path");
