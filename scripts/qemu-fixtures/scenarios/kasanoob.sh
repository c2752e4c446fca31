#!/bin/sh
# the label write NUL-terminates one byte past its buffer.
insmod /modules/kasanoob.ko
/scenarios/kasanoob-label.sh
sleep 3
poweroff -f
