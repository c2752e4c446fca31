#!/bin/sh
# a nested spin_unlock_irq() turns interrupts on under cfg_lock; the kick irq_work takes cfg_lock.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/irqnest.ko
sleep 120
poweroff -f
