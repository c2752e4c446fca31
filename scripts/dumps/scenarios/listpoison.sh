#!/bin/sh
# (made for the vmcore generalisation check: the console fixture's scenario, in a dump)
insmod /modules/qemu_fw_cfg.ko
insmod /modules/listpoison.ko listpoison_raw=1
sleep 5
poweroff -f
