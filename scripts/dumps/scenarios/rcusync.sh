#!/bin/sh
# a kthread on CPU 1 busy-waits 60 s inside rcu_read_lock(); another calls synchronize_rcu(); hung task reports after 10 s.
insmod /modules/qemu_fw_cfg.ko
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/rcusync.ko scan_seconds=60
sleep 120
poweroff -f
