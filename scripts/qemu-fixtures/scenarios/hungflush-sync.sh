#!/bin/sh
# The writer (comm "hungflush-sync."): waits for the flush work for ever.
echo 1 > /proc/hungflush
