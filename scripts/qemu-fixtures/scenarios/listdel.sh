#!/bin/sh
# the unbind error path list_del()s the client twice.
insmod /modules/listdel.ko
/scenarios/listdel-unbind.sh
sleep 3
poweroff -f
