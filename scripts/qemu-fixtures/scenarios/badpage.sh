#!/bin/sh
# 10. A page freed while its map count says it is still mapped (Bad page state).
insmod /modules/badpage.ko
sleep 5
poweroff -f
