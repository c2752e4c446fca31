#!/bin/sh
# as hungflush, on the lockdep kernel: the hung task report lists every held lock.
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/hungflush.ko
/scenarios/hungflush-sync.sh &
sleep 25
poweroff -f
