#!/usr/bin/env bash
# Make real kernel crash logs for ktriage's tests: build small test modules
# against Debian 12's kernel, boot that kernel under qemu (TCG is fine) with a
# busybox initramfs that runs one scenario, and save the serial console.
#
#   scripts/qemu-fixtures/make-fixtures.sh               # every scenario
#   scripts/qemu-fixtures/make-fixtures.sh bhleak oom    # some of them
#
# Environment: KT_QEMU_LAB (build dir, default /work/qemu-lab, never the repo),
# KT_FIXTURES_OUT (where the .log files go, default test/fixtures/qemu),
# KT_SKIP_APT=1 to skip apt-get. Raw console captures stay in $KT_QEMU_LAB/raw.
# Idempotent: rebuilds the modules and initramfs, overwrites the fixtures.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${KT_FIXTURES_OUT:-$REPO/test/fixtures/qemu}
LAB=${KT_QEMU_LAB:-/work/qemu-lab}
ALL="bhleak kthstop timerleak nullmember recurse initexit oom mce softlockup badpage listdel listpoison slabuaf initimbalance oomkill memcgoom wqleak"
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
KVER=$(ls /boot/vmlinuz-*-amd64 | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)
KBUILD=/lib/modules/$KVER/build
[ -d "$KBUILD" ] || KBUILD=/usr/src/linux-headers-$KVER
log "kernel $KVER ($(dpkg-query -W -f='${Version}' "linux-image-$KVER")), $(qemu-system-x86_64 --version | head -1)"

# --- 2. modules and the OOM hog ---------------------------------------------
mkdir -p "$LAB"
rm -rf "$LAB/mod"
cp -r "$HERE/modules" "$LAB/mod"
make -s -C "$KBUILD" M="$LAB/mod" modules >"$LAB/build.log" 2>&1 || { cat "$LAB/build.log"; exit 1; }
gcc -static -O2 -o "$LAB/mod/oomhog" "$LAB/mod/oomhog.c"

# --- 3. initramfs -------------------------------------------------------------
ROOT="$LAB/initramfs"
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,modules,scenarios}
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp "$LAB/mod/oomhog" "$ROOT/bin/oomhog"
cp "$LAB/mod/"*.ko "$ROOT/modules/"
cp "$HERE/scenarios/init" "$ROOT/init"
cp "$HERE/scenarios/"*.sh "$ROOT/scenarios/"
chmod +x "$ROOT/init" "$ROOT/scenarios/"*.sh
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$LAB/initramfs.cpio.gz"

# --- 4. boot one scenario -----------------------------------------------------
# Per scenario: extra kernel arguments, a hard time limit, and the regex of the
# first line worth keeping when the capture is too long (boot noise before it
# is dropped, except the "Linux version" and "Command line" lines).
extra_args() {
	case $1 in
	softlockup) echo "watchdog_thresh=3 softlockup_panic=1 nmi_watchdog=0" ;;
	slabuaf) echo "slub_debug=P" ;;
	*) echo "" ;;
	esac
}
time_limit() {
	case $1 in
	softlockup|oom|mce|oomkill|memcgoom) echo 300 ;;
	*) echo 180 ;;
	esac
}
first_line() {
	case $1 in
	bhleak|kthstop|timerleak|nullmember|recurse|softlockup|badpage|listdel|listpoison|slabuaf|initimbalance|wqleak) echo "loading out-of-tree module|: module verification failed|Run /init as init process" ;;
	oom|oomkill|memcgoom) echo "Run /init as init process" ;;
	initexit) echo "Run /init as init process" ;;
	mce) echo "Run /init as init process" ;;
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
	local raw="$LAB/raw/$name.console" mon="$LAB/raw/$name.monitor"
	mkdir -p "$LAB/raw"
	rm -f "$raw" "$mon"
	local args=(-m 512 -smp 2 -nographic -no-reboot
		-kernel "/boot/vmlinuz-$KVER" -initrd "$LAB/initramfs.cpio.gz"
		-append "console=ttyS0 panic=-1 oops=panic ktscenario=$name $(extra_args "$name")")
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
