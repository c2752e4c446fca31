#!/bin/sh
# as wqleak, on the lockdep kernel: the report lists the leaked lock.
insmod /modules/wqleak.ko
sleep 5
poweroff -f
