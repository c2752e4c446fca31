#!/bin/sh
# probe error path WARNs, then the caller starts the torn-down device.
insmod /modules/warnoops.ko
sleep 3
poweroff -f
