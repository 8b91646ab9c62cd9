#!/usr/bin/python3
"""A lab HAAP (Hybrid Access Aggregation Point, RFC 8157 server side).

Written from the RFC and the Speedport captures, independently of hybridd's
code (it imports nothing from it), so a misreading on one side shows up as a
failure on the other.

Control plane: answers LTE Setup Requests (to the anycast address G) with an
Accept from G carrying H, a session id, a bonding key and the timers, or a
Deny; DSL Setup Requests (to H, with the bonding key and session id) with an
Accept or a Deny followed by a Tear Down of the LTE tunnel (RFC 8157 6.2);
echoes Hellos and Notifies; sends the filter list (resent every 3 s until the
client ACKs it); tunnel verification for a conflicting LTE Request; Tear Down
on request.

Data plane (haap_dp.c, compiled on first use into the temp dir and driven
over its stdin; with --dp python, or without a compiler, the slower Python
version below): GRE (key = bonding key, sequence numbers) between the client's
two addresses and a TUN device here, with its own reorder buffer and one
sequence counter toward the client; the kernel routes between the TUN and
whatever sits behind it (an "internet" namespace in the tests).

Test hooks over a UNIX datagram socket (--ctl PATH), one JSON object per
datagram, answered with a JSON object:
  {"cmd": "status"}
  {"cmd": "deny", "tunnel": "lte"|"dsl", "code": N, "count": K}   deny the next K
  {"cmd": "teardown", "code": N}
  {"cmd": "drop_hellos", "tunnel": "lte"|"dsl", "on": true|false}
  {"cmd": "delay", "tunnel": "lte"|"dsl", "ms": N}                 both directions
  {"cmd": "timers", "active_hello": N, ...}                        for the next Accept
  {"cmd": "verify"}                                                tunnel verification
  {"cmd": "down_sched", "mode": "rr"|"dsl"|"lte"}
"""
import argparse
import ctypes
import fcntl
import hashlib
import heapq
import ipaddress
import json
import os
import random
import selectors
import socket
import struct
import subprocess
import sys
import tempfile
import time

LTE, DSL = "lte", "dsl"

ERR_TEXT = {1: "HAAP not reachable over LTE", 5: "DSL user ID not allowed",
            8: "session exists", 9: "CIN not permitted", 10: "maintenance"}

FILTER_ITEMS = [  # (type, description, value), as in Telekom's list
    (2, "VOICE_RTP", "46"),
    (2, "VOICE_SIP", "48"),
    (1, "VOIP_STUN_SERVER", "stun.t-online.de"),
    (5, "AAK-M2M", "198.51.100.40/32:44300"),
    (12, "TV", "203.0.113.0/24"),
]


def build_dp():
    """Compiles haap_dp.c once into a cache; None if there is no compiler."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "haap_dp.c")
    try:
        with open(src, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()[:16]
    except OSError:
        return None
    out = os.path.join(tempfile.gettempdir(), f"hgw-haap-dp-{h}")
    if os.access(out, os.X_OK):
        return out
    tmp = f"{out}.{os.getpid()}"
    r = subprocess.run(["gcc", "-O2", "-std=gnu11", "-o", tmp, src], capture_output=True, text=True)
    if r.returncode != 0:
        log("haap_dp.c does not build, Python data plane:", r.stderr.strip()[:300])
        return None
    os.rename(tmp, out)
    return out


def attach_ctrl_filter(sock, proto):
    """Classic BPF: only GRE packets of the control protocol reach us."""
    insns = [(0x28, 0, 0, 2),            # ldh [2]
             (0x15, 0, 1, proto),        # jeq proto
             (0x06, 0, 0, 0xffff),       # ret accept
             (0x06, 0, 0, 0)]            # ret drop
    arr = (ctypes.c_ubyte * (8 * len(insns)))()
    for i, (code, jt, jf, k) in enumerate(insns):
        struct.pack_into("HBBI", arr, 8 * i, code, jt, jf, k)
    fprog = struct.pack("HL", len(insns), ctypes.addressof(arr))
    sock.setsockopt(socket.SOL_SOCKET, 26, fprog)  # SO_ATTACH_FILTER


def now():
    return time.monotonic()


def log(*a):
    print(f"haap {time.strftime('%H:%M:%S')}", *a, file=sys.stderr, flush=True)


def attrs_encode(attrs):
    out = b""
    for t, v in attrs:
        out += struct.pack("!BH", t, len(v)) + v
    return out + b"\xff\x00\x00"


def attrs_decode(body):
    """[(type, value)] or None when malformed."""
    out, i = [], 0
    while i < len(body):
        if i + 3 > len(body):
            return None
        t, ln = struct.unpack_from("!BH", body, i)
        i += 3
        if i + ln > len(body):
            return None
        out.append((t, body[i:i + ln]))
        i += ln
    return out


def u32(v):
    return struct.pack("!I", v)


def filter_package(commit):
    items = b""
    for typ, desc, val in FILTER_ITEMS:
        d, v = desc.encode(), val.encode()
        rest = struct.pack("!HH", 1, len(d)) + d + v
        items += struct.pack("!HH", typ, len(rest)) + rest
    return struct.pack("!IHH", commit, 1, 1) + items


class Reorder:
    """Upstream reorder buffer (our own, RFC 2890 style)."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.next = None
        self.held = {}
        self.oldest = None
        self.stats = {"in_order": 0, "held": 0, "dup": 0, "lost": 0}

    def push(self, seq, pkt, out):
        if self.next is None:
            self.next = seq
        d = (seq - self.next) & 0xffffffff
        if d >= 0x80000000:
            if 0x100000000 - d <= 4096:
                self.stats["dup"] += 1
                return
            # Far behind is a new stream (the client restarted at a random
            # sequence number), not a duplicate: resync like a far jump.
            d = 4097
        if d == 0:
            self.stats["in_order"] += 1
            out(pkt)
            self.next = (self.next + 1) & 0xffffffff
            self._flush(out)
            return
        if d > 4096:
            for s in sorted(self.held, key=lambda s: (s - self.next) & 0xffffffff):
                out(self.held[s][1])
            self.held.clear()
            self.next = (seq + 1) & 0xffffffff
            out(pkt)
            return
        if seq in self.held:
            self.stats["dup"] += 1
            return
        self.held[seq] = (now(), pkt)
        self.stats["held"] += 1

    def _flush(self, out):
        while self.next in self.held:
            out(self.held.pop(self.next)[1])
            self.next = (self.next + 1) & 0xffffffff

    def tick(self, out):
        while self.held:
            oldest = min(t for t, _ in self.held.values())
            if now() - oldest < self.timeout:
                return oldest + self.timeout
            first = min(self.held, key=lambda s: (s - self.next) & 0xffffffff)
            self.stats["lost"] += (first - self.next) & 0xffffffff
            self.next = first
            self._flush(out)
        return None


class Session:
    def __init__(self, sid, key, cin):
        self.sid, self.key, self.cin = sid, key, cin
        self.addr = {LTE: None, DSL: None}
        self.up = {LTE: False, DSL: False}
        self.last_hello = {LTE: 0.0, DSL: 0.0}
        self.filter_commit = int(time.time())
        self.filter_acked = False
        self.filter_sends = 0
        self.notifies = []      # (tunnel, [attribute types]) received
        self.hellos = {LTE: 0, DSL: 0}
        self.link_failures = []
        self.rr = 0
        self.prefix13 = self.prefix21 = None


class Haap:
    def __init__(self, a):
        self.a = a
        self.proto = int(a.proto, 0)
        self.tt = {LTE: a.tt_lte, DSL: a.tt_dsl}
        self.G = ipaddress.IPv6Address(a.anycast).packed
        self.H = ipaddress.IPv6Address(a.haap).packed
        self.timers = {"rtt_threshold": 0, "bypass_interval": 10, "active_hello": 1,
                       "hello_retry": 3, "idle_timeout": 0, "rtt_violation": 3,
                       "rtt_compliance": 3, "idle_hello": 100, "no_traffic": 180,
                       "dsl_up": 8000, "dsl_down": 16000, "max_reorder": 50, "up_burst": 29}
        self.sessions = {}
        self.deny = {LTE: [], DSL: []}  # codes to answer with, one per request
        self.drop_hellos = {LTE: False, DSL: False}
        self.delay = {LTE: 0.0, DSL: 0.0}
        self.down_sched = a.down_sched
        self.seq = 0
        self.timers_q = []
        self.reorder = Reorder(a.reorder_ms / 1000.0)
        self.counters = {"rx_ctrl": 0, "tx_ctrl": 0, "rx_data": 0, "tx_data": 0,
                         "bad": 0, "wrong_key": 0, "unseq": 0, "denies": 0}
        self.verify = None  # (session, new request, sent count, echoed)
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_GRE)
        self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.sock.setblocking(False)
        self.tun = None
        self.dp = None
        self.dp_line = None
        dp_bin = build_dp() if a.dp != "python" and a.tun else None
        if a.dp == "c" and not dp_bin:
            raise SystemExit("haap: cannot build haap_dp.c")
        if dp_bin:
            # data plane in C (haap_dp.c); this process keeps the control
            # protocol, and its socket sees only that
            self.dp = subprocess.Popen([dp_bin, a.tun, a.haap, hex(self.proto), str(int(a.reorder_ms))],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                       bufsize=1)
            attach_ctrl_filter(self.sock, self.proto)
            deadline = now() + 5
            while not os.path.exists(f"/sys/class/net/{a.tun}") and now() < deadline:
                time.sleep(0.01)
        elif a.tun:
            self.tun = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            ifr = struct.pack("16sH", a.tun.encode(), 0x0001 | 0x1000)  # IFF_TUN|IFF_NO_PI
            fcntl.ioctl(self.tun, 0x400454ca, ifr)  # TUNSETIFF
        self.ctl = None
        if a.ctl:
            try:
                os.unlink(a.ctl)
            except FileNotFoundError:
                pass
            self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.ctl.bind(a.ctl)
            self.ctl.setblocking(False)

    # ---- sending ----
    def send_raw(self, src, dst, payload):
        anc = [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, src + struct.pack("@I", 0))]
        try:
            self.sock.sendmsg([payload], anc, 0, (str(ipaddress.IPv6Address(dst)), 0))
        except OSError as e:
            log("send:", e)

    def send_ctrl(self, tunnel, dst, key, mtype, attrs, src=None):
        pkt = struct.pack("!HHIB", 0x2000, self.proto, key, (mtype << 4) | self.tt[tunnel])
        pkt += attrs_encode(attrs)
        self.counters["tx_ctrl"] += 1
        self.later(self.delay[tunnel], self.send_raw, src or self.H, dst, pkt)

    def later(self, delay, fn, *args):
        if delay <= 0:
            fn(*args)
        else:
            heapq.heappush(self.timers_q, (now() + delay, id(args), fn, args))

    # ---- control ----
    def accept_lte(self, s, src):
        t = self.timers
        attrs = [(2, self.H), (4, u32(s.sid)), (9, u32(t["rtt_threshold"])),
                 (10, u32(t["bypass_interval"])), (14, u32(t["active_hello"])),
                 (15, u32(t["hello_retry"])), (16, u32(t["idle_timeout"])), (20, u32(s.key)),
                 (24, u32(t["rtt_violation"])), (25, u32(t["rtt_compliance"])),
                 (31, u32(t["idle_hello"])), (32, u32(t["no_traffic"])), (65, u32(0))]
        s.addr[LTE], s.up[LTE], s.last_hello[LTE] = src, True, now()
        # the Accept comes from the anycast address with the new key (captures)
        self.send_ctrl(LTE, src, s.key, 2, attrs, src=self.G)
        log(f"LTE accepted: session {s.sid} key {s.key:#x}")
        s.filter_acked, s.filter_sends = False, 0
        self.later(0.3, self.send_filter, s)

    def send_filter(self, s):
        if s.filter_acked or not s.up[LTE] or self.sessions.get(s.sid) is not s:
            return
        s.filter_sends += 1
        self.send_ctrl(LTE, s.addr[LTE], s.key, 6, [(8, filter_package(s.filter_commit))])
        if s.filter_sends < 10:
            self.later(3.0, self.send_filter, s)

    def session_by_addr(self, src):
        for s in self.sessions.values():
            if src in (s.addr[LTE], s.addr[DSL]):
                return s
        return None

    def dp_send(self, line):
        if self.dp and self.dp.poll() is None:
            self.dp.stdin.write(line + "\n")
            self.dp.stdin.flush()

    def dp_sync(self):
        if not self.dp:
            return
        s = next(iter(self.sessions.values()), None)
        if not s:
            line = "nosession"
        else:
            a = [str(ipaddress.IPv6Address(s.addr[t])) if s.up[t] and s.addr[t] else "-"
                 for t in (LTE, DSL)]
            line = f"session {s.key} {a[0]} {a[1]}"
        if line != self.dp_line:
            self.dp_line = line
            self.dp_send(line)

    def on_ctrl(self, src, dst, key, mtype, tunnel, attrs):
        try:
            self._on_ctrl(src, dst, key, mtype, tunnel, attrs)
        finally:
            self.dp_sync()

    def _on_ctrl(self, src, dst, key, mtype, tunnel, attrs):
        self.counters["rx_ctrl"] += 1
        av = dict(attrs)
        if mtype == 1 and tunnel == LTE:
            return self.on_lte_request(src, dst, key, av)
        if mtype == 1 and tunnel == DSL:
            return self.on_dsl_request(src, dst, key, av)
        s = self.session_by_addr(src)
        if not s or key != s.key or dst != self.H:
            self.counters["wrong_key"] += 1
            return
        if mtype == 4:
            s.hellos[tunnel] += 1
            if len(av.get(13, b"")) == 17:
                s.prefix13 = f"{ipaddress.IPv6Address(av[13][:16])}/{av[13][16]}"
            if self.drop_hellos[tunnel]:
                return
            s.last_hello[tunnel] = now()
            self.send_ctrl(tunnel, src, s.key, 4, [a for a in attrs if a[0] != 255])
        elif mtype == 6:
            types = [t for t, _ in attrs if t != 255]
            s.notifies.append((tunnel, types))
            if 35 in types and self.verify and self.verify[0] is s:
                self.verify[3] = True
                return
            if 21 in types and len(av[21]) == 17:
                s.prefix21 = f"{ipaddress.IPv6Address(av[21][:16])}/{av[21][16]}"
            if 30 in types:  # filter list ACK: not echoed (captures)
                code = av[30][4] if len(av[30]) == 5 else None
                if code == 0:
                    s.filter_acked = True
                log(f"filter list ACK code {code}")
                return
            if 18 in types:
                s.up[DSL] = False
                s.link_failures.append(DSL)
                log("DSL link failure reported over", tunnel)
            if 19 in types:
                s.up[LTE] = False
                s.link_failures.append(LTE)
                log("LTE link failure reported over", tunnel)
            self.send_ctrl(tunnel, src, s.key, 6, [a for a in attrs if a[0] != 255])

    def pop_deny(self, tunnel):
        if self.deny[tunnel]:
            self.counters["denies"] += 1
            return self.deny[tunnel].pop(0)
        return None

    def on_lte_request(self, src, dst, key, av):
        if dst != self.G or key != 0 or 3 not in av:
            self.counters["bad"] += 1
            return
        cin = av[3].rstrip(b"\0").decode(errors="replace")
        code = self.pop_deny(LTE)
        if code is not None:
            log(f"LTE request denied with {code}")
            self.send_ctrl(LTE, src, 0, 3, [(17, u32(code))], src=self.G)
            return
        if 4 in av:  # re-establishment with a session id we hold
            sid = struct.unpack("!I", av[4])[0]
            s = self.sessions.get(sid)
            if s and s.cin == cin:
                log(f"LTE re-establishment of session {sid}")
                return self.accept_lte(s, src)
        old = next((s for s in self.sessions.values() if s.cin == cin), None)
        if old and old.up[LTE] and now() - old.last_hello[LTE] < 3 * self.timers["active_hello"] + 1:
            # RFC 8157 5.6.15: is the old tunnel alive?
            if not self.verify:
                self.verify = [old, src, 0, False]
                self.verify_step()
            return
        if old:
            del self.sessions[old.sid]
        self.new_session(cin, src)

    def new_session(self, cin, src):
        sid = random.randint(1, 0xffffffff)
        s = Session(sid, random.randint(1, 0xffffffff), cin)
        self.sessions[sid] = s
        self.accept_lte(s, src)

    def verify_step(self):
        old, src, sent, echoed = self.verify
        if echoed:
            log("tunnel verification echoed: Deny 8")
            self.send_ctrl(LTE, src, 0, 3, [(17, u32(8))], src=self.G)
            self.verify = None
            return
        if sent >= 3:
            log("tunnel verification unanswered: new session accepted")
            self.verify = None
            del self.sessions[old.sid]
            return self.new_session(old.cin, src)
        self.verify[2] += 1
        self.send_ctrl(LTE, old.addr[LTE], old.key, 6, [(35, b"")])
        self.later(1.0, self.verify_step)

    def on_dsl_request(self, src, dst, key, av):
        sid = struct.unpack("!I", av[4])[0] if len(av.get(4, b"")) == 4 else None
        s = self.sessions.get(sid)
        if dst != self.H or not s or key != s.key or 7 not in av:
            self.counters["bad"] += 1
            log("DSL request refused: no such session, wrong key or no sync rate")
            return
        code = self.pop_deny(DSL)
        if code is not None:
            log(f"DSL request denied with {code}; tearing down LTE")
            self.send_ctrl(DSL, src, s.key, 3, [(17, u32(code))])
            self.send_ctrl(LTE, s.addr[LTE], s.key, 5, [(17, u32(code))])
            del self.sessions[s.sid]
            return
        t = self.timers
        attrs = [(22, u32(t["dsl_up"])), (23, u32(t["dsl_down"])), (9, u32(t["rtt_threshold"])),
                 (10, u32(t["bypass_interval"])), (14, u32(t["active_hello"])),
                 (15, u32(t["hello_retry"])), (16, u32(t["idle_timeout"])),
                 (24, u32(t["rtt_violation"])), (25, u32(t["rtt_compliance"])),
                 (31, u32(t["idle_hello"])), (32, u32(t["no_traffic"])),
                 (56, u32(t["max_reorder"])), (57, u32(t["up_burst"])), (65, u32(0))]
        s.addr[DSL], s.up[DSL], s.last_hello[DSL] = src, True, now()
        self.send_ctrl(DSL, src, s.key, 2, attrs)
        log(f"DSL accepted for session {s.sid}")

    # ---- data ----
    def on_gre(self, data, src, dst):
        if len(data) < 4:
            self.counters["bad"] += 1
            return
        flags, proto = struct.unpack_from("!HH", data)
        if proto == self.proto:
            if flags != 0x2000 or len(data) < 9:
                self.counters["bad"] += 1
                return
            key = struct.unpack_from("!I", data, 4)[0]
            tb = data[8]
            tunnel = {self.tt[LTE]: LTE, self.tt[DSL]: DSL}.get(tb & 15)
            attrs = attrs_decode(data[9:])
            if tunnel is None or attrs is None:
                self.counters["bad"] += 1
                return
            return self.on_ctrl(src, dst, key, tb >> 4, tunnel, attrs)
        if not flags & 0x2000 or len(data) < 8:
            self.counters["bad"] += 1
            return
        key = struct.unpack_from("!I", data, 4)[0]
        s = self.session_by_addr(src)
        if not s or key != s.key:
            self.counters["wrong_key"] += 1
            return
        self.counters["rx_data"] += 1
        out = self.tun_write
        if flags & 0x1000:
            seq = struct.unpack_from("!I", data, 8)[0]
            self.reorder.push(seq, data[12:], out)
        else:
            self.counters["unseq"] += 1
            out(data[8:])

    def tun_write(self, pkt):
        if self.tun is not None:
            try:
                os.write(self.tun, pkt)
            except OSError:
                pass

    def on_tun(self):
        for _ in range(256):
            try:
                pkt = os.read(self.tun, 4096)
            except BlockingIOError:
                return
            s = next(iter(self.sessions.values()), None)
            if not s:
                continue
            ups = [t for t in (DSL, LTE) if s.up[t] and s.addr[t]]
            if not ups:
                continue
            if self.down_sched == "rr" and len(ups) == 2:
                t = ups[s.rr & 1]
                s.rr += 1
            elif self.down_sched in ups:
                t = self.down_sched
            else:
                t = ups[0]
            proto = 0x86dd if pkt[0] >> 4 == 6 else 0x0800
            if self.unsequenced(pkt):
                # like the real HAAP's DHCP replies: no sequence number
                gre = struct.pack("!HHI", 0x2000, proto, s.key) + pkt
            else:
                gre = struct.pack("!HHII", 0x3000, proto, s.key, self.seq) + pkt
                self.seq = (self.seq + 1) & 0xffffffff
            self.counters["tx_data"] += 1
            self.later(self.delay[t], self.send_raw, self.H, s.addr[t], gre)

    @staticmethod
    def unsequenced(pkt):
        """Link-local IPv6 (DHCPv6 replies) and IPv4 broadcast/DHCP replies."""
        if pkt[0] >> 4 == 6 and len(pkt) >= 40:
            return pkt[24] == 0xfe and pkt[25] & 0xc0 == 0x80
        if pkt[0] >> 4 == 4 and len(pkt) >= 24 and pkt[9] == 17:
            ihl = (pkt[0] & 15) * 4
            return len(pkt) >= ihl + 4 and pkt[ihl:ihl + 4] == b"\x00\x43\x00\x44"
        return False

    def on_sock(self):
        for _ in range(256):
            try:
                data, anc, _, addr = self.sock.recvmsg(65535, 64)
            except BlockingIOError:
                return
            src = ipaddress.IPv6Address(addr[0].split("%")[0]).packed
            dst = None
            for lvl, typ, val in anc:
                if lvl == socket.IPPROTO_IPV6 and typ == socket.IPV6_PKTINFO:
                    dst = val[:16]
            s = self.session_by_addr(src)
            tunnel = None
            if s:
                tunnel = LTE if src == s.addr[LTE] else DSL
            d = self.delay[tunnel] if tunnel else 0
            self.later(d, self.on_gre, data, src, dst)

    # ---- hooks ----
    def status(self):
        reorder = self.reorder.stats
        if self.dp:
            self.dp_send("stats")
            st = json.loads(self.dp.stdout.readline())
            reorder = {k: st[k] for k in ("in_order", "held", "dup", "lost")}
            self.counters.update(rx_data=st["rx_data"], tx_data=st["tx_data"],
                                 unseq=st["unseq"])
        return {"sessions": [{"sid": s.sid, "key": s.key, "cin": s.cin,
                              "lte": s.addr[LTE] and str(ipaddress.IPv6Address(s.addr[LTE])),
                              "dsl": s.addr[DSL] and str(ipaddress.IPv6Address(s.addr[DSL])),
                              "up": s.up, "hellos": s.hellos, "notifies": s.notifies,
                              "filter_acked": s.filter_acked, "filter_sends": s.filter_sends,
                              "link_failures": s.link_failures,
                              "prefix13": s.prefix13, "prefix21": s.prefix21}
                             for s in self.sessions.values()],
                "counters": self.counters, "reorder": reorder}

    def on_ctl(self):
        try:
            data, peer = self.ctl.recvfrom(65535)
        except BlockingIOError:
            return
        try:
            req = json.loads(data)
            cmd = req["cmd"]
            res = {"ok": True}
            if cmd == "status":
                res = self.status()
            elif cmd == "deny":
                self.deny[req.get("tunnel", LTE)] += [req["code"]] * req.get("count", 1)
            elif cmd == "teardown":
                for s in list(self.sessions.values()):
                    if s.up[LTE]:
                        self.send_ctrl(LTE, s.addr[LTE], s.key, 5, [(17, u32(req["code"]))])
                    elif s.up[DSL]:
                        self.send_ctrl(DSL, s.addr[DSL], s.key, 5, [(17, u32(req["code"]))])
                    del self.sessions[s.sid]
            elif cmd == "drop_hellos":
                self.drop_hellos[req["tunnel"]] = bool(req["on"])
            elif cmd == "delay":
                self.delay[req["tunnel"]] = req["ms"] / 1000.0
                self.dp_send(f"delay {req['tunnel']} {int(req['ms'])}")
            elif cmd == "timers":
                self.timers.update({k: v for k, v in req.items() if k in self.timers})
            elif cmd == "verify":
                for s in self.sessions.values():
                    self.send_ctrl(LTE, s.addr[LTE], s.key, 6, [(35, b"")])
            elif cmd == "down_sched":
                self.down_sched = req["mode"]
                self.dp_send(f"sched {req['mode']}")
            else:
                res = {"ok": False, "error": f"unknown command {cmd}"}
        except (ValueError, KeyError, TypeError) as e:
            res = {"ok": False, "error": str(e)}
        self.dp_sync()
        if peer:
            try:
                self.ctl.sendto(json.dumps(res).encode(), peer)
            except OSError:
                pass

    def run(self):
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ, self.on_sock)
        if self.tun is not None:
            sel.register(self.tun, selectors.EVENT_READ, self.on_tun)
        if self.ctl:
            sel.register(self.ctl, selectors.EVENT_READ, self.on_ctl)
        log(f"listening: anycast {self.a.anycast}, HAAP {self.a.haap}, proto {self.proto:#06x}")
        while True:
            timeout = 1.0
            while self.timers_q and self.timers_q[0][0] <= now():
                _, _, fn, args = heapq.heappop(self.timers_q)
                fn(*args)
            self.dp_sync()
            nxt = self.reorder.tick(self.tun_write)
            if self.timers_q:
                timeout = min(timeout, max(0.0, self.timers_q[0][0] - now()))
            if nxt:
                timeout = min(timeout, max(0.0, nxt - now()))
            for k, _ in sel.select(timeout):
                k.data()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--anycast", required=True, help="anycast address G")
    p.add_argument("--haap", required=True, help="this HAAP's address H")
    p.add_argument("--proto", default="0x0101", help="control GRE protocol (0x0101 or 0xB7EA)")
    p.add_argument("--tt-lte", type=int, default=0)
    p.add_argument("--tt-dsl", type=int, default=8)
    p.add_argument("--tun", help="TUN device terminating the bond")
    p.add_argument("--ctl", help="UNIX datagram socket for test hooks")
    p.add_argument("--reorder-ms", type=float, default=100)
    p.add_argument("--down-sched", default="rr", choices=["rr", "dsl", "lte"])
    p.add_argument("--timers", default="{}", help="JSON object overriding Accept timers")
    p.add_argument("--dp", default="auto", choices=["auto", "c", "python"],
                   help="data plane: haap_dp.c (built on first use) or Python")
    a = p.parse_args()
    h = Haap(a)
    h.timers.update(json.loads(a.timers))
    try:
        h.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
