#!/bin/bash
# pppoed (issue 6) against the real access concentrator of the VM harness:
# rp-pppoe's pppoe-server spawning real pppd (tests/vm/guest/pppoe-ac.sh), in
# namespace "ac"; pppoed in "cpe", with the kernel data plane (AF_PPPOX,
# /dev/ppp, ppp0) and the userspace one (TUN), CHAP and PAP, IPCP with DNS
# and IPv6CP; then a wrong password, pppd killed (echo timeout, reconnect),
# PADT and LCP Terminate from the server.  pppoed sets no address: the case
# does what netlinkd would, from pppoe.json.  Pcaps go to $HGW_OUT.
GUEST=$(dirname "$0"); [ -r "$GUEST/lib.sh" ] || GUEST=$HGW_ROOT/tests/vm/guest
. "$GUEST/lib.sh"
. "$GUEST/pppoe-ac.sh"

PPPOED=$HGW_BUILD/bin/pppoed
AC_USER=test
AC_PASS=secret
export AC_USER AC_PASS

setup_link() {
	ns_add ac && ns_add cpe || fail "cannot create namespaces"
	ip link add eac netns ac type veth peer name ecpe netns cpe || fail "veth"
	ip -n ac link set eac up && ip -n cpe link set ecpe up || fail "link up"
	rm -f /run/hgw-ppp/*.log
}

# pppoed_start TAG MODE PASSWORD [extra json members]: writes the config,
# starts pppoed in cpe; sets PPPOED_PID and ST (its state dir).
pppoed_start() {
	local tag=$1 mode=$2 pass=$3 extra=${4:-}
	local dir=/tmp/pppoed-$tag
	mkdir -p "$dir"
	printf '%s\n' "$pass" > "$dir/pw"
	chmod 600 "$dir/pw"
	cat > "$dir/hgw.json" <<JSON
{ "pppoed": { "interface": "ecpe", "ifname": "ppp0", "mode": "$mode",
  "username": "$AC_USER", "password_file": "$dir/pw",
  "padi_initial_ms": 500, "padi_max_ms": 2000, "restart_ms": 1000,
  "echo_interval_ms": 1000, "echo_failures": 3, "reconnect_initial_ms": 500,
  "reconnect_max_ms": 2000, "auth_retry_initial_ms": 30000 $extra } }
JSON
	ST=$dir/state
	ip netns exec cpe "$PPPOED" -c "$dir/hgw.json" --state-dir "$ST" --data-dir "$dir/data" -v \
		> "$HGW_OUT/$tag-pppoed.log" 2>&1 &
	PPPOED_PID=$!
}
state_is() { file_has "$ST/pppoe.json" "  \"state\": \"$1\""; }
jget() { jq -r "$1" "$ST/pppoe.json"; }
case_cleanup() {
	[ -n "${PPPOED_PID:-}" ] && kill -9 "$PPPOED_PID" 2>/dev/null
	ac_stop ac 2>/dev/null
}

# What netlinkd does with pppoe.json: address the device, bring it up.
apply_state() {
	local dev a p l r
	dev=$(jget .interface); a=$(jget .ipv4.address); p=$(jget .ipv4.peer)
	ip -n cpe link set "$dev" up || fail "cannot bring $dev up"
	ip -n cpe addr add "$a" peer "$p" dev "$dev" || fail "cannot address $dev"
	l=$(jget .ipv6.local); r=$(jget .ipv6.peer)
	if [ "$l" != null ]; then
		ip -n cpe addr add "$l/128" peer "$r/128" dev "$dev" nodad 2>/dev/null ||
			ip -n cpe addr add "$l/64" dev "$dev" nodad || fail "cannot add $l"
	fi
}

# up_case AUTH MODE TAG: session up, addresses and DNS as pppd gave them,
# ping both ways, then SIGTERM: Terminate-Request and PADT.
up_case() {
	local auth=$1 mode=$2 tag=$3 t0
	setup_link
	AC_AUTH=$auth ac_start ac eac || fail "pppoe-server did not start"
	capture_start cpe ecpe "$HGW_OUT/$tag.pcap" || fail "tcpdump did not start"
	t0=$(uptime_s)
	pppoed_start "$tag" "$mode" "$AC_PASS"
	wait_for 30 state_is up || fail "pppoe.json not up within 30s: $(cat "$ST/pppoe.json" 2>/dev/null)"
	note "up after $(elapsed "$t0")s"
	wait_for 10 test "$(jget .ipv6)" != null || fail "IPv6CP did not come up: $(cat "$ST/pppoe.json")"
	cp "$ST/pppoe.json" "$HGW_OUT/$tag-pppoe.json"
	[ "$(jget .mode)" = "$mode" ] || fail "mode is $(jget .mode), wanted $mode"
	[ "$(jget .ipv4.address)" = 10.64.0.10 ] || fail "address $(jget .ipv4.address)"
	[ "$(jget .ipv4.peer)" = 10.64.0.1 ] || fail "peer $(jget .ipv4.peer)"
	[ "$(jget '.ipv4.dns | join(",")')" = 10.64.0.53,10.64.0.54 ] || fail "dns $(jget .ipv4.dns)"
	[ "$(jget .ipv6.peer)" = fe80::1 ] || fail "IPv6 peer $(jget .ipv6.peer), pppd has ::1"
	[ "$(jget .auth)" = "$([ "$auth" = chap ] && echo chap-md5 || echo pap)" ] || fail "auth $(jget .auth)"
	if [ "$mode" = kernel ]; then
		ip netns exec cpe cat /proc/net/pppoe | grep -q ecpe ||
			fail "no kernel PPPoE session: $(ip netns exec cpe cat /proc/net/pppoe)"
		ip -n cpe -d link show ppp0 | grep -q 'link/ppp' || fail "ppp0 is not a PPP device"
	else
		ip -n cpe -d link show ppp0 | grep -q 'tun type tun' || fail "ppp0 is not a TUN"
	fi
	apply_state
	ip netns exec cpe ping -c 3 -i 0.3 -W 3 10.64.0.1 || fail "IPv4 ping through the session failed"
	ip netns exec cpe ping -6 -c 2 -i 0.3 -W 3 fe80::1%ppp0 || fail "IPv6 ping through the session failed"
	# the server side saw our address and DNS go up
	grep -q '^ac ppp' /run/hgw-ppp/ip-up.log || fail "server pppd ran no ip-up"
	kill -TERM "$PPPOED_PID"
	wait_for 10 test ! -d "/proc/$PPPOED_PID" || fail "pppoed did not exit on SIGTERM"
	wait "$PPPOED_PID"; local rc=$?
	[ "$rc" = 0 ] || fail "pppoed exited $rc"
	ac_wait_sessions ac 0 10 || fail "the server's pppd is still there after our Terminate+PADT"
	capture_stop "$HGW_OUT/$tag.pcap"
	cp "$AC_RUN/ac/pppd.log" "$HGW_OUT/$tag-server.log"
	grep -q "LCP terminated by peer" "$HGW_OUT/$tag-server.log" || fail "server log lacks 'LCP terminated by peer'"
}

wrong_password() {
	local tag=pppoed-wrongpass
	setup_link
	AC_AUTH=chap ac_start ac eac || fail "pppoe-server did not start"
	capture_start cpe ecpe "$HGW_OUT/$tag.pcap" || fail "tcpdump did not start"
	pppoed_start "$tag" kernel "not-$AC_PASS"
	wait_for 30 state_is failed || fail "pppoe.json not failed: $(cat "$ST/pppoe.json" 2>/dev/null)"
	cp "$ST/pppoe.json" "$HGW_OUT/$tag-pppoe.json"
	jget .last_failure | grep -q "authentication failed" || fail "last_failure: $(jget .last_failure)"
	local padi
	padi=$(grep -c "phase down -> discovery" "$HGW_OUT/$tag-pppoed.log")
	nap 3
	[ "$(grep -c "phase down -> discovery" "$HGW_OUT/$tag-pppoed.log")" = "$padi" ] ||
		fail "retried within 3 s of an authentication failure"
	note "$(jget .last_failure)"
	capture_stop "$HGW_OUT/$tag.pcap"
}

# ac_ends HOW: the server ends the session (kill: silently), pppoed notices
# and comes back with a new session.
ac_ends() {
	local how=$1 tag=pppoed-ac-$1 sid t0 want
	setup_link
	AC_AUTH=chap ac_start ac eac || fail "pppoe-server did not start"
	capture_start cpe ecpe "$HGW_OUT/$tag.pcap" || fail "tcpdump did not start"
	pppoed_start "$tag" kernel "$AC_PASS"
	wait_for 30 state_is up || fail "not up: $(cat "$ST/pppoe.json" 2>/dev/null)"
	sid=$(jget .session_id)
	local fails
	fails=$(jget .failures)
	t0=$(uptime_s)
	case $how in
	kill) ac_kill ac; want="PADT" ;;       # pppoe-server sends PADT when its pppd dies
	silent) ac_freeze ac; want="Echo" ;;  # nothing answers: LCP echo timeout
	padt) ac_padt ac; want="PADT" ;;
	terminate) ac_terminate ac; want="LCP terminated by the peer" ;;
	esac
	_more_failures() { [ "$(jget .failures)" -gt "$fails" ]; }
	wait_for 20 _more_failures || fail "no failure noticed: $(cat "$ST/pppoe.json")"
	note "noticed after $(elapsed "$t0")s: $(jget .last_failure)"
	jget .last_failure | grep -q "$want" || fail "last_failure lacks '$want': $(jget .last_failure)"
	wait_for 30 state_is up || fail "did not come back up: $(cat "$ST/pppoe.json")"
	[ "$(jget .session_id)" != "$sid" ] || fail "same session id $sid after reconnect"
	note "new session $(jget .session_id)"
	[ "$how" = silent ] && ac_thaw ac
	capture_stop "$HGW_OUT/$tag.pcap"
}

[ -x "$PPPOED" ] || { echo "no $PPPOED"; exit 1; }
modprobe -a ppp_generic ppp_async pppoe tun
# The guest's /dev is minimal: the userspace data plane needs the TUN node.
[ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; }
run_case pppoed_kernel_chap up_case chap kernel pppoed-kernel-chap
run_case pppoed_kernel_pap up_case pap kernel pppoed-kernel-pap
run_case pppoed_user_chap up_case chap userspace pppoed-user-chap
run_case pppoed_user_pap up_case pap userspace pppoed-user-pap
run_case pppoed_wrong_password wrong_password
run_case pppoed_ac_killed ac_ends kill
run_case pppoed_ac_silent ac_ends silent
run_case pppoed_ac_padt ac_ends padt
run_case pppoed_ac_terminate ac_ends terminate
