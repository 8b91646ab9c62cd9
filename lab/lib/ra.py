#!/usr/bin/python3
"""A tiny IPv6 router-advertisement sender for the lab's DSL side.

Telekom's BNG gives a PPPoE session its global IPv6 address by SLAAC: router
advertisements over the PPP link carry a /64 for the WAN.  The lab's access
concentrator (lab/pppoe-ac) only does PPP; this sends the RAs on its TUN
device (periodically and in answer to Router Solicitations) so that the
router's kernel, with the accept_ra netlinkd sets on the PPP device, forms
the address hybridd needs for the DSL tunnel.  radvd is not installed on the
lab machines and dnsmasq's RA code wants an Ethernet-like link, hence this.

    ra.py --iface acppp --prefix 2001:db8:200:1::/64 [--interval 3]

It waits for the device to exist (the AC creates it), needs a link-local
address on it (the lab adds fe80::1/64) and runs until killed.
"""
import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

ICMPV6_RS, ICMPV6_RA = 133, 134


def ra_packet(prefix, lifetime):
    """ICMPv6 RA; the kernel fills in the checksum for raw ICMPv6 sockets."""
    net = ipaddress.IPv6Network(prefix)
    # type, code, checksum, cur hop limit, flags (M=0 O=0), router lifetime,
    # reachable time, retrans timer
    hdr = struct.pack("!BBHBBHII", ICMPV6_RA, 0, 0, 64, 0, lifetime, 0, 0)
    # Prefix information (RFC 4861 4.6.2): type 3, len 4, plen, flags L|A
    # (on-link and autonomous), valid, preferred, reserved, prefix
    pio = struct.pack("!BBBBIII", 3, 4, net.prefixlen, 0xC0, 1800, 900, 0) + net.network_address.packed
    mtu = struct.pack("!BBHI", 5, 1, 0, 1492)
    return hdr + pio + mtu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--interval", type=float, default=3.0)
    ap.add_argument("--lifetime", type=int, default=1800, help="router lifetime (s)")
    a = ap.parse_args()
    ipaddress.IPv6Network(a.prefix)  # fail early on a bad prefix
    pkt = ra_packet(a.prefix, a.lifetime)
    while True:
        try:
            idx = socket.if_nametoindex(a.iface)
            break
        except OSError:
            time.sleep(0.1)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    # Router Solicitations arrive to ff02::2.
    mreq = socket.inet_pton(socket.AF_INET6, "ff02::2") + struct.pack("@I", idx)
    try:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    except OSError:
        pass
    print(f"ra: advertising {a.prefix} on {a.iface} every {a.interval}s", flush=True)
    sent, nxt = 0, 0.0
    while True:
        now = time.monotonic()
        if now >= nxt:
            try:
                s.sendto(pkt, ("ff02::1", 0, 0, idx))
                sent += 1
            except OSError as e:  # device down or no link-local yet: try again later
                print(f"ra: send failed: {e}", flush=True)
            nxt = now + a.interval
        r, _, _ = select.select([s], [], [], max(0.0, nxt - time.monotonic()))
        if r:
            data, src = s.recvfrom(2048)
            if data and data[0] == ICMPV6_RS:
                nxt = 0.0  # answer a solicitation at once


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
