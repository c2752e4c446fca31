#!/bin/sh
# the firmware-error path unlocks the mutex twice.
insmod /modules/badunlock.ko
/scenarios/badunlock-start.sh
sleep 3
poweroff -f
