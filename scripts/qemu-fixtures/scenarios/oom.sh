#!/bin/sh
# 7. panic_on_oom=1 and a process that allocates until the OOM killer runs.
sysctl -w vm.panic_on_oom=1
/bin/oomhog
sleep 5
poweroff -f
