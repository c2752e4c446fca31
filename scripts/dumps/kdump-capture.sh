#!/bin/busybox sh
# The capture kernel's side of an in-guest kdump (make-dumps.sh with
# KT_DUMP_FORMAT=makedumpfile): the panicked kernel's memory is /proc/vmcore,
# as on a machine with kdump-tools. makedumpfile filters and compresses it
# (the options come from ktdumpopts= on the command line, with commas for
# spaces, e.g. -d,31,-c) and prints its log (--dump-dmesg); both are written
# as a tar archive onto the virtio disk that the host reads back.
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
	insmod "/modules/kdump/$m.ko" 2>/dev/null
done
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 30 ]; do sleep 1; i=$((i + 1)); done
opts=$(sed -n 's/.*ktdumpopts=\([-a-z0-9,]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
mkdir -p /out
echo "ktriage kdump: makedumpfile $opts /proc/vmcore" >/dev/kmsg
# shellcheck disable=SC2086
/usr/bin/makedumpfile $opts /proc/vmcore /out/vmcore >/out/makedumpfile.log 2>&1
echo "ktriage kdump: makedumpfile exited $?" >/dev/kmsg
/usr/bin/makedumpfile --dump-dmesg /proc/vmcore /out/dmesg.txt >>/out/makedumpfile.log 2>&1
tar -cf /dev/vda -C /out . && sync
echo "ktriage kdump: done" >/dev/kmsg
poweroff -f
