#!/bin/sh
# 13. A pointer loaded from a freed object poisoned by slub_debug=P.
insmod /modules/slabuaf.ko
sleep 5
poweroff -f
