#!/bin/sh
# 11. An entry deleted twice from a list; CONFIG_DEBUG_LIST catches the second list_del().
insmod /modules/listdel.ko
sleep 5
poweroff -f
