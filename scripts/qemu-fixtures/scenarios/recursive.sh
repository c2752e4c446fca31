#!/bin/sh
# the MTU write holds the device mutex and calls an op that takes it again.
insmod /modules/recursive.ko
/scenarios/recursive-mtu.sh &
sleep 5
poweroff -f
