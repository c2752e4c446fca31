#!/bin/sh
# The writer (comm "heldfreed-close").
echo close > /proc/heldfreed
