#!/bin/sh
# a kthread busy-waits with preemption off; sysrq-l asks every CPU for a backtrace.
insmod /modules/softrepeat.ko spin_seconds=15
sleep 3
echo l > /proc/sysrq-trigger
sleep 2
poweroff -f
