#!/bin/sh
# rmmod leaves the delayed stats work queued.
insmod /modules/wqunload.ko
rmmod wqunload
sleep 10
poweroff -f
