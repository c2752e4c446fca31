#!/usr/bin/env bash
# Make real kernel memory dumps for ktriage's tests, and what the crash utility
# says about them: boot Debian 12's kernel under qemu (TCG is fine) with a
# busybox initramfs that runs one scenario (scripts/dumps/scenarios/NAME.sh,
# modules from scripts/qemu-fixtures/modules/), wait on the serial console for
# the scenario's report, dump the guest's memory over QMP (kdump-zlib, with
# the guest's VMCOREINFO handed over by -device vmcoreinfo and qemu_fw_cfg),
# then run crash on the dump with the kernel's debug vmlinux.
#
#   scripts/dumps/make-dumps.sh                 # every scenario
#   scripts/dumps/make-dumps.sh spinabba irqaa  # some of them
#
# Writes test/fixtures/dumps/NAME/: console.log, session.txt (every command
# after a "crash> CMD" line, as pasted from a session) and one file per
# command. The dumps stay in $KT_QEMU_LAB/dumps/NAME.vmcore, never in the repo.
#
# Environment: KT_QEMU_LAB (build dir, default /work/qemu-lab, never the repo),
# KT_DUMPS_OUT (default test/fixtures/dumps), KT_SKIP_APT=1 to skip apt-get,
# KT_REUSE_DUMP=1 to rerun crash on an existing vmcore without booting.
#
# A dump as kdump makes it (KT_DUMP_FORMAT=makedumpfile): the guest loads a
# capture kernel (kexec -p, crashkernel=256M of KT_GUEST_MB=768), the
# scenario's panic boots it, and its makedumpfile (the host's, with its
# libraries) filters /proc/vmcore with KT_MAKEDUMPFILE_OPTS (default -d,31,-c;
# -l for lzo) and prints its log with --dump-dmesg; both reach the host on a
# virtio disk. Writes test/fixtures/vmcores/NAME-makedumpfile-COMP-NCPU/:
# vmcore (shrunk as below), makedumpfile-dmesg.txt, crash-log.txt, console.log;
# the whole dump stays in the lab. Only scenarios that panic.
#
# Small vmcores for the native reader's tests (KT_VMCORE_FIXTURE=1): boot as
# above with KT_DUMP_FORMAT (kdump-zlib or elf), KT_GUEST_MB (512) and
# KT_GUEST_CPUS (2), keep the whole dump in the lab as NAME-FORMAT-NCPU.vmcore,
# and write test/fixtures/vmcores/NAME-FORMAT-NCPU/: vmcore (only the pages the
# native reader needs, copied by dist/scripts/dumps/shrink-dump.js; a
# kdump-zlib dump is also reassembled by `makedumpfile -R` into a plain
# kdump-compressed one, vmcore.plain, whose log pages are also compressed again
# with lzo, snappy and zstd as makedumpfile -l/-p/-z would: vmcore.lzo...),
# crash-log.txt (crash's `log` on the
# whole dump: what `ktriage dmesg` must print) and console.log.
# Idempotent: rebuilds the modules and the initramfs,
# overwrites the dumps and the fixtures.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
QF=$REPO/scripts/qemu-fixtures
LAB=${KT_QEMU_LAB:-/work/qemu-lab}
WORK=$LAB/dumps
OUT=${KT_DUMPS_OUT:-$REPO/test/fixtures/dumps}
ALL="spinabba irqaa irqnest hungabba csdlock rcustall timerleak wqunload rcusync mutexring rwsemabba slabfree rcuprio ipilock"
SCENARIOS=${*:-$ALL}

log() { printf '[make-dumps] %s\n' "$*" >&2; }

case $LAB/ in "$REPO"/*) log "KT_QEMU_LAB must be outside the repo"; exit 1 ;; esac

# --- 1. packages ------------------------------------------------------------
KVER=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -1 || true)
if [ -z "$KVER" ]; then
	KVER_PKGS="linux-image-amd64 linux-headers-amd64"
else
	KVER_PKGS="linux-image-$KVER linux-headers-$KVER linux-image-$KVER-dbg"
fi
PKGS="qemu-system-x86 busybox-static gcc make cpio python3 crash gdb xz-utils $KVER_PKGS"
install_missing() {
	local missing="" p
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
	if [ -n "$missing" ]; then
		log "installing:$missing (the -dbg package is about 820 MiB)"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
	fi
}
if [ "${KT_SKIP_APT:-0}" != 1 ]; then
	install_missing $PKGS
	if [ -z "$KVER" ]; then
		KVER=$(ls /boot/vmlinuz-*-amd64 | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)
		install_missing "linux-headers-$KVER" "linux-image-$KVER-dbg"
	fi
fi
KBUILD=/lib/modules/$KVER/build
[ -d "$KBUILD" ] || KBUILD=/usr/src/linux-headers-$KVER
KIMAGE=/boot/vmlinuz-$KVER
VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
[ -f "$VMLINUX" ] || { log "no $VMLINUX: install linux-image-$KVER-dbg"; exit 1; }
CRASH_VERSION=$(dpkg-query -W -f='${Version}' crash)
log "kernel $KVER ($(dpkg-query -W -f='${Version}' "linux-image-$KVER")), $(qemu-system-x86_64 --version | head -1), crash $CRASH_VERSION"

# --- 2. modules ------------------------------------------------------------
mkdir -p "$WORK"
MOD=$WORK/mod
rm -rf "$MOD"
cp -r "$QF/modules" "$MOD"
make -s -C "$KBUILD" M="$MOD" modules >"$MOD.build.log" 2>&1 || { cat "$MOD.build.log"; exit 1; }

# --- 3. initramfs -------------------------------------------------------------
ROOT=$WORK/initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,modules,scenarios}
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp "$MOD/"*.ko "$ROOT/modules/"
# the guest's fw_cfg driver writes the VMCOREINFO note's address to QEMU's
# etc/vmcoreinfo, so that the dump carries the KASLR offset
FWCFG=$(ls /lib/modules/"$KVER"/kernel/drivers/firmware/qemu_fw_cfg.ko* | head -1)
case $FWCFG in
*.xz) xz -dc "$FWCFG" >"$ROOT/modules/qemu_fw_cfg.ko" ;;
*.zst) zstd -dc "$FWCFG" >"$ROOT/modules/qemu_fw_cfg.ko" ;;
*) cp "$FWCFG" "$ROOT/modules/qemu_fw_cfg.ko" ;;
esac
cp "$QF/scenarios/init" "$ROOT/init"
cp "$HERE/scenarios/"*.sh "$ROOT/scenarios/"
chmod +x "$ROOT/init" "$ROOT/scenarios/"*.sh
INITRD=$WORK/initramfs.cpio.gz
cpio_of() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9); }
# In-guest kdump (KT_DUMP_FORMAT=makedumpfile): the host's makedumpfile and
# kexec with their libraries, the virtio disk drivers the capture kernel
# writes to, the capture initramfs and the kernel it boots.
copy_bin() { # BINARY DIR: the binary and the shared libraries it loads
	mkdir -p "$ROOT/$2"
	cp "$1" "$ROOT/$2/"
	ldd "$1" | awk '/=> \//{ print $3 } /^\t\/lib64\//{ print $1 }' | while read -r lib; do
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
}
if [ "${KT_DUMP_FORMAT:-}" = makedumpfile ]; then
	copy_bin /usr/bin/makedumpfile usr/bin
	mkdir -p "$ROOT/modules/kdump" "$ROOT/boot"
	for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_modern_dev virtio/virtio_pci_legacy_dev virtio/virtio_pci block/virtio_blk; do
		f=$(ls /lib/modules/"$KVER"/kernel/drivers/$m.ko* | head -1)
		case $f in
		*.xz) xz -dc "$f" ;;
		*.zst) zstd -dc "$f" ;;
		*) cat "$f" ;;
		esac >"$ROOT/modules/kdump/$(basename "$m").ko"
	done
	cp "$HERE/kdump-capture.sh" "$ROOT/kdump-capture.sh"
	chmod +x "$ROOT/kdump-capture.sh"
	cpio_of "$ROOT" >"$WORK/capture.cpio.gz"
	mv "$WORK/capture.cpio.gz" "$ROOT/boot/capture.cpio.gz"
	cp "$KIMAGE" "$ROOT/boot/vmlinuz"
	copy_bin /usr/sbin/kexec usr/sbin
fi
cpio_of "$ROOT" >"$INITRD"

# --- 4. per scenario: kernel arguments, qemu arguments, trigger, crash commands
extra_args() {
	case $1 in
	# both CPUs spin with interrupts on: soft lockups, and their backtraces
	spinabba) echo "watchdog_thresh=5 softlockup_all_cpu_backtrace=1" ;;
	# CPU 1 spins in hard irq: no soft lockup there, and no NMI watchdog
	# under TCG (even -cpu max,pmu=on gets "PMU not available due to
	# virtualization"); RCU's stall report names it, or CPU 0's soft lockup
	# while it waits for CPU 1 to answer an IPI
	irqaa|irqnest) echo "watchdog_thresh=5 softlockup_all_cpu_backtrace=1 rcupdate.rcu_cpu_stall_timeout=10" ;;
	hungabba|mutexring|rwsemabba) echo "" ;;
	csdlock|ipilock) echo "watchdog_thresh=5 softlockup_all_cpu_backtrace=1" ;;
	rcustall) echo "nowatchdog rcupdate.rcu_cpu_stall_timeout=5" ;;
	# the reader on CPU 1 would be a soft lockup too: only RCU's stall
	# report and the hung task report of the synchronize_rcu() caller
	rcusync) echo "nowatchdog rcupdate.rcu_cpu_stall_timeout=5" ;;
	# a preemptible kernel, so that the reader is preempted inside rcu_read_lock()
	rcuprio) echo "preempt=full nowatchdog rcupdate.rcu_cpu_stall_timeout=5" ;;
	*) echo "" ;;
	esac
}
qemu_args() {
	case $1 in
	*) echo "" ;;
	esac
}
# the console lines after which the dump is taken (one regex a line, all of
# them), and how long to wait then
trigger() {
	case $1 in
	spinabba|csdlock|ipilock) echo "soft lockup - CPU" ;;
	irqaa|irqnest) echo "rcu: INFO: rcu_preempt detected stall|soft lockup - CPU" ;;
	hungabba|mutexring|rwsemabba) echo "blocked for more than" ;;
	rcustall|rcuprio) echo "rcu: INFO: rcu_preempt (self-)?detected stall" ;;
	rcusync) printf '%s\n' "rcu: INFO: rcu_preempt (self-)?detected stall" "blocked for more than" ;;
	*) echo "Kernel panic - not syncing" ;;
	esac
}
settle() {
	case $1 in
	spinabba|csdlock|irqaa|irqnest|ipilock) echo 8 ;;
	*) echo 4 ;;
	esac
}
time_limit() { echo 240; }
triggered() { # NAME FILE: every line of the trigger is in FILE
	local re
	while IFS= read -r re; do
		grep -qE "$re" "$2" 2>/dev/null || return 1
	done < <(trigger "$1")
}
trigger_text() { trigger "$1" | awk '{ printf "%s/%s/", (NR > 1 ? " and " : ""), $0 }'; }

trim() { # raw capture -> console.log
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' |
		awk '/Linux version /{on=1; sub(/^.*\[ *0\.0+\] Linux version /, "[    0.000000] Linux version ")} on' >"$1.trim" || true
	if [ "$(wc -l <"$1.trim")" -gt 300 ]; then
		# keep the first lines (version, command line), drop the boot
		# messages up to the scenario's first module or /init
		awk '
			/Linux version |Command line: / && !kept { print; next }
			!kept && /Run \/init as init process/ { kept=1 }
			kept' "$1.trim"
	else
		cat "$1.trim"
	fi
	rm -f "$1.trim"
}

boot_and_dump() {
	local name=$1
	local raw=$WORK/$name.console qmp=$WORK/$name.qmp vmcore=${2:-$WORK/$name.vmcore}
	rm -f "$raw" "$qmp" "$vmcore" "$WORK/$name.qemu.log"
	# shellcheck disable=SC2207
	local args=(-m "${KT_GUEST_MB:-512}" -smp "${KT_GUEST_CPUS:-2}" -display none -monitor none -no-reboot $(qemu_args "$name")
		-serial "file:$raw" -qmp "unix:$qmp,server,nowait" -device vmcoreinfo
		-kernel "$KIMAGE" -initrd "$INITRD"
		-append "console=ttyS0 panic=0 oops=panic no_timer_check ktscenario=$name $(extra_args "$name")")
	log "$name: booting (limit $(time_limit "$name") s, trigger $(trigger_text "$name"))"
	printf '%q ' qemu-system-x86_64 "${args[@]}" >"$WORK/$name.qemu-cmdline"
	timeout "$(time_limit "$name")" qemu-system-x86_64 "${args[@]}" </dev/null >"$WORK/$name.qemu.log" 2>&1 &
	local qpid=$! t0=$SECONDS found=0
	while kill -0 "$qpid" 2>/dev/null; do
		if triggered "$name" "$raw"; then found=1; break; fi
		sleep 1
	done
	if [ "$found" != 1 ]; then
		log "$name: qemu ended without $(trigger_text "$name") on the console"
		wait "$qpid" || true
		return 1
	fi
	log "$name: trigger after $((SECONDS - t0)) s; dumping in $(settle "$name") s"
	sleep "$(settle "$name")"
	python3 "$HERE/qmp.py" "$qmp" dump "$vmcore" "${KT_DUMP_FORMAT:-kdump-zlib}" 2>"$WORK/$name.qmp.log" || {
		cat "$WORK/$name.qmp.log" >&2
		log "$name: dump failed"
		kill "$qpid" 2>/dev/null || true
		return 1
	}
	python3 "$HERE/qmp.py" "$qmp" quit 2>>"$WORK/$name.qmp.log" || kill "$qpid" 2>/dev/null || true
	wait "$qpid" || true
	log "$name: $vmcore ($(du -h "$vmcore" | cut -f1)) after $((SECONDS - t0)) s"
}

# In-guest kdump: the scenario's panic boots the capture kernel, whose
# makedumpfile writes the filtered dump and its --dump-dmesg log onto a virtio
# disk (a tar archive) and powers off. OUT gets vmcore, dmesg.txt, makedumpfile.log.
boot_kdump() { # NAME OUT
	local name=$1 out=$2
	local raw=$WORK/$name.console disk=$WORK/$name.kdump-disk
	rm -f "$raw" "$WORK/$name.qemu.log"
	rm -rf "$out"
	mkdir -p "$out"
	truncate -s 0 "$disk"
	truncate -s 512M "$disk"
	# shellcheck disable=SC2207
	local args=(-m "${KT_GUEST_MB:-768}" -smp "${KT_GUEST_CPUS:-2}" -display none -monitor none -no-reboot $(qemu_args "$name")
		-serial "file:$raw" -drive "file=$disk,format=raw,if=virtio"
		-kernel "$KIMAGE" -initrd "$INITRD"
		-append "console=ttyS0 panic=0 oops=panic no_timer_check crashkernel=256M ktkdump=${KT_MAKEDUMPFILE_OPTS:--d,31,-c} ktscenario=$name $(extra_args "$name")")
	log "$name: booting for an in-guest kdump (makedumpfile ${KT_MAKEDUMPFILE_OPTS:--d,31,-c})"
	printf '%q ' qemu-system-x86_64 "${args[@]}" >"$WORK/$name.qemu-cmdline"
	local t0=$SECONDS
	timeout 600 qemu-system-x86_64 "${args[@]}" </dev/null >"$WORK/$name.qemu.log" 2>&1 || true
	grep -q 'ktriage kdump: done' "$raw" || { log "$name: the capture kernel did not finish (see $raw)"; return 1; }
	tar -xf "$disk" -C "$out"
	rm -f "$disk"
	log "$name: in-guest kdump after $((SECONDS - t0)) s: $(du -h "$out/vmcore" | cut -f1)"
}

if [ "${KT_DUMP_FORMAT:-}" = makedumpfile ]; then
	(cd "$REPO" && npm run build >/dev/null)
	for s in $SCENARIOS; do
		case ,${KT_MAKEDUMPFILE_OPTS:--d,31,-c}, in
		*,-c,*) comp=zlib ;; *,-l,*) comp=lzo ;; *,-p,*) comp=snappy ;; *,-z,*) comp=zstd ;; *) comp=plain ;;
		esac
		tag=$s-makedumpfile-$comp-${KT_GUEST_CPUS:-2}cpu
		dir=$REPO/test/fixtures/vmcores/$tag
		boot_kdump "$s" "$WORK/$tag" || continue
		cp "$WORK/$tag/vmcore" "$WORK/$tag.vmcore"
		mkdir -p "$dir"
		# The first kernel's lines, up to the capture kernel's boot.
		trim "$WORK/$s.console" | awk '/Linux version / && n++ { done = 1 } !done { print }' >"$dir/console.log"
		cp "$WORK/$tag/dmesg.txt" "$dir/makedumpfile-dmesg.txt"
		printf 'log\nquit\n' >"$WORK/$tag.crash-cmds"
		timeout 300 crash -s --no_panic "$VMLINUX" "$WORK/$tag.vmcore" -i "$WORK/$tag.crash-cmds" 2>"$WORK/$tag.crash.err" |
			awk 'started || /^\[/ { started = 1; print }' >"$dir/crash-log.txt"
		node "$REPO/dist/scripts/dumps/shrink-dump.js" "$WORK/$tag.vmcore" "$dir/vmcore"
		log "$tag: wrote $dir ($(du -sh "$dir" | cut -f1))"
	done
	exit 0
fi

if [ "${KT_VMCORE_FIXTURE:-0}" = 1 ]; then
	(cd "$REPO" && npm run build >/dev/null)
	[ "${KT_SKIP_APT:-0}" = 1 ] || apt-get install -y makedumpfile python3-lzo python3-snappy zstd >/dev/null
	for s in $SCENARIOS; do
		fmt=${KT_DUMP_FORMAT:-kdump-zlib}
		tag=$s-$fmt-${KT_GUEST_CPUS:-2}cpu
		full=$WORK/$tag.vmcore
		dir=$REPO/test/fixtures/vmcores/$tag
		boot_and_dump "$s" "$full" || continue
		mkdir -p "$dir"
		trim "$WORK/$s.console" >"$dir/console.log"
		printf 'log\nquit\n' >"$WORK/$tag.crash-cmds"
		# crash warns of the active tasks it cannot find in 8.0.2's PID hash before the log: not part of it.
		timeout 300 crash -s --no_panic "$VMLINUX" "$full" -i "$WORK/$tag.crash-cmds" 2>"$WORK/$tag.crash.err" |
			awk 'started || /^\[/ { started = 1; print }' >"$dir/crash-log.txt"
		node "$REPO/dist/scripts/dumps/shrink-dump.js" "$full" "$dir/vmcore"
		if [ "$fmt" = kdump-zlib ] && command -v makedumpfile >/dev/null; then
			makedumpfile -R "$WORK/$tag.plain.vmcore" <"$full" >/dev/null
			node "$REPO/dist/scripts/dumps/shrink-dump.js" "$WORK/$tag.plain.vmcore" "$dir/vmcore.plain"
			# The log's pages compressed again as makedumpfile -l, -p and -z write them (python3-lzo, python3-snappy, zstd).
			for c in lzo snappy zstd; do
				node "$REPO/dist/scripts/dumps/shrink-dump.js" "$WORK/$tag.plain.vmcore" "$dir/vmcore.$c" --log-only --compress "$c" || log "$tag: no $c dump"
			done
		fi
		log "$tag: wrote $dir ($(du -sh "$dir" | cut -f1))"
	done
	exit 0
fi

mkdir -p "$OUT"
for s in $SCENARIOS; do
	t0=$SECONDS
	if [ "${KT_REUSE_DUMP:-0}" != 1 ] || [ ! -s "$WORK/$s.vmcore" ]; then
		boot_and_dump "$s" || continue
	fi
	mkdir -p "$OUT/$s"
	trim "$WORK/$s.console" >"$OUT/$s/console.log"
	KT_VMLINUX=$VMLINUX KT_MODDIR=$MOD "$HERE/crash-session.sh" "$s" "$WORK/$s.vmcore" "$OUT/$s"
	log "$s: wrote $OUT/$s ($(du -sh "$OUT/$s" | cut -f1)) in $((SECONDS - t0)) s"
done
