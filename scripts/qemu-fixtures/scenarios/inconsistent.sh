#!/bin/sh
# the write handler takes the stats lock without _bh, then the timer takes it.
insmod /modules/inconsistent.ko
/scenarios/inconsistent-reset.sh
sleep 3
poweroff -f
