#!/bin/sh
# three kthreads take m1/m2, m2/m3 and m3/m1 (mutexes); hung task reports after 10 s.
insmod /modules/qemu_fw_cfg.ko
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/mutexring.ko
sleep 120
poweroff -f
