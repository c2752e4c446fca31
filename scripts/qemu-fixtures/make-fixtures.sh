#!/usr/bin/env bash
# Make real kernel crash logs for ktriage's tests: build small test modules
# against Debian 12's kernel, boot that kernel under qemu (TCG is fine) with a
# busybox initramfs that runs one scenario, and save the serial console.
#
#   scripts/qemu-fixtures/make-fixtures.sh               # every scenario
#   scripts/qemu-fixtures/make-fixtures.sh bhleak oom    # some of them
#   scripts/qemu-fixtures/make-fixtures.sh --debug [NAME...]
#       the same on the lockdep/KASAN kernel built from Debian's linux-source-6.1
#       by build-debug-kernel.sh (built first when missing), into test/fixtures/qemu-debug
#
# Environment: KT_QEMU_LAB (build dir, default /work/qemu-lab, never the repo),
# KT_FIXTURES_OUT (where the .log files go, default test/fixtures/qemu or
# test/fixtures/qemu-debug), KT_SKIP_APT=1 to skip apt-get. Raw console
# captures stay in $KT_QEMU_LAB/raw (or raw-debug).
# Idempotent: rebuilds the modules and initramfs, overwrites the fixtures.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LAB=${KT_QEMU_LAB:-/work/qemu-lab}
DEBUG=0
if [ "${1:-}" = --debug ]; then DEBUG=1; shift; fi
STOCK_ALL="bhleak kthstop timerleak nullmember recurse initexit oom mce softlockup
	wqleak wqleakpreempt hungmutex hungabba hungflush softrepeat softtimer softhrtimer rcustall
	badpage sleepatomic recursecycle kthleak wqunload hrtunload listdel warnoops
	warnflood nmibt sysrqbt irqoff listpoison slabuaf initimbalance oomkill memcgoom"
DEBUG_ALL="wqlockup sleepinvalid inconsistent circular recursive spinrecursion
	softirqorder hunglocks userlock badunlock heldfreed kasanuaf kasanoob csdlock
	listdelwarn wqleaklocks"
if [ "$DEBUG" = 1 ]; then
	OUT=${KT_FIXTURES_OUT:-$REPO/test/fixtures/qemu-debug}
	ALL=$DEBUG_ALL
else
	OUT=${KT_FIXTURES_OUT:-$REPO/test/fixtures/qemu}
	ALL=$STOCK_ALL
fi
SCENARIOS=${*:-$ALL}

log() { printf '[make-fixtures] %s\n' "$*" >&2; }

# --- 1. packages ------------------------------------------------------------
PKGS="qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static gcc make cpio socat libc6-dev"
if [ "${KT_SKIP_APT:-0}" != 1 ]; then
	missing=""
	for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
	if [ -n "$missing" ]; then
		log "installing:$missing"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
	fi
fi
if [ "$DEBUG" = 1 ]; then
	KBUILD=$LAB/debug/linux-source-6.1
	KIMAGE=$KBUILD/arch/x86/boot/bzImage
	[ -f "$KIMAGE" ] || "$HERE/build-debug-kernel.sh"
	KVER=$(make -s -C "$KBUILD" kernelrelease)
	RAWDIR=$LAB/raw-debug
	log "debug kernel $KVER (linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1)), $(qemu-system-x86_64 --version | head -1)"
else
	KVER=$(ls /boot/vmlinuz-*-amd64 | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)
	KBUILD=/lib/modules/$KVER/build
	[ -d "$KBUILD" ] || KBUILD=/usr/src/linux-headers-$KVER
	KIMAGE=/boot/vmlinuz-$KVER
	RAWDIR=$LAB/raw
	log "kernel $KVER ($(dpkg-query -W -f='${Version}' "linux-image-$KVER")), $(qemu-system-x86_64 --version | head -1)"
fi

# --- 2. modules and the OOM hog ---------------------------------------------
mkdir -p "$LAB"
MOD=$LAB/mod$([ "$DEBUG" = 1 ] && echo -debug || true)
rm -rf "$MOD"
cp -r "$HERE/modules" "$MOD"
make -s -C "$KBUILD" M="$MOD" modules >"$MOD.build.log" 2>&1 || { cat "$MOD.build.log"; exit 1; }
gcc -static -O2 -o "$MOD/oomhog" "$MOD/oomhog.c"

# --- 3. initramfs -------------------------------------------------------------
ROOT="$MOD.initramfs"
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,modules,scenarios}
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp "$MOD/oomhog" "$ROOT/bin/oomhog"
cp "$MOD/"*.ko "$ROOT/modules/"
cp "$HERE/scenarios/init" "$ROOT/init"
cp "$HERE/scenarios/"*.sh "$ROOT/scenarios/"
chmod +x "$ROOT/init" "$ROOT/scenarios/"*.sh
INITRD=$MOD.initramfs.cpio.gz
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$INITRD"

# --- 4. boot one scenario -----------------------------------------------------
# Per scenario: extra kernel arguments, a hard time limit, and the regex of the
# first line worth keeping when the capture is too long (boot noise before it
# is dropped, except the "Linux version" and "Command line" lines).
extra_args() {
	case $1 in
	softlockup) echo "watchdog_thresh=3 softlockup_panic=1 nmi_watchdog=0" ;;
	# no RCU stall report in the middle of the soft lockups
	softrepeat) echo "watchdog_thresh=5 rcupdate.rcu_cpu_stall_suppress=1" ;;
	softtimer|softhrtimer) echo "watchdog_thresh=3 softlockup_panic=1 rcupdate.rcu_cpu_stall_suppress=1" ;;
	nmibt) echo "watchdog_thresh=5 softlockup_all_cpu_backtrace=1 softlockup_panic=1 rcupdate.rcu_cpu_stall_suppress=1" ;;
	# no soft lockup report before the stall
	rcustall) echo "nowatchdog rcupdate.rcu_cpu_stall_timeout=5" ;;
	warnflood) echo "panic_on_warn=0" ;;
	slabuaf) echo "slub_debug=P" ;;
	irqoff) echo "nmi_watchdog=panic watchdog_thresh=5 softlockup_all_cpu_backtrace=1 softlockup_panic=1 rcupdate.rcu_cpu_stall_suppress=1" ;;
	wqlockup) echo "workqueue.watchdog_thresh=10 watchdog_thresh=30 rcupdate.rcu_cpu_stall_suppress=1" ;;
	spinrecursion) echo "lockdep.prove_locking=0 watchdog_thresh=5 softlockup_panic=1" ;;
	csdlock) echo "csdlock_debug=1 smp.csd_lock_timeout=6000 watchdog_thresh=30 rcupdate.rcu_cpu_stall_suppress=1" ;;
	*) echo "" ;;
	esac
}
qemu_args() {
	case $1 in
	# TCG has no PMU unless asked; the perf NMI watchdog needs one
	irqoff) echo "-cpu max,pmu=on" ;;
	*) echo "" ;;
	esac
}
time_limit() {
	local t
	case $1 in
	softlockup|oom|mce|softrepeat|rcustall|nmibt|irqoff|wqlockup|csdlock) t=240 ;;
	oomkill|memcgoom) t=300 ;;
	*) t=180 ;;
	esac
	# lockdep and KASAN slow the debug kernel's boot under TCG
	[ "$DEBUG" = 1 ] && t=$((t + 180))
	echo "$t"
}
first_line() {
	case $1 in
	oom|initexit|mce|oomkill|memcgoom) echo "Run /init as init process" ;;
	*) echo "loading out-of-tree module|: module verification failed|Run /init as init process" ;;
	esac
}

trim() { # raw capture -> kernel log
	local raw=$1 name=$2
	local tmp
	tmp=$(mktemp)
	# the console from "Linux version" on, without CRs, escape sequences, or
	# qemu's own messages; user space wrote nothing to the console
	tr -d '\r' <"$raw" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' |
		awk '/Linux version /{on=1; sub(/^.*\[ *0\.0+\] Linux version /, "[    0.000000] Linux version ")} on' | grep -v '^qemu-system-x86_64: ' >"$tmp" || true
	if [ "$(wc -l <"$tmp")" -gt 300 ]; then
		awk -v re="$(first_line "$name")" '
			/Linux version |Command line: / && !kept { print; next }
			!kept && $0 ~ re { kept=1 }
			kept' "$tmp"
	else
		cat "$tmp"
	fi
	rm -f "$tmp"
}

run_scenario() {
	local name=$1
	local raw="$RAWDIR/$name.console" mon="$RAWDIR/$name.monitor"
	mkdir -p "$RAWDIR"
	rm -f "$raw" "$mon"
	# shellcheck disable=SC2207
	local args=(-m "$([ "$DEBUG" = 1 ] && echo 1024 || echo 512)" -smp 2 -nographic -no-reboot $(qemu_args "$name")
		-kernel "$KIMAGE" -initrd "$INITRD"
		-append "console=ttyS0 panic=-1 oops=panic no_timer_check ktscenario=$name $(extra_args "$name")")
	log "booting $name (limit $(time_limit "$name") s)"
	if [ "$name" = mce ]; then
		args+=(-monitor "unix:$mon,server,nowait")
		timeout "$(time_limit "$name")" qemu-system-x86_64 "${args[@]}" </dev/null >"$raw" 2>&1 &
		local qpid=$!
		# wait for init to run, then inject an uncorrected, processor-context-
		# corrupt error into bank 1 of every CPU (-b broadcast)
		local i
		for i in $(seq 1 240); do
			grep -q 'Run /init as init process' "$raw" 2>/dev/null && break
			sleep 1
		done
		sleep 5
		printf 'mce -b 0 1 0xbe00000000800400 0x5 0x12345000 0x86\n' | socat - "UNIX-CONNECT:$mon" >/dev/null || true
		wait "$qpid" || true
	else
		timeout "$(time_limit "$name")" qemu-system-x86_64 "${args[@]}" </dev/null >"$raw" 2>&1 || true
	fi
	trim "$raw" "$name" >"$OUT/$name.log"
	log "wrote $OUT/$name.log ($(wc -l <"$OUT/$name.log") lines, $(wc -c <"$OUT/$name.log") bytes)"
	echo "$OUT/$name.log"
}

mkdir -p "$OUT"
for s in $SCENARIOS; do run_scenario "$s"; done
