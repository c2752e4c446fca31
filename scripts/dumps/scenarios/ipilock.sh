#!/bin/sh
# CPU 0 waits in smp_call_function_single() holding a lock that CPU 1 spins on with interrupts off.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/ipilock.ko
sleep 120
poweroff -f
