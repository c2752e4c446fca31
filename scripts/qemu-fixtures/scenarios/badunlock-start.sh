#!/bin/sh
# The writer (comm "badunlock-start").
echo start > /proc/badunlock
