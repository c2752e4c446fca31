#!/bin/sh
# (made for the vmcore generalisation check: the console fixture's scenario, in a dump)
insmod /modules/qemu_fw_cfg.ko
insmod /modules/hrtunload.ko
rmmod hrtunload
sleep 10
poweroff -f
