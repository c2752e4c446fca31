#!/bin/sh
# CPU 1 waits 15 s with IRQs off; CPU 0 sends it a function-call IPI and waits.
insmod /modules/csdlock.ko
sleep 40
poweroff -f
