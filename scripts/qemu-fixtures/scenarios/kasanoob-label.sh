#!/bin/sh
# The writer (comm "kasanoob-label.").
echo -n eth0-uplink > /proc/kasanoob
