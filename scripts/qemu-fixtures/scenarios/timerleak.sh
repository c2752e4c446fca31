#!/bin/sh
# 3. timerleak arms a 2 s timer; rmmod without del_timer_sync(); it fires later.
insmod /modules/timerleak.ko
rmmod timerleak
sleep 10
poweroff -f
