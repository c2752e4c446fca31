#!/usr/bin/env bash
# Run the crash utility on one dump made by make-dumps.sh and save what it
# says, one file per command plus session.txt (each command after a
# "crash> CMD" line, as pasted from an interactive session).
#
#   scripts/dumps/crash-session.sh NAME VMCORE OUTDIR
#
# Environment: KT_VMLINUX (the debug vmlinux; default that of the newest
# installed -amd64 kernel), KT_MODDIR (the built .ko files, for "mod -s"),
# KT_CRASH_PLAIN=1 to run crash without the SIZE(pid) correction.
#
# crash 8.0.2 (Debian 12) predates the flexible struct pid.numbers[] of
# 6.1.y: run as is, its task table holds only the idle tasks. share/crash/pidsize.py
# runs crash under gdb and corrects that one size as crash 8.0.4 does.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
NAME=$1
VMCORE=$2
OUT=$3
if [ -z "${KT_VMLINUX:-}" ]; then
	KVER=$(ls /boot/vmlinuz-*-amd64 | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)
	KT_VMLINUX=/usr/lib/debug/boot/vmlinux-$KVER
fi
VMLINUX=$KT_VMLINUX
MODDIR=${KT_MODDIR:-}
CRASH=$(command -v crash)
CRASH_OPTS=(-s)

log() { printf '[crash-session] %s\n' "$*" >&2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- what to look at, per scenario ------------------------------------------
# the tasks worth a "bt -f"/"bt -l" of their own (by comm)
tasks() {
	case $1 in
	spinabba) echo "spinabba_rx spinabba_tx" ;;
	irqaa) echo "irqaa_stats" ;;
	irqnest) echo "irqnest_cfg" ;;
	hungabba) echo "hungabba_stats hungabba_reset" ;;
	csdlock) echo "insmod csd_fifo csd_stats" ;;
	rcustall) echo "rcustall_scan" ;;
	rcusync) echo "rcusync_scan rcusync_update" ;;
	rcuprio) echo "rcuprio_stats rcuprio_poll" ;;
	ipilock) echo "ipilock_cfg ipilock_stats" ;;
	mutexring) echo "mutexring_a mutexring_b mutexring_c" ;;
	rwsemabba) echo "rwsemabba_rd rwsemabba_wr" ;;
	*) echo "" ;;
	esac
}
# the module whose symbols and types are loaded with "mod -s"
module_of() {
	case $1 in
	spinabba|irqaa|irqnest|hungabba|csdlock|rcustall|rcusync|mutexring|rwsemabba|slabfree|rcuprio|ipilock) echo "$1" ;;
	*) echo "" ;;
	esac
}
# the module's device object, printed whole
object_of() {
	case $1 in
	spinabba) echo spinabba_dev ;;
	irqaa) echo irqaa_dev ;;
	irqnest) echo irqnest_dev ;;
	hungabba) echo hungabba_dev ;;
	csdlock) echo csd_dev ;;
	rcusync) echo rcusync_dev ;;
	mutexring) echo mutexring_dev ;;
	rwsemabba) echo rwsemabba_dev ;;
	ipilock) echo ipilock_dev ;;
	*) echo "" ;;
	esac
}
# its locks: spin:EXPR, mutex:EXPR or rwsem:EXPR
locks_of() {
	case $1 in
	spinabba) echo "spin:spinabba_dev.rx_lock spin:spinabba_dev.tx_lock" ;;
	irqaa) echo "spin:irqaa_dev.stats_lock" ;;
	irqnest) echo "spin:irqnest_dev.cfg_lock spin:irqnest_dev.stats_lock" ;;
	hungabba) echo "mutex:hungabba_dev.stats_lock mutex:hungabba_dev.cfg_lock" ;;
	mutexring) echo "mutex:mutexring_dev.m1 mutex:mutexring_dev.m2 mutex:mutexring_dev.m3" ;;
	rwsemabba) echo "rwsem:rwsemabba_dev.sem mutex:rwsemabba_dev.lock" ;;
	ipilock) echo "spin:ipilock_dev.lock" ;;
	*) echo "" ;;
	esac
}
# values to look up in the first pass: VAR<TAB>sed -E regex (one capture)<TAB>CMD
probe_of() {
	case $1 in
	csdlock) printf 'CSD\tfirst = (0x[0-9a-f]+)\tp call_single_queue:1\n' ;;
	timerleak) printf 'TIMER\tinvalid list entry: ([0-9a-f]+)\ttimer\n' ;;
	*) true ;;
	esac
}
# more commands, FILE<TAB>CMD a line (FILE "-": named after CMD). @VAR@ is a
# value of probe_of, @EXC_REG@ a register of the first exception frame of
# crash's context ("bt"), @PID_comm@ the PID of a task
extra_of() {
	case $1 in
	irqaa) printf '%s\n' "bt-e-irqaa_stats	bt -e @PID_irqaa_stats@" "bt-T-irqaa_stats	bt -T @PID_irqaa_stats@" \
		"-	p irqaa_dev.poll_timer" ;;
	irqnest) printf '%s\n' "bt-e-irqnest_cfg	bt -e @PID_irqnest_cfg@" "bt-T-irqnest_cfg	bt -T @PID_irqnest_cfg@" \
		"-	p irqnest_dev.kick_work" "-	p raised_list:a" ;;
	csdlock) printf '%s\n' "-	p call_single_queue:a" "struct-csd-cpu1	struct __call_single_data -x @CSD@" ;;
	rcustall) printf '%s\n' "-	p jiffies" "-	px rcu_state.gp_seq" "-	p rcu_state.gp_start" ;;
	rcuprio) printf '%s\n' "-	p jiffies" "-	p rcu_state.gp_start" \
		"task-R-rcuprio_stats	task -R rcu_read_lock_nesting,rcu_read_unlock_special,policy,rt_priority @PID_rcuprio_stats@" \
		"task-R-rcuprio_poll	task -R policy,rt_priority @PID_rcuprio_poll@" ;;
	rcusync) printf '%s\n' "-	p jiffies" "-	px rcu_state.gp_seq" "-	p rcu_state.gp_start" \
		"task-R-rcusync_scan	task -R rcu_read_lock_nesting,rcu_read_unlock_special @PID_rcusync_scan@" \
		"bt-T-rcusync_update	bt -T @PID_rcusync_update@" "-	dis -l rcusync_replace_table" ;;
	timerleak) printf '%s\n' "rd-timer	rd @TIMER@ 4" "kmem-timer	kmem @TIMER@" ;;
	wqunload) printf '%s\n' "struct-work-rdi	struct work_struct @EXC_RDI@" "rd-rip	rd @EXC_RIP@ 4" "kmem-rip	kmem @EXC_RIP@" ;;
	slabfree) printf '%s\n' "kmem-rdi	kmem @EXC_RDI@" "rd-rdi	rd @EXC_RDI@ 2" ;;
	*) true ;;
	esac
}

# --- running crash -----------------------------------------------------------
# commands (one a line) -> one file with their outputs, each after a marker
run_crash() {
	local cmds=$1 out=$2 script=$TMP/script i=0 cmd
	: >"$script"
	while IFS= read -r cmd; do
		i=$((i + 1))
		printf 'echo @@KTCMD@@ %d\n%s\n' "$i" "$cmd" >>"$script"
	done <"$cmds"
	printf 'echo @@KTCMD@@ end\nq\n' >>"$script"
	if [ "${KT_CRASH_PLAIN:-0}" = 1 ]; then
		"$CRASH" "${CRASH_OPTS[@]}" "$VMLINUX" "$VMCORE" <"$script" >"$out" 2>&1 || true
	else
		gdb -q -batch -nx -x "$HERE/../../share/crash/pidsize.py" \
			-ex "run ${CRASH_OPTS[*]} $(printf '%q' "$VMLINUX") $(printf '%q' "$VMCORE") < $(printf '%q' "$script") > $(printf '%q' "$out") 2>&1" \
			"$CRASH" >"$out.gdb" 2>&1 || true
		grep '^pidsize: ' "$out.gdb" >&2 || log "$NAME: SIZE(pid) left as crash found it"
	fi
}
# the output of command N of a run_crash output
part() {
	awk -v n="$2" '
		{
			line = $0
			while ((p = index(line, "@@KTCMD@@ ")) > 0) {
				if (on && p > 1) print substr(line, 1, p - 1)
				rest = substr(line, p + 10)
				split(rest, f, /[^0-9a-z]/)
				on = (f[1] == n)
				line = substr(rest, length(f[1]) + 1)
				if (line == "") next
			}
			if (on) print line
		}' "$1"
}

# --- 1. a first look: PIDs, addresses, where the CPUs are ---------------------
MOD=$(module_of "$NAME")
KO=""
if [ -n "$MOD" ] && [ -n "$MODDIR" ] && [ -f "$MODDIR/$MOD.ko" ]; then KO=$MODDIR/$MOD.ko; fi
{
	echo "ps"
	echo "bt -a"
	echo "bt"
	if [ -n "$KO" ]; then echo "mod -s $MOD $KO"; fi
	for l in $(locks_of "$NAME"); do
		echo "p &${l#*:}"
		case $l in mutex:*|rwsem:*) echo "px ${l#*:}.owner.counter" ;; esac
	done
	probe_of "$NAME" | cut -f3
} >"$TMP/probe.cmds"
run_crash "$TMP/probe.cmds" "$TMP/probe.out"
if ! part "$TMP/probe.out" 3 | grep -q 'PID:'; then
	# crash can give up while it looks for the panic task: start it in
	# swapper/0's context instead
	log "$NAME: crash did not start; again with --no_panic:"
	head -20 "$TMP/probe.out" >&2
	CRASH_OPTS=(-s --no_panic)
	run_crash "$TMP/probe.cmds" "$TMP/probe.out"
fi
part "$TMP/probe.out" 1 >"$TMP/ps"
part "$TMP/probe.out" 2 >"$TMP/bt-a"
part "$TMP/probe.out" 3 >"$TMP/bt"
if ! grep -q 'PID:' "$TMP/bt"; then
	log "$NAME: crash did not start:"
	head -40 "$TMP/probe.out" >&2
	exit 1
fi
ntasks=$(grep -c '^[> ] *[0-9]' "$TMP/ps" || true)
nidle=$(grep -c '\[swapper/' "$TMP/ps" || true)
log "$NAME: ps lists $ntasks tasks ($nidle idle)"

pid_of() { # comm -> pid (first match)
	awk -v c="$1" '{ sub(/^>/, ""); if ($NF == c || $NF == "[" c "]") { print $1; exit } }' "$TMP/ps"
}
# the blocks of a bt output whose COMMAND is one of the given comms (all if none)
bt_blocks() {
	local file=$1
	shift
	awk -v want=" $* " '
		/^PID: / { c = $0; sub(/.*COMMAND: "/, "", c); sub(/".*/, "", c); on = (want == "  " || index(want, " " c " ") > 0) }
		on' "$file"
}
exc_rips() { # exception RIPs named by symbol+offset
	{ grep -o '\[exception RIP: [A-Za-z0-9_.]*+[0-9]*\]' || true; } | sed 's/\[exception RIP: //; s/\]//' | awk '!seen[$0]++'
}
module_funcs() { # functions in module frames, but the kthreads' main loops
	sed -n 's/^ *#[0-9]* \[[0-9a-f]*\] \([A-Za-z0-9_.]*\) at [0-9a-f]* \[[A-Za-z0-9_]*\]$/\1/p' |
		{ grep -v '_thread$' || true; } | awk '!seen[$0]++'
}
TASKS=$(tasks "$NAME")
{
	cat "$TMP/bt"
	if [ -n "$TASKS" ]; then bt_blocks "$TMP/bt-a" $TASKS; fi
} >"$TMP/bt-interesting"
RIPS=$(exc_rips <"$TMP/bt-interesting")
# the values of probe_of, after the module's lock lines
nprobe=$(($(wc -l <"$TMP/probe.cmds") - $(probe_of "$NAME" | grep -c . || true)))
declare -A VAL=()
while IFS=$'\t' read -r var re cmd; do
	[ -n "$var" ] || continue
	nprobe=$((nprobe + 1))
	VAL[$var]=$(part "$TMP/probe.out" "$nprobe" | sed -nE "s/.*$re.*/\\1/p" | head -1)
done < <(probe_of "$NAME")
for r in RIP RSP RAX RBX RCX RDX RSI RDI RBP R8 R9 R10 R11 R12 R13 R14 R15; do
	VAL[EXC_$r]=$(awk -v r="$r:" '$1 ~ /^[A-Z0-9_]+:$/ { for (i = 1; i < NF; i++) if ($i == r) { print $(i + 1); exit } }' "$TMP/bt")
done
for t in $TASKS; do VAL[PID_$t]=$(pid_of "$t"); done
# where the lock lines of the first pass start
probe_n=3
[ -n "$KO" ] && probe_n=4

# --- 2. the session ------------------------------------------------------------
C=$TMP/session.cmds
: >"$C"
add() { # FILE CMD
	printf '%s\t%s\n' "$1" "$2" >>"$C"
}
addc() { # CMD (file named after it)
	add "$(printf '%s' "$1" | sed 's/[ ]\{1,\}/-/g; s/:/_/g; s/[^A-Za-z0-9_.+-]//g; s/--*/-/g; s/^-//; s/-$//')" "$1"
}
add_extras() { # extra_of, with the values filled in
	local file cmd ok v
	while IFS=$'\t' read -r file cmd; do
		[ -n "$cmd" ] || continue
		ok=1
		while [[ $cmd =~ @([A-Za-z0-9_]+)@ ]]; do
			v=${VAL[${BASH_REMATCH[1]}]:-}
			if [ -z "$v" ] || [ "$v" = 0x0 ] || [ "$v" = 0000000000000000 ]; then ok=0; break; fi
			cmd=${cmd//${BASH_REMATCH[0]}/$v}
		done
		if [ "$ok" = 0 ]; then log "$NAME: skipped \"$cmd\" (no ${BASH_REMATCH[1]})"; continue; fi
		if [ "$file" = - ]; then addc "$cmd"; else add "$file" "$cmd"; fi
	done < <(extra_of "$NAME")
}
addc "sys"
addc "sys -t"
addc "bt"
addc "bt -a"
# "bt -f"/"bt -l" of the panic task (crash's context), or of each task of
# the scenario where nothing panicked
if [ -z "$TASKS" ]; then
	addc "bt -f"
	addc "bt -l"
fi
for t in $TASKS; do
	p=$(pid_of "$t")
	if [ -z "$p" ]; then log "$NAME: no task $t in ps"; continue; fi
	add "bt-f-$t" "bt -f $p"
	add "bt-l-$t" "bt -l $p"
done
addc "foreach bt"
addc "foreach UN bt"
addc "ps"
addc "ps -m"
addc "runq"
addc "log"
addc "log -T"
addc "mod"
if [ -n "$KO" ]; then
	add "mod-s-$MOD" "mod -s $MOD $KO"
	obj=$(object_of "$NAME")
	[ -z "$obj" ] || addc "p $obj"
	i=$probe_n
	for l in $(locks_of "$NAME"); do
		expr=${l#*:}
		i=$((i + 1))
		addr=$(part "$TMP/probe.out" "$i" | sed -n 's/.* \(0x[0-9a-f]*\) <.*/\1/p' | head -1)
		addc "p &$expr"
		case $l in
		spin:*) addc "px $expr" ;;
		mutex:*|rwsem:*)
			i=$((i + 1))
			if [ -n "$addr" ]; then
				case $l in
				mutex:*) add "struct-mutex-$expr" "struct mutex -x $addr" ;;
				rwsem:*) add "struct-rwsem-$expr" "struct rw_semaphore -x $addr" ;;
				esac
			fi
			owner=$(part "$TMP/probe.out" "$i" | sed -n 's/.* = \(0x[0-9a-f]*\).*/\1/p' | head -1)
			if [ -n "$owner" ] && [ "$owner" != 0x0 ]; then
				owner=$(printf '0x%x' $((owner & ~7)))
				add "owner-$expr" "struct task_struct.pid,comm,__state $owner"
			fi
			;;
		esac
	done
fi
add_extras
addc "kmem -i"
addc "kmem -s"
addc "irq -s"
addc "net"
add "files-1" "files 1"
addc "waitq kauditd_wait"
addc "timer"
addc "timer -r"
for r in $RIPS; do
	add "dis-rl-$r" "dis -rl $r"
done
# the module functions of the interesting stacks: from the running tasks'
# "bt -a", and for sleeping ones from a "bt" each (in the first look's ps)
{
	module_funcs <"$TMP/bt-interesting"
	if [ -n "$TASKS" ] && [ -n "$KO" ]; then
		for t in $TASKS; do
			p=$(pid_of "$t")
			[ -z "$p" ] || echo "bt $p"
		done >"$TMP/probe2.cmds"
		if [ -s "$TMP/probe2.cmds" ]; then
			run_crash "$TMP/probe2.cmds" "$TMP/probe2.out" 2>/dev/null
			module_funcs <"$TMP/probe2.out"
		fi
	fi
} | awk '!seen[$0]++' >"$TMP/funcs"
if [ -n "$KO" ]; then
	while IFS= read -r f; do add "dis-l-$f" "dis -l $f"; done <"$TMP/funcs"
fi

cut -f2 "$C" >"$TMP/session.list"
run_crash "$TMP/session.list" "$TMP/session.out"

# --- 3. the files ----------------------------------------------------------------
mkdir -p "$OUT"
find "$OUT" -maxdepth 1 -name '*.txt' -delete
n=0
: >"$OUT/session.txt"
while IFS=$'\t' read -r file cmd; do
	n=$((n + 1))
	part "$TMP/session.out" "$n" >"$OUT/$file.txt"
	{ printf 'crash> %s\n' "$cmd"; cat "$OUT/$file.txt"; } >>"$OUT/session.txt"
done <"$C"
log "$NAME: $n commands, $(wc -c <"$OUT/session.txt") bytes of session"
