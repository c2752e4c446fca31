#!/bin/sh
# the stats timer WARNs on every run (panic_on_warn=0).
insmod /modules/warnflood.ko
sleep 3
poweroff -f
