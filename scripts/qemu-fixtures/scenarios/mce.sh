#!/bin/sh
# 8a. idle until the host injects a machine check through the qemu monitor.
sleep 60
poweroff -f
