#!/bin/sh
# The writer (comm "kasanuaf-versio").
echo 1 > /proc/kasanuaf
