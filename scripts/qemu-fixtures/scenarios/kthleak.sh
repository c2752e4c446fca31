#!/bin/sh
# rmmod leaves the polling kthread running.
insmod /modules/kthleak.ko
sleep 1
rmmod kthleak
sleep 10
poweroff -f
