#!/bin/sh
# rmmod leaves the delayed stats work queued.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/wqunload.ko
rmmod wqunload
sleep 60
poweroff -f
