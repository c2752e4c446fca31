#!/bin/sh
# The writer (comm "inconsistent-re").
echo 1 > /proc/inconsistent
