#!/bin/bash
# PPPoE between real peers inside the VM: rp-pppoe's pppoe-server (+ pppd) as
# the access concentrator in namespace "ac", real pppd with the rp-pppoe.so
# plugin (kernel PPPoE: AF_PPPOX, /dev/ppp, ppp0) as the client in "cpe".
# These cases prove the AC that pppoed (issue 6) will be tested against:
# both auth methods, IPCP with DNS, IPv6CP, data through the session, a wrong
# password refused, and the three ways the AC can end a session.
# Pcaps of the exchanges go to $HGW_OUT for tshark on the host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pppoe-ac.sh"

USER_="test"
PASS_="secret"

# Two namespaces joined by a veth: ac/eac <-> cpe/ecpe.
setup_link() {
	ns_add ac && ns_add cpe || fail "cannot create namespaces"
	ip link add eac netns ac type veth peer name ecpe netns cpe || fail "veth"
	ip -n ac link set eac up && ip -n cpe link set ecpe up || fail "link up"
	rm -f /run/hgw-ppp/ip-up.log /run/hgw-ppp/ipv6-up.log /run/hgw-ppp/ip-down.log /run/hgw-ppp/ipv6-down.log
}

# client_start LOG PASSWORD [pppd options...]: real pppd, kernel PPPoE, in cpe.
# Fast LCP echo and terminate timers so the "silent AC" case is short.  Sets CLIENT_PID.
client_start() {
	local log=$1 pass=$2; shift 2
	ip netns exec cpe pppd plugin rp-pppoe.so nic-ecpe user "$USER_" password "$pass" \
		noauth nodetach debug logfile "$log" unit 0 noipdefault usepeerdns +ipv6 \
		nodefaultroute maxfail 1 lcp-echo-interval 1 lcp-echo-failure 3 lcp-restart 1 lcp-max-terminate 1 \
		mtu 1492 mru 1492 "$@" > /dev/null 2>&1 &
	CLIENT_PID=$!
}
# client_wait_exit SECONDS: waits for the client pppd to end; sets CLIENT_RC.
client_wait_exit() {
	wait_for "$1" test ! -d "/proc/$CLIENT_PID" || return 1
	wait "$CLIENT_PID"
	CLIENT_RC=$?
}
# ip-up runs once IPCP is up and ppp0 has its address.
has_ipv4() { file_has /run/hgw-ppp/ip-up.log 'cpe ppp0'; }
has_ipv6cp_up() { file_has /run/hgw-ppp/ipv6-up.log 'cpe ppp0'; }
case_cleanup() {
	[ -n "${CLIENT_PID:-}" ] && kill "$CLIENT_PID" 2>/dev/null
	ac_stop ac 2>/dev/null
}

# session_up AUTH TAG: AC with AUTH, client with the right password, waits
# for IPCP and IPv6CP, checks addresses, DNS and that it is kernel PPPoE.
session_up() {
	local auth=$1 tag=$2 t0
	setup_link
	AC_AUTH=$auth ac_start ac eac || fail "pppoe-server did not start"
	capture_start cpe ecpe "$HGW_OUT/$tag.pcap" || fail "tcpdump did not start"
	t0=$(uptime_s)
	client_start "$HGW_OUT/$tag-client.log" "$PASS_"
	wait_for 25 has_ipv4 || fail "ppp0 got no IPv4 address within 25s"
	note "ppp0 IPv4 up after $(elapsed "$t0")s"
	wait_for 10 has_ipv6cp_up || fail "IPv6CP did not come up (no ipv6-up run)"
	ip -n cpe -j addr show dev ppp0 > "$HGW_OUT/$tag-ppp0.json"
	local a
	a=$(ip -n cpe -4 -o addr show dev ppp0)
	[[ $a == *"inet 10.64.0.10 peer 10.64.0.1/32"* ]] || fail "ppp0 IPv4 is not 10.64.0.10 peer 10.64.0.1: $a"
	ip -n cpe -6 -o addr show dev ppp0 | grep -q 'inet6 fe80::.* peer fe80::1/128' ||
		fail "ppp0 has no link-local address with peer fe80::1: $(ip -n cpe -6 -o addr show dev ppp0)"
	grep -q '^cpe ppp0 .* DNS1=10.64.0.53 DNS2=10.64.0.54' /run/hgw-ppp/ip-up.log ||
		fail "IPCP did not deliver DNS 10.64.0.53/54: $(cat /run/hgw-ppp/ip-up.log)"
	# Kernel PPPoE: the session is bound to an AF_PPPOX socket in cpe.
	ip netns exec cpe cat /proc/net/pppoe | grep -q ecpe ||
		fail "no kernel PPPoE session in /proc/net/pppoe: $(ip netns exec cpe cat /proc/net/pppoe)"
}

c_session() {
	local auth=$1 tag=pppoe-$1 word
	session_up "$auth" "$tag"
	ip netns exec cpe ping -c 2 -i 0.3 -W 3 10.64.0.1 || fail "IPv4 ping through the session failed"
	ip netns exec cpe ping -6 -c 2 -i 0.3 -W 3 fe80::1%ppp0 || fail "IPv6 link-local ping through the session failed"
	case $auth in chap) word="CHAP authentication succeeded" ;; pap) word="PAP authentication succeeded" ;; esac
	grep -q "$word" "$HGW_OUT/$tag-client.log" || fail "client log lacks '$word'"
	# The client ends the session: LCP Terminate, then PADT, both in the pcap.
	kill "$CLIENT_PID"
	client_wait_exit 10 || fail "client pppd did not exit after SIGTERM"
	capture_stop "$HGW_OUT/$tag.pcap"
	cp "$AC_RUN/ac/pppd.log" "$HGW_OUT/$tag-server.log"
}

c_wrong_password() {
	local auth=$1 tag=pppoe-$1-wrongpass
	setup_link
	AC_AUTH=$auth ac_start ac eac || fail "pppoe-server did not start"
	capture_start cpe ecpe "$HGW_OUT/$tag.pcap" || fail "tcpdump did not start"
	client_start "$HGW_OUT/$tag-client.log" "not-$PASS_"
	client_wait_exit 25 || fail "client pppd still running 25s after start with a wrong password"
	capture_stop "$HGW_OUT/$tag.pcap"
	cp "$AC_RUN/ac/pppd.log" "$HGW_OUT/$tag-server.log"
	# pppd's exit status 19: "We failed to authenticate ourselves to the peer".
	[ "$CLIENT_RC" = 19 ] || fail "client pppd exited $CLIENT_RC, expected 19 (authentication failed)"
	grep -qi "authentication failed" "$HGW_OUT/$tag-client.log" || fail "client log does not say authentication failed"
	grep -q 'inet ' <(ip -n cpe -4 addr show 2>/dev/null | grep ppp) && fail "an IPv4 address was assigned anyway"
	note "client pppd exit status $CLIENT_RC"
}

# The AC ends an established session; the client must notice: how (and how
# fast) is what pppoed's own cases will rely on.
c_ac_ends() {
	local how=$1 tag=pppoe-ac-$1 t0 want
	session_up chap "$tag"
	t0=$(uptime_s)
	case $how in
	terminate) ac_terminate ac; want="LCP terminated by peer" ;;
	padt) ac_padt ac; want="Modem hangup" ;;
	silent) ac_freeze ac; want="No response to 3 echo-requests" ;;
	esac
	client_wait_exit 15 || fail "client pppd still up 15s after the AC's $how"
	note "client noticed after $(elapsed "$t0")s, pppd status $CLIENT_RC"
	[ "$how" = silent ] && ac_thaw ac
	capture_stop "$HGW_OUT/$tag.pcap"
	cp "$AC_RUN/ac/pppd.log" "$HGW_OUT/$tag-server.log"
	grep -q "$want" "$HGW_OUT/$tag-client.log" || fail "client log lacks '$want'"
}

modprobe -a ppp_generic ppp_async pppoe
run_case pppoe_chap c_session chap
run_case pppoe_pap c_session pap
run_case pppoe_chap_wrong_password c_wrong_password chap
run_case pppoe_pap_wrong_password c_wrong_password pap
run_case pppoe_ac_terminate c_ac_ends terminate
run_case pppoe_ac_padt c_ac_ends padt
run_case pppoe_ac_silent c_ac_ends silent
