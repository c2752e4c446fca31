#!/bin/sh
# the same callback from a softirq-mode hrtimer.
insmod /modules/softtimer.ko use_hrtimer=1
sleep 30
poweroff -f
