#!/bin/sh
# the write handler takes a softirq-unsafe lock under a softirq-safe one.
insmod /modules/softirqorder.ko
/scenarios/softirqorder-mtu.sh
sleep 3
poweroff -f
