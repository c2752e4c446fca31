#!/bin/sh
# CPU 1 waits 60 s with IRQs off; CPU 0 sends it a function-call IPI and waits in csd_lock_wait().
insmod /modules/qemu_fw_cfg.ko
insmod /modules/csdlock.ko spin_seconds=60
sleep 120
poweroff -f
