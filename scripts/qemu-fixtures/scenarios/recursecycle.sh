#!/bin/sh
# node -> attrs -> value -> node recursion from module init.
insmod /modules/recursecycle.ko
sleep 5
poweroff -f
