# Guest-side helpers for hgw VM test scripts (source it; bash).
#
# A test script is a list of cases:
#     run_case NAME function [args...]
# The function runs in a subshell with its output in $HGW_OUT/NAME.log.  It
# ends the case with `fail "reason"` (FAIL), `skip "reason"` (SKIP) or by
# returning 0 (PASS; `note "text"` adds a short text to the result line).  A
# non-zero return without fail() is a FAIL naming the status.  Each case
# writes exactly one line "CASE NAME PASS|FAIL|SKIP reason" to
# $HGW_OUT/results.txt, which the host turns into one pytest test per case.
# Cases run in a fresh subshell but share the VM: clean up what you create
# (the ns_* helpers below do) so one case's leftovers cannot make another pass.

: "${HGW_OUT:=/run/hgw-out}"

# `ip` is iproute2 from the host (busybox's would know neither netns nor
# ip6gre; it is not in PATH here).  No wrapper function: a function run in the
# background is a subshell, and $! would name the subshell, not the daemon.
command -v ip | grep -q busybox && echo "lib.sh: warning: ip is busybox's" >&2

# Under TCG every exec costs 50-150 ms, so the helpers that run in loops use
# only bash builtins: time from $EPOCHREALTIME, sleeping by a read timeout on
# a private FIFO instead of /usr/bin/sleep.
uptime_s() { local u _; read -r u _ < /proc/uptime; echo "$u"; }
now_us() { NOW_US=${EPOCHREALTIME/./}; }
# elapsed T0: seconds (2 decimals) since uptime T0
elapsed() {
	local t=${1/./} u _; read -r u _ < /proc/uptime; u=${u/./}
	t=$((10#$u - 10#$t)); printf '%d.%02d' $((t / 100)) $((t % 100))
}
nap() {
	if [ -z "${HGW_NAP_FD:-}" ]; then
		local f=/tmp/hgw-nap.$BASHPID
		mkfifo "$f" && exec {HGW_NAP_FD}<>"$f" && rm -f "$f"
	fi
	read -r -t "${1:-0.1}" -u "$HGW_NAP_FD"
	return 0
}

_reason_file() { echo "/tmp/hgw-case-$HGW_CASE.reason"; }
fail() { echo "FAIL: $*"; echo "$*" > "$(_reason_file)"; exit 1; }
skip() { echo "SKIP: $*"; echo "$*" > "$(_reason_file)"; exit 77; }
note() { echo "NOTE: $*"; printf '%s; ' "$*" >> "$(_reason_file)"; }
# check DESCRIPTION command...: runs the command, fails the case naming
# DESCRIPTION if it does not succeed.
check() { local what=$1; shift; "$@" || fail "$what (command: $*)"; }

# Runs when a case's subshell ends, however it ends: what it started goes.
_case_exit() {
	local p
	for p in "${HGW_CAPTURES[@]}"; do kill -TERM "$p" 2>/dev/null; done
	[ "$(type -t case_cleanup)" = function ] && case_cleanup
	ns_cleanup
}

run_case() {
	local name=$1; shift
	export HGW_CASE=$name
	local t0 rc st reason
	t0=$(uptime_s)
	rm -f "$(_reason_file)"
	echo "HGW-CASE: $name start at uptime ${t0}s"
	echo "$name" > "$HGW_OUT/current-case"
	(
		set -o pipefail
		trap _case_exit EXIT
		# HGW_VM_TRACE=1 (host environment) traces every command with its time.
		if [ "${HGW_VM_TRACE:-0}" = 1 ]; then PS4='+ ${EPOCHREALTIME} '; set -x; fi
		"$@"
	) > "$HGW_OUT/$name.log" 2>&1
	rc=$?
	reason=$(head -c 400 "$(_reason_file)" 2>/dev/null | tr '\n' ' ' | sed 's/[; ]*$//')
	case $rc in
	0) st=PASS ;;
	77) st=SKIP ;;
	*) st=FAIL; [ -n "$reason" ] || reason="case exited with status $rc (see $name.log)" ;;
	esac
	reason="${reason:+$reason }[$(elapsed "$t0")s]"
	echo "CASE $name $st $reason" >> "$HGW_OUT/results.txt"
	echo "HGW-CASE: $name $st $reason"
	if [ "$st" = FAIL ]; then
		echo "---- tail of $name.log"
		tail -n 25 "$HGW_OUT/$name.log"
		echo "----"
	fi
	rm -f "$HGW_OUT/current-case"
	unset HGW_CASE
	return 0
}

# wait_for SECONDS command...: polls every 0.1 s until the command succeeds;
# returns 1 when the (integer) number of seconds is up.
wait_for() {
	local limit=$1; shift
	now_us; local end=$((NOW_US + limit * 1000000))
	until "$@" > /dev/null 2>&1; do
		now_us; [ "$NOW_US" -gt "$end" ] && return 1
		nap 0.1
	done
	return 0
}
# file_has FILE TEXT: FILE has a line starting with TEXT (builtins only).
file_has() {
	local l
	[ -r "$1" ] || return 1
	while IFS= read -r l; do [[ $l == "$2"* ]] && return 0; done < "$1"
	return 1
}

# Network namespaces: ns_add NAME creates it with lo up and DAD off (link-local
# usable at once); ns_cleanup deletes every namespace ns_add made, killing
# what still runs inside.
HGW_NAMESPACES=()
# (boot.sh sets devconf_inherit_init_net=1 and accept_dad=0 in the initial
# namespace, so new namespaces start with DAD off: one exec less per ns.)
ns_add() {
	ip netns add "$1" || return 1
	HGW_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}
ns_cleanup() {
	local n p
	for n in "${HGW_NAMESPACES[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	HGW_NAMESPACES=()
}

# capture_start NS IFACE PCAP [bpf...]: tcpdump into PCAP (normally under
# $HGW_OUT so the host can dissect it); returns once tcpdump listens.
# --immediate-mode: without it packets wait in the kernel ring for up to 1 s
# and the last ones are lost when tcpdump is stopped.
# capture_stop PCAP: flushes and stops it.
declare -A HGW_CAPTURES
capture_start() {
	local ns=$1 ifc=$2 pcap=$3; shift 3
	local err=/tmp/tcpdump.$$.$RANDOM
	ip netns exec "$ns" tcpdump -i "$ifc" --immediate-mode -U -n -s 0 -w "$pcap" "$@" 2> "$err" &
	HGW_CAPTURES[$pcap]=$!
	wait_for 5 grep -q listening "$err" || { cat "$err"; return 1; }
}
capture_stop() {
	local pid=${HGW_CAPTURES[$1]}
	[ -n "$pid" ] || return 0
	nap 0.3
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "HGW_CAPTURES[$1]"
}

# load_modules MOD...: modprobe each, failing the case on the first that does
# not load.
load_modules() {
	local m
	for m in "$@"; do
		[ -d "/sys/module/$m" ] || modprobe "$m" || fail "modprobe $m failed"
	done
}
