#!/bin/sh
# The second writer (comm "hungmutex-cfg.s"): blocks in mutex_lock().
echo fast > /proc/hungmutex
