#!/bin/sh
# 8a. idle until the host injects a machine check through the qemu monitor.
echo "ktriage fixture: ready for mce injection" >/dev/kmsg
sleep 60
poweroff -f
