#!/bin/sh
# the rx refill work returns with spin_lock_bh() held.
insmod /modules/wqleak.ko
sleep 5
poweroff -f
