#!/bin/sh
# the writer holds the mutex and waits for the work that needs it.
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/hungflush.ko
/scenarios/hungflush-sync.sh &
sleep 25
poweroff -f
