#!/bin/sh
# the last put frees the session with its mutex held.
insmod /modules/heldfreed.ko
/scenarios/heldfreed-close.sh
sleep 3
poweroff -f
