#!/bin/sh
# The writer (comm "sleepatomic-res").
echo 1 > /proc/sleepatomic
