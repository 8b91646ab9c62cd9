#!/bin/sh
# busybox udhcpc event script for the lab's LAN client (Debian's busybox-static
# ships none): sets the address, the default route and resolv.conf, and logs
# each event to stdout (the lab's lan-dhcp log).
echo "udhcpc: $1 ip=$ip mask=$mask router=$router dns=$dns lease=$lease"
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set "$interface" up
	;;
bound|renew)
	ip -4 addr replace "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip -4 route replace default via "${router%% *}" dev "$interface"
	if [ -n "$HGWLAB_RESOLV" ] && [ -n "$dns" ]; then
		: > "$HGWLAB_RESOLV.tmp"
		for d in $dns; do echo "nameserver $d" >> "$HGWLAB_RESOLV.tmp"; done
		mv "$HGWLAB_RESOLV.tmp" "$HGWLAB_RESOLV"
	fi
	;;
esac
exit 0
