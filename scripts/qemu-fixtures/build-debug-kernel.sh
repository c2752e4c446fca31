#!/usr/bin/env bash
# Build the lockdep/KASAN kernel for the qemu-debug fixtures from Debian 12's
# linux-source-6.1 (the same 6.1 tree as the stock kernel): x86_64_defconfig +
# kvm_guest.config + debug-kernel/ktriage-debug.config, in $KT_QEMU_LAB/debug
# (default /work/qemu-lab/debug, never the repo). Takes about an hour on 2 cores.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${KT_QEMU_LAB:-/work/qemu-lab}
SRC=$LAB/debug/linux-source-6.1
PKGS="linux-source-6.1 gcc make bc bison flex libelf-dev libssl-dev xz-utils cpio kmod"

log() { printf '[build-debug-kernel] %s\n' "$*" >&2; }

if [ "${KT_SKIP_APT:-0}" != 1 ]; then
	missing=""
	for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
	if [ -n "$missing" ]; then
		log "installing:$missing"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
	fi
fi
mkdir -p "$LAB/debug"
if [ ! -f "$SRC/Makefile" ]; then
	log "unpacking /usr/src/linux-source-6.1.tar.xz"
	tar -C "$LAB/debug" -xf /usr/src/linux-source-6.1.tar.xz
fi
cd "$SRC"
make -s x86_64_defconfig
make -s kvm_guest.config
scripts/kconfig/merge_config.sh -m .config "$HERE/debug-kernel/ktriage-debug.config" >/dev/null
make -s olddefconfig
# every option asked for must have survived olddefconfig's dependency checks
grep '^CONFIG_.*=y' "$HERE/debug-kernel/ktriage-debug.config" | while read -r opt; do
	grep -qx "$opt" .config || { log "not set after olddefconfig: $opt"; exit 1; }
done
log "building $(make -s kernelrelease) with make -j2 (log: $LAB/debug/build.log)"
nice -n 19 make -j2 >"$LAB/debug/build.log" 2>&1 || { tail -40 "$LAB/debug/build.log"; exit 1; }
log "built $SRC/arch/x86/boot/bzImage"
