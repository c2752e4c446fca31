#!/bin/sh
# the first write takes the error path and keeps the mutex; the second blocks.
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/hungmutex.ko
echo bogus > /proc/hungmutex
/scenarios/hungmutex-cfg.sh &
sleep 25
poweroff -f
