#!/bin/sh
# 10. wqleak's work function leaks a spin_lock_bh() on its error path: the
# workqueue reports the leaked count when the work item returns.
insmod /modules/wqleak.ko
sleep 5
poweroff -f
