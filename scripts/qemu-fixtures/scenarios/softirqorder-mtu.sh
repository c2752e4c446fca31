#!/bin/sh
# The writer (comm "softirqorder-mt").
echo 1500 > /proc/softirqorder
