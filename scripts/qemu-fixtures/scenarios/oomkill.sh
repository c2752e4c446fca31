#!/bin/sh
# 15. A process that allocates until the OOM killer kills it (no panic_on_oom).
/bin/oomhog
sleep 2
poweroff -f
