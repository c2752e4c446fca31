#!/bin/sh
# a reader takes sem (rw_semaphore) then lock (mutex), a writer lock then sem; hung task reports after 10 s.
insmod /modules/qemu_fw_cfg.ko
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
insmod /modules/rwsemabba.ko
sleep 120
poweroff -f
