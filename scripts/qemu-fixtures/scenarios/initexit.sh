#!/bin/sh
# 6. init (this script, PID 1) gives up and exits with status 3.
sleep 1
exit 3
