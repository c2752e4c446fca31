#!/bin/sh
# the notifier took rtnl -> cfg_lock at load; the write handler takes cfg_lock -> rtnl.
insmod /modules/circular.ko
/scenarios/circular-mtu.sh
sleep 3
poweroff -f
