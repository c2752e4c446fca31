#!/bin/sh
# The writer (comm "bhleak-write.sh"): a too-long write takes the error path.
echo "this input is longer than sixteen bytes" > /proc/bhleak
sleep 1
echo "exiting" >/dev/null
