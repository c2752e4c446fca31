#!/bin/sh
# two kthreads take stats_lock and cfg_lock in opposite orders.
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/hungabba.ko
sleep 25
poweroff -f
