#!/bin/sh
# The writer (comm "recursive-mtu.s"): deadlocks on its own mutex.
echo 9000 > /proc/recursive
