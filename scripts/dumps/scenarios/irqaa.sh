#!/bin/sh
# the stats thread on CPU 1 holds stats_lock (plain spin_lock) when its CPU's hard-irq poll hrtimer takes it.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/irqaa.ko
sleep 120
poweroff -f
