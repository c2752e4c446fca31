#!/bin/sh
# as listdel, on the debug kernel: CONFIG_DEBUG_LIST without BUG_ON_DATA_CORRUPTION only WARNs.
insmod /modules/listdel.ko
/scenarios/listdel-unbind.sh
sleep 3
poweroff -f
