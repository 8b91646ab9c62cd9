#!/bin/bash
# Kernel paths hgw relies on that the build host's kernel lacks: the modules,
# an ip6gre device configured the way hybridd's kernel mode needs it (key
# both ways, encapsulation limit off) carrying traffic, a VLAN 7 WAN device,
# and netem for the benchmarks.  Pcaps go to $HGW_OUT for tshark on the host.
. "$(dirname "$0")/lib.sh"

MODULES="ppp_generic pppoe ip6_gre gre 8021q sch_netem"

c_modules() {
	load_modules $MODULES
	local m
	for m in $MODULES; do
		[ -d "/sys/module/$m" ] || fail "/sys/module/$m missing after modprobe"
	done
	# ppp_generic's character device, needed by kernel PPPoE (major 108).
	[ -c /dev/ppp ] || fail "/dev/ppp is not a character device"
	[ "$(stat -c '%t:%T' /dev/ppp)" = "6c:0" ] || fail "/dev/ppp is $(stat -c '%t:%T' /dev/ppp), not 108:0"
	note "loaded: $MODULES"
}

# ip6gre as hybridd's kernel mode asks netlinkd for it: one key both ways,
# no sequence numbers or checksums, encapsulation limit option off.
c_ip6gre_config() {
	load_modules ip6_gre
	ns_add t
	ip -n t link add gt6 type ip6gre local 2001:db8:1::1 remote 2001:db8:1::2 \
		key 0x10203 encaplimit none || fail "ip link add type ip6gre failed"
	ip -n t -j -d link show gt6 > "$HGW_OUT/ip6gre-config.json" || fail "ip -j -d link show"
	# Quick look here; tests/vm/test_kernel.py checks every attribute.
	local j; j=$(< "$HGW_OUT/ip6gre-config.json")
	local w
	for w in '"info_kind":"ip6gre"' '"ikey":"0.1.2.3"' '"okey":"0.1.2.3"' \
		'"ip6_tnl_f_ign_encap_limit":true' '"mtu":1452'; do
		[[ $j == *"$w"* ]] || fail "ip -j -d link lacks $w: $j"
	done
	[[ $j == *'"iseq"'* || $j == *'"oseq"'* ]] && fail "sequence numbers are on: $j"
	ip -n t link del gt6 || fail "ip link del gt6 failed"
	ip -n t link show gt6 2>/dev/null && fail "gt6 still exists after delete"
	return 0
}

# Two hosts on a shared IPv6 link, an ip6gre tunnel between them with the
# same key both ways, IPv4 through it.  The capture on the underlay goes to
# the host for tshark (GRE key present, no sequence number, no encap-limit
# destination option).
c_ip6gre_traffic() {
	load_modules ip6_gre
	ns_add h1; ns_add h2
	ip link add u1 netns h1 type veth peer name u2 netns h2 || fail veth
	ip -n h1 addr add 2001:db8:1::1/64 dev u1 && ip -n h2 addr add 2001:db8:1::2/64 dev u2 || fail addr
	ip -n h1 link set u1 up && ip -n h2 link set u2 up || fail "link up"
	ip -n h1 link add gt6 type ip6gre local 2001:db8:1::1 remote 2001:db8:1::2 key 0x10203 encaplimit none || fail "gt6 in h1"
	ip -n h2 link add gt6 type ip6gre local 2001:db8:1::2 remote 2001:db8:1::1 key 0x10203 encaplimit none || fail "gt6 in h2"
	ip -n h1 addr add 10.77.0.1/30 dev gt6 && ip -n h2 addr add 10.77.0.2/30 dev gt6 || fail "tunnel addr"
	ip -n h1 link set gt6 up && ip -n h2 link set gt6 up || fail "tunnel up"
	capture_start h2 u2 "$HGW_OUT/ip6gre.pcap" ip6 || fail "tcpdump did not start"
	ip netns exec h1 ping -c 3 -i 0.2 -W 3 10.77.0.2 || fail "ping through the ip6gre tunnel failed"
	capture_stop "$HGW_OUT/ip6gre.pcap"
	# Negative check: a different key on one side must stop the traffic.
	ip -n h2 link set gt6 type ip6gre ikey 0x10204 || fail "changing the key"
	ip netns exec h1 ping -c 1 -W 1 10.77.0.2 && fail "ping still worked with mismatched keys"
	return 0
}

c_vlan7() {
	load_modules 8021q
	ns_add v1; ns_add v2
	ip link add w1 netns v1 type veth peer name w2 netns v2 || fail veth
	ip -n v1 link set w1 up && ip -n v2 link set w2 up || fail "link up"
	ip -n v1 link add link w1 name w1.7 type vlan id 7 || fail "ip link add type vlan id 7 failed"
	ip -n v2 link add link w2 name w2.7 type vlan id 7 || fail "vlan on peer"
	ip -n v1 -j -d link show w1.7 > "$HGW_OUT/vlan7.json"
	local j; j=$(< "$HGW_OUT/vlan7.json")
	[[ $j == *'"info_kind":"vlan","info_data":{"protocol":"802.1Q","id":7'* ]] || fail "w1.7 is not an 802.1Q VLAN with id 7"
	ip -n v1 addr add 192.0.2.1/24 dev w1.7 && ip -n v2 addr add 192.0.2.2/24 dev w2.7 || fail addr
	ip -n v1 link set w1.7 up && ip -n v2 link set w2.7 up || fail "vlan up"
	capture_start v2 w2 "$HGW_OUT/vlan7.pcap" vlan || fail "tcpdump did not start"
	ip netns exec v1 ping -c 2 -i 0.2 -W 3 192.0.2.2 || fail "ping over VLAN 7 failed"
	capture_stop "$HGW_OUT/vlan7.pcap"
}

# rtt_min NS ADDR COUNT: minimum ping RTT in ms (integer).
rtt_min() {
	ip netns exec "$1" ping -c "$3" -i 0.2 -W 3 "$2" | sed -n 's|.* = \([0-9]*\)\.[0-9]*/.*|\1|p'
}

c_netem() {
	load_modules sch_netem
	ns_add e1; ns_add e2
	ip link add x1 netns e1 type veth peer name x2 netns e2 || fail veth
	ip -n e1 addr add 198.51.100.1/24 dev x1 && ip -n e2 addr add 198.51.100.2/24 dev x2 || fail addr
	ip -n e1 link set x1 up && ip -n e2 link set x2 up || fail "link up"
	local before after
	before=$(rtt_min e1 198.51.100.2 2)
	[ -n "$before" ] || fail "no ping before netem"
	tc -n e1 qdisc add dev x1 root netem delay 150ms || fail "tc qdisc add netem failed"
	tc -n e1 -j qdisc show dev x1 > "$HGW_OUT/netem.json"
	grep -q '"kind":"netem"' "$HGW_OUT/netem.json" || fail "netem qdisc not shown: $(cat "$HGW_OUT/netem.json")"
	after=$(rtt_min e1 198.51.100.2 3)
	[ -n "$after" ] || fail "no ping with netem"
	note "min rtt ${before}ms without, ${after}ms with 150ms netem delay"
	[ "$after" -ge 150 ] || fail "rtt ${after}ms < 150ms delay"
	# Upper bound only a sanity check: TCG on a busy host adds its own delay.
	[ "$after" -lt $((before + 1500)) ] || fail "rtt ${after}ms far above ${before}+150ms"
}

# ---- netlinkd (issue 4) creating the kernel ip6gre device hybridd asks for.
# The router namespace r has wwan0 (LTE, a veth to the HAAP side h); state
# files are written the way lte-modemd and hybridd would.
NL_BIN=$HGW_BUILD/bin/netlinkd
NL_DIR=/tmp/hgw-nl
KEY=305419896        # 0x12345678, "18.52.86.120" in ip's dotted form

state_write() {      # atomically, as hgw_state_publish does
	printf '%s\n' "$2" > "$NL_DIR/state/.$1.tmp" && mv "$NL_DIR/state/.$1.tmp" "$NL_DIR/state/$1"
}
hybrid_kernel() {    # hybrid_kernel IKEY OKEY MTU
	state_write hybrid.json '{"version":1,"writer":"hybridd","state":"lte","interface":"gre1",
 "mode":"kernel","bonding":false,"kernel_tunnels":[{"name":"gre1","local":"2001:db8:100::2",
 "remote":"2001:db8:ffff::1","ikey":'"$1"',"okey":'"$2"',"mtu":'"$3"'}],
 "tunnels":{"lte":{"state":"up"},"dsl":{"state":"down"}}}'
}
gre1_json() { ip -n r -j -d link show gre1 2> /dev/null; }
gre1_has() {         # gre1_has TEXT...: the device's ip -j -d output has every TEXT
	local j w; j=$(gre1_json) || return 1
	for w in "$@"; do [[ $j == *"$w"* ]] || return 1; done
}
nl_start() {
	[ -x "$NL_BIN" ] || skip "$NL_BIN not built (netlinkd is issue 4; make BUILD=$HGW_BUILD)"
	load_modules ip6_gre
	ns_add r; ns_add h
	ip link add wwan0 netns r type veth peer name e0 netns h || fail veth
	ip -n h link set e0 up || fail "e0 up"
	ip -n h addr add 2001:db8:100::1/64 dev e0 || fail "HAAP side address"
	ip -n h addr add 2001:db8:ffff::1/128 dev lo || fail "HAAP address"
	rm -rf "$NL_DIR"; mkdir -p "$NL_DIR/state" "$NL_DIR/data"
	# The firewall is netlinkd's own concern and tested elsewhere; off here.
	echo '{"netlinkd":{"firewall":{"enabled":false}}}' > "$NL_DIR/hgw.json"
	state_write lte.json '{"version":1,"writer":"lte-modemd","state":"connected","interface":"wwan0",
 "ipv6":"2001:db8:100::2/64","gateway6":"2001:db8:100::1","mtu":1500}'
	hybrid_kernel "$KEY" "$KEY" 1448
	ip netns exec r "$NL_BIN" -c "$NL_DIR/hgw.json" --state-dir "$NL_DIR/state" \
		--data-dir "$NL_DIR/data" -v > "$HGW_OUT/$HGW_CASE-netlinkd.log" 2>&1 &
	NL_PID=$!
}
nl_stop() {
	kill "$NL_PID" 2> /dev/null
	wait_for 5 test ! -d "/proc/$NL_PID" || fail "netlinkd ignored SIGTERM for 5s"
	wait "$NL_PID"; local rc=$?
	[ "$rc" = 0 ] || fail "netlinkd exited $rc on SIGTERM"
}

c_netlinkd_ip6gre() {
	nl_start
	wait_for 15 gre1_has '"UP"' ||
		fail "netlinkd did not create gre1 up within 15s: $(gre1_json || echo none)"
	gre1_json > "$HGW_OUT/netlinkd-gre1.json"
	cp "$NL_DIR/state/netlinkd.json" "$HGW_OUT/netlinkd-created.json"
	gre1_has '"info_kind":"ip6gre"' '"local":"2001:db8:100::2"' '"remote":"2001:db8:ffff::1"' \
		'"ikey":"18.52.86.120"' '"okey":"18.52.86.120"' '"mtu":1448' ||
		fail "gre1 attributes wrong: $(gre1_json)"
	gre1_has '"iseq"' && fail "gre1 checks sequence numbers: $(gre1_json)"
	# Traffic through it: a plain ip6gre peer on the HAAP side, same keys.
	ip -n h link add gre1 type ip6gre local 2001:db8:ffff::1 remote 2001:db8:100::2 \
		key "$KEY" encaplimit none || fail "peer tunnel"
	ip -n h addr add 10.99.0.1/30 dev gre1 && ip -n h link set gre1 up || fail "peer up"
	ip -n h route add 2001:db8:100::/64 dev e0 2> /dev/null
	ip -n r addr add 10.99.0.2/30 dev gre1 || fail "test address on gre1"
	capture_start h e0 "$HGW_OUT/netlinkd-gre1.pcap" ip6 proto 47 || fail "tcpdump did not start"
	ip netns exec r ping -c 2 -i 0.3 -W 3 -I gre1 10.99.0.1 || fail "no ping through gre1"
	capture_stop "$HGW_OUT/netlinkd-gre1.pcap"
	# New keys from hybridd (a new session): netlinkd replaces the device.
	hybrid_kernel 1 2 1400
	wait_for 10 gre1_has '"ikey":"0.0.0.1"' '"okey":"0.0.0.2"' '"mtu":1400' ||
		fail "gre1 not updated to ikey 1 okey 2 mtu 1400: $(gre1_json)"
	# Back to userspace mode: the device goes.
	state_write hybrid.json '{"version":1,"writer":"hybridd","state":"down","interface":null,
 "mode":"kernel","kernel_tunnels":[],"tunnels":{"lte":{"state":"down"},"dsl":{"state":"down"}}}'
	wait_for 10 eval '! ip -n r link show gre1' || fail "netlinkd did not delete gre1"
	cp "$NL_DIR/state/netlinkd.json" "$HGW_OUT/netlinkd-deleted.json"
	nl_stop
}

run_case modules_load c_modules
run_case ip6gre_config c_ip6gre_config
run_case ip6gre_traffic c_ip6gre_traffic
run_case vlan7 c_vlan7
run_case netem_delay c_netem
run_case netlinkd_ip6gre c_netlinkd_ip6gre
