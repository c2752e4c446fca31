#!/bin/sh
# 12. The same double removal without the debug check: a GPF on LIST_POISON.
insmod /modules/listpoison.ko listpoison_raw=1
sleep 5
poweroff -f
