#!/bin/sh
# timerleak arms a 2 s timer; rmmod without del_timer_sync(); it fires later.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/timerleak.ko
rmmod timerleak
sleep 60
poweroff -f
