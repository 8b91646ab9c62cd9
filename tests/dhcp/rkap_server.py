"""A minimal DHCPv6 server that hands out a prefix with a reconfigure key
(RFC 8415 20.4) and then sends an HMAC-MD5-signed Reconfigure(Renew).

Written independently of dhcp6c (Python's hmac/hashlib, struct): Kea does
not implement Reconfigure, so this is the peer for that one exchange.
Usage: rkap_server.py IFNAME  (prints one line per event, exits after the
Renew that follows the Reconfigure was answered, or after 15 s)."""
import hashlib
import hmac
import os
import select
import socket
import struct
import sys
import time

IF = sys.argv[1]
KEY = bytes(range(1, 17))
SID = b"\x00\x02\x00\x00\x09\xbf" + b"rkap"


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def options(pkt):
    out, i = {}, 4
    while i + 4 <= len(pkt):
        c, l = struct.unpack("!HH", pkt[i:i + 4])
        out.setdefault(c, pkt[i + 4:i + 4 + l])
        i += 4 + l
    return out


def ia_pd(iaid):
    pfx = socket.inet_pton(socket.AF_INET6, "2001:db8:77::")
    sub = opt(26, struct.pack("!IIB", 3000, 4000, 56) + pfx)
    return opt(25, iaid + struct.pack("!II", 1000, 1600) + sub)


def auth(replay, typ, value):
    return opt(11, struct.pack("!BBBQ", 3, 1, 0, replay) + bytes([typ]) + value)


s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IF.encode())
s.bind(("::", 547))
idx = socket.if_nametoindex(IF)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
             socket.inet_pton(socket.AF_INET6, "ff02::1:2") + struct.pack("@I", idx))
print("ready", flush=True)
client = None
reconf_sent = False
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    r, _, _ = select.select([s], [], [], 0.2)
    if not r:
        continue
    pkt, src = s.recvfrom(4096)
    typ, xid = pkt[0], pkt[1:4]
    o = options(pkt)
    cid, iaid = o.get(1), (o.get(25) or b"\0\0\0\0")[:4]
    print(f"got {typ} reconf_accept={20 in o}", flush=True)
    if typ == 1:  # Solicit -> Advertise, preference 255
        s.sendto(bytes([2]) + xid + opt(1, cid) + opt(2, SID) + opt(7, b"\xff") + ia_pd(iaid), src)
    elif typ == 3:  # Request -> Reply with the reconfigure key
        s.sendto(bytes([7]) + xid + opt(1, cid) + opt(2, SID) + ia_pd(iaid) + opt(20, b"") +
                 auth(1, 1, KEY), src)
        client = (src, cid)
        time.sleep(0.3)
        # Reconfigure(Renew), xid 0, HMAC over the message with a zero MAC
        msg = bytes([10, 0, 0, 0]) + opt(2, SID) + opt(1, cid) + opt(19, b"\x05")
        body = msg + auth(2, 2, bytes(16))
        mac = hmac.new(KEY, body, hashlib.md5).digest()
        s.sendto(body[:-16] + mac, src)
        reconf_sent = True
        print("sent reconfigure", flush=True)
    elif typ == 5 and reconf_sent:  # the Renew the Reconfigure asked for
        s.sendto(bytes([7]) + xid + opt(1, cid) + opt(2, SID) + ia_pd(iaid), src)
        print("renew after reconfigure", flush=True)
        sys.exit(0)
sys.exit(1)
