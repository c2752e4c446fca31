#!/bin/sh
# a SCHED_FIFO kthread busy-polls CPU 1 forever, preempting an RCU reader there; RT throttling off.
insmod /modules/qemu_fw_cfg.ko
echo -1 > /proc/sys/kernel/sched_rt_runtime_us
insmod /modules/rcuprio.ko
sleep 120
poweroff -f
