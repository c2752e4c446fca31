#!/bin/sh
# The writer (comm "listdel-unbind.").
echo 7 > /proc/listdel
