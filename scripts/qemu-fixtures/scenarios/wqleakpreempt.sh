#!/bin/sh
# the stats work returns with preemption disabled.
insmod /modules/wqleak.ko leak_preempt=1
sleep 5
poweroff -f
