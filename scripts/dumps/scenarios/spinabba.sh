#!/bin/sh
# two kthreads on CPU 0 and CPU 1 take rx_lock and tx_lock in opposite orders.
insmod /modules/qemu_fw_cfg.ko
insmod /modules/spinabba.ko
sleep 120
poweroff -f
