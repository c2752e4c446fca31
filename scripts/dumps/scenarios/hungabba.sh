#!/bin/sh
# two kthreads take stats_lock and cfg_lock (mutexes) in opposite orders; hung task reports after 10 s.
insmod /modules/qemu_fw_cfg.ko
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/hungabba.ko
sleep 120
poweroff -f
