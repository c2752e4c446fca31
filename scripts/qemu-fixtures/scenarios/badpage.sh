#!/bin/sh
# rx pages freed with page->mapping still set.
insmod /modules/badpage.ko
sleep 2
poweroff -f
