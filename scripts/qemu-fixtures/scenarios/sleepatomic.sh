#!/bin/sh
# the write handler msleep()s under spin_lock().
insmod /modules/sleepatomic.ko
/scenarios/sleepatomic-reset.sh
sleep 3
poweroff -f
