#!/bin/sh
# 14. An init function that returns with preemption disabled.
insmod /modules/initimbalance.ko
sleep 5
poweroff -f
