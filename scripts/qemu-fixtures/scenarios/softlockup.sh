#!/bin/sh
# 8b. module init spins 60 s with preemption disabled (watchdog_thresh=3).
insmod /modules/spinlockup.ko
sleep 5
poweroff -f
