#!/bin/sh
# A completion handler follows a pointer of a request it freed: a GPF on a scrambled freelist pointer, oops=panic.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/slabfree.ko
sleep 60
poweroff -f
