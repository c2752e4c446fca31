#!/bin/sh
# firmware load fails and frees the image; a write reads it through the stale pointer.
insmod /modules/kasanuaf.ko
/scenarios/kasanuaf-version.sh
sleep 3
poweroff -f
