#!/bin/sh
# 2. rmmod kthstop: module exit calls kthread_stop() under spin_lock_bh().
insmod /modules/kthstop.ko
sleep 1
rmmod kthstop
sleep 5
poweroff -f
