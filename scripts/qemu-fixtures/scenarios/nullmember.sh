#!/bin/sh
# 4. NULL struct pointer, member at offset 0x48, dereferenced in module init.
insmod /modules/nullmember.ko
sleep 5
poweroff -f
