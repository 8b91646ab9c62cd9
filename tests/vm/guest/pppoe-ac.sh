# A real PPPoE access concentrator for VM tests: rp-pppoe's pppoe-server
# spawning real pppd, in a network namespace of the test VM.  Source it after
# lib.sh.  pppoed's VM cases (issue 6) run their client against this same AC,
# so the settings here are the single description of "the AC" in VM tests.
#
#   ac_start NS IFACE       start the AC on IFACE inside namespace NS
#   ac_stop NS              stop it and every session it has
#   ac_session_pids NS      server-side pppd of each session
#   ac_relay_pids NS        the per-session `pppoe` relay processes
#   ac_terminate NS         pppd ends the session: LCP Terminate-Request, then PADT
#   ac_padt NS              only the relay ends: PADT with no LCP goodbye
#   ac_freeze NS / ac_thaw NS   stop/continue the sessions: a silent peer
#                           (LCP echo timeout on the client)
#   ac_kill NS              SIGKILL pppd + relay: a dead peer, nothing sent
#   ac_wait_sessions NS N SECONDS   wait until N sessions exist
#
# Settings (environment variables read by ac_start, with defaults):
#   AC_AUTH=chap|pap|none (chap)   AC_USER (test)   AC_PASS (secret)
#   AC_NAME (hgw-ac: AC-Name tag and pppd's name)   AC_SERVICE (empty: any)
#   AC_LOCAL (10.64.0.1)   AC_REMOTE (10.64.0.10: first client address)
#   AC_DNS1 (10.64.0.53)   AC_DNS2 (10.64.0.54)    empty = not offered
#   AC_IPV6 (1: IPv6CP, AC interface id ::1, so its link-local is fe80::1)
#   AC_ECHO_INTERVAL (5)   AC_ECHO_FAILURE (3)   AC_MTU (1492)
#   AC_EXTRA (extra pppd options, newline separated)
# Files: /run/hgw-ac/NS/{options,pppd.log,pppoe-server.pid,server.log};
# ppp_hooks_install makes /etc/ppp/ip-up and ipv6-up log their environment
# (DNS1, DNS2, addresses) to /run/hgw-ppp/ip-up.log and ipv6-up.log, for
# both sides (the namespace is the first field).

AC_RUN=/run/hgw-ac

# pppd reads /etc/ppp/options and runs /etc/ppp/ip-up whatever its command
# line says; in the VM these are the host's files on a RAM overlay, so they
# are replaced here: no options from the host (its "auth", "modem", "lock"
# would change both sides), and hooks that record what IPCP/IPv6CP delivered.
ppp_hooks_install() {
	[ -e /run/hgw-ppp/.hooks ] && return 0     # once per VM: these are 10 execs
	mkdir -p /run/hgw-ppp /etc/ppp /var/lock
	: > /etc/ppp/options
	local h
	for h in ip-up ipv6-up ip-down ipv6-down; do
		printf '%s\n' '#!/bin/sh' \
			"# installed by tests/vm/guest/pppoe-ac.sh: log what pppd hands to $h" \
			'echo "$(ip netns identify 2>/dev/null || echo -) $*" \' \
			'	"DNS1=${DNS1:-} DNS2=${DNS2:-} LLLOCAL=${LLLOCAL:-} LLREMOTE=${LLREMOTE:-}" \' \
			"	>> /run/hgw-ppp/$h.log" > "/etc/ppp/$h"
	done
	chmod 755 /etc/ppp/ip-up /etc/ppp/ipv6-up /etc/ppp/ip-down /etc/ppp/ipv6-down
	rm -f /etc/ppp/ip-pre-up
	: > /run/hgw-ppp/.hooks
}

ac_start() {
	local ns=$1 ifc=$2
	local dir=$AC_RUN/$ns
	local auth=${AC_AUTH:-chap} user=${AC_USER:-test} pass=${AC_PASS:-secret}
	local name=${AC_NAME:-hgw-ac}
	[ -d "$dir" ] || mkdir -p "$dir"
	ppp_hooks_install
	{
		echo "name $name"
		case $auth in
		chap) echo "require-chap" ;;
		pap) echo "require-pap" ;;
		none) echo "noauth" ;;
		*) echo "ac_start: AC_AUTH=$auth is not chap, pap or none" >&2; return 1 ;;
		esac
		echo "lcp-echo-interval ${AC_ECHO_INTERVAL:-5}"
		echo "lcp-echo-failure ${AC_ECHO_FAILURE:-3}"
		echo "mtu ${AC_MTU:-1492}"
		echo "mru ${AC_MTU:-1492}"
		[ -n "${AC_DNS1-10.64.0.53}" ] && echo "ms-dns ${AC_DNS1-10.64.0.53}"
		[ -n "${AC_DNS2-10.64.0.54}" ] && echo "ms-dns ${AC_DNS2-10.64.0.54}"
		if [ "${AC_IPV6:-1}" = 1 ]; then echo "+ipv6"; echo "ipv6 ::1,"; else echo "noipv6"; fi
		echo "debug"
		echo "logfile $dir/pppd.log"
		[ -n "${AC_EXTRA:-}" ] && printf '%s\n' "$AC_EXTRA"
	} > "$dir/options"
	# One secrets line per method; the server name scopes it to this AC.
	# (A client pppd in the same VM must use `password`, not these files.)
	local line
	line=$(printf '"%s" "%s" "%s" *' "$user" "$name" "$pass")
	[ "$auth" = chap ] && (umask 077; echo "$line" > /etc/ppp/chap-secrets)
	[ "$auth" = pap ] && (umask 077; echo "$line" > /etc/ppp/pap-secrets)
	# pppoe-server's user mode needs ppp_async (pppd on a pty) and a devpts.
	[ -d /sys/module/ppp_async ] && [ -d /sys/module/pppoe ] ||
		modprobe -a ppp_generic ppp_async pppoe || return 1
	local args=(-I "$ifc" -C "$name" -L "${AC_LOCAL:-10.64.0.1}" -R "${AC_REMOTE:-10.64.0.10}"
		-N 4 -O "$dir/options" -X "$dir/pppoe-server.pid")
	[ -n "${AC_SERVICE:-}" ] && args+=(-S "$AC_SERVICE")
	ip netns exec "$ns" pppoe-server "${args[@]}" > "$dir/server.log" 2>&1 || {
		cat "$dir/server.log"; return 1; }
	# pppoe-server forks into the background; the pid file appears when it runs.
	wait_for 5 test -s "$dir/pppoe-server.pid" || { echo "ac_start: no pid file"; return 1; }
	echo "ac_start: pppoe-server pid $(cat "$dir/pppoe-server.pid") on $ns/$ifc, auth $auth"
}

# _ac_pids NS COMM: processes in NS whose command name is COMM.
_ac_pids() {
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p"
	done
}
ac_server_pid() { cat "$AC_RUN/$1/pppoe-server.pid" 2>/dev/null; }
ac_session_pids() { _ac_pids "$1" pppd; }
ac_relay_pids() { _ac_pids "$1" pppoe; }
ac_wait_sessions() {
	local ns=$1 n=$2 t=${3:-10}
	_ac_count() { [ "$(ac_session_pids "$ns" | wc -l)" -eq "$n" ]; }
	wait_for "$t" _ac_count
}
_ac_signal() { local sig=$1; shift; local p; for p in "$@"; do kill "-$sig" "$p" 2>/dev/null; done; }
ac_terminate() { _ac_signal TERM $(ac_session_pids "$1"); }
ac_padt() { _ac_signal TERM $(ac_relay_pids "$1"); }
ac_freeze() { _ac_signal STOP $(ac_session_pids "$1") $(ac_relay_pids "$1"); }
ac_thaw() { _ac_signal CONT $(ac_session_pids "$1") $(ac_relay_pids "$1"); }
ac_kill() { _ac_signal KILL $(ac_session_pids "$1") $(ac_relay_pids "$1"); }

ac_stop() {
	local ns=$1 pid
	pid=$(ac_server_pid "$ns")
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	ac_terminate "$ns"
	nap 0.5
	ac_kill "$ns"
	rm -f "$AC_RUN/$ns/pppoe-server.pid"
}
