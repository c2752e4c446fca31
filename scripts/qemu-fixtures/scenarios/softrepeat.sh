#!/bin/sh
# a kthread busy-waits 40 s with preemption off; no softlockup_panic.
insmod /modules/softrepeat.ko
sleep 60
poweroff -f
