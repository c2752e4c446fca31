#!/bin/sh
# 5. unbounded recursion in module init overflows the kernel stack.
insmod /modules/recurse.ko
sleep 5
poweroff -f
