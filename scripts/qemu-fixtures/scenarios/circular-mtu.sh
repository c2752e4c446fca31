#!/bin/sh
# The writer (comm "circular-mtu.sh").
echo 9000 > /proc/circular
