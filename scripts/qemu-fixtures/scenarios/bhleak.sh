#!/bin/sh
# 1. /proc/bhleak's write error path leaks a spin_lock_bh(): the writer
# returns to user space with BH disabled.
insmod /modules/bhleak.ko
sleep 1
/scenarios/bhleak-write.sh
sleep 5
poweroff -f
