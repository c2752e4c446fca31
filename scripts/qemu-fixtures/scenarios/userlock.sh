#!/bin/sh
# as hungmutex, on the lockdep kernel: the writer returns to user space with the mutex.
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/hungmutex.ko
echo bogus > /proc/hungmutex
/scenarios/hungmutex-cfg.sh &
sleep 25
poweroff -f
