#!/bin/sh
# 16. The same process in a memory cgroup limited to 64 MiB: the cgroup's OOM killer kills it.
mount -t cgroup2 none /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/hog
echo 64M > /sys/fs/cgroup/hog/memory.max
echo 0 > /sys/fs/cgroup/hog/memory.swap.max
sh -c 'echo $$ > /sys/fs/cgroup/hog/cgroup.procs; exec /bin/oomhog'
sleep 2
poweroff -f
