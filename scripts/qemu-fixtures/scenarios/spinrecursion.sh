#!/bin/sh
# the xmit path holds the spinlock and calls an op that takes it again.
insmod /modules/spinrecursion.ko &
sleep 30
poweroff -f
