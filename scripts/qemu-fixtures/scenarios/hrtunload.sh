#!/bin/sh
# rmmod leaves the sampling hrtimer armed.
insmod /modules/hrtunload.ko
rmmod hrtunload
sleep 10
poweroff -f
