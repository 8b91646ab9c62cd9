#!/usr/bin/python3
"""A small PPPoE access concentrator for the lab and pppoed's tests.

Written from the RFCs (2516, 1661, 1994, 1334, 1332, 1877, 5072, 4638)
without any of pppoed's code, so that a misreading on one side shows up as
a failure on the other.  It runs on a Linux box without kernel PPP: the data
plane is a TUN device in user space.

  ac.py --iface veth1 --auth chap --user alice --password secret \
        --local 198.51.100.1 --peer 198.51.100.2 --dns 192.0.2.53 --tun acppp

Events are printed as JSON lines on stdout (tests read them).  SIGUSR1 sends
a PADT for every session; SIGTERM ends the AC without telling anyone (like a
crash, for the "AC disappears" case).
"""
import argparse
import fcntl
import hashlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_DISC, ETH_SESS = 0x8863, 0x8864
PADI, PADO, PADR, PADS, PADT = 0x09, 0x07, 0x19, 0x65, 0xA7
T_END, T_SVC, T_AC, T_HU, T_COOKIE, T_RELAY, T_MAXP = 0, 0x101, 0x102, 0x103, 0x104, 0x110, 0x120
T_SVC_ERR, T_SYS_ERR, T_GEN_ERR = 0x201, 0x202, 0x203
LCP, PAP, CHAP, IPCP, IPV6CP, IP4, IP6 = 0xC021, 0xC023, 0xC223, 0x8021, 0x8057, 0x21, 0x57
CONFREQ, CONFACK, CONFNAK, CONFREJ, TERMREQ, TERMACK, CODEREJ, PROTREJ, ECHOREQ, ECHOREP, DISCREQ = range(1, 12)


def event(kind, **kw):
    kw["event"] = kind
    kw["t"] = round(time.time(), 3)
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


def tags_parse(data):
    """List of (type, value); raises ValueError on a bad length."""
    out, i = [], 0
    while i + 4 <= len(data):
        t, n = struct.unpack("!HH", data[i:i + 4])
        if i + 4 + n > len(data):
            raise ValueError("tag runs past the payload")
        out.append((t, data[i + 4:i + 4 + n]))
        i += 4 + n
        if t == T_END:
            break
    return out


def tags_build(tags):
    return b"".join(struct.pack("!HH", t, len(v)) + v for t, v in tags)


def opts_parse(data):
    out, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise ValueError("truncated option")
        t, n = data[i], data[i + 1]
        if n < 2 or i + n > len(data):
            raise ValueError("bad option length")
        out.append((t, data[i + 2:i + n]))
        i += n
    return out


def opts_build(opts):
    return b"".join(bytes([t, len(v) + 2]) + v for t, v in opts)


class Session:
    def __init__(self, ac, mac, sid, max_payload):
        self.ac, self.mac, self.sid = ac, mac, sid
        self.mru_link = max_payload or 1492
        self.magic = struct.unpack("!I", os.urandom(4))[0] | 1
        self.ids = 0
        self.lcp_we_acked = self.lcp_they_acked = False
        self.lcp_open = False
        self.auth_ok = False
        self.chap_challenge = None
        self.chap_id = 0
        self.ncp = {IPCP: {"we": False, "they": False, "open": False},
                    IPV6CP: {"we": False, "they": False, "open": False}}
        self.peer_mru = 1500
        self.client_ip = None
        self.client_iid = None
        self.our_iid = ac.a.iid or (struct.unpack("!Q", os.urandom(8))[0] | 1)
        self.last_rx = time.monotonic()
        self.echo_sent = 0
        self.next_echo = time.monotonic() + ac.a.echo_interval if ac.a.echo_interval else None
        self.retx_at = time.monotonic() + 1.0
        self.terminated = False

    def nid(self):
        self.ids = (self.ids + 1) & 0xFF
        return self.ids

    def send(self, proto, code, ident, data=b""):
        pkt = struct.pack("!BBH", code, ident, len(data) + 4) + data
        self.send_ppp(proto, pkt)

    def send_ppp(self, proto, payload):
        ppp = struct.pack("!H", proto) + payload
        hdr = struct.pack("!BBHH", 0x11, 0, self.sid, len(ppp))
        self.ac.send_eth(self.mac, ETH_SESS, hdr + ppp)

    # LCP -----------------------------------------------------------------
    def lcp_request(self):
        opts = [(1, struct.pack("!H", self.mru_link)), (5, struct.pack("!I", self.magic))]
        a = self.ac.a
        if a.auth == "chap":
            opts.append((3, struct.pack("!HB", CHAP, 5)))
        elif a.auth == "pap":
            opts.append((3, struct.pack("!H", PAP)))
        self.lcp_req_id = self.nid()
        self.send(LCP, CONFREQ, self.lcp_req_id, opts_build(opts))

    def start(self):
        self.lcp_request()

    def on_lcp(self, code, ident, data):
        if code == CONFREQ:
            try:
                opts = opts_parse(data)
            except ValueError:
                event("bad_lcp", sid=self.sid)
                return
            rej, nak = [], []
            for t, v in opts:
                if t == 1 and len(v) == 2:
                    mru = struct.unpack("!H", v)[0]
                    if mru > self.mru_link:
                        nak.append((1, struct.pack("!H", self.mru_link)))
                    else:
                        self.peer_mru = mru
                elif t == 5 and len(v) == 4:
                    if struct.unpack("!I", v)[0] == self.magic:
                        nak.append((5, os.urandom(4)))
                else:
                    rej.append((t, v))
            if rej:
                self.send(LCP, CONFREJ, ident, opts_build(rej))
            elif nak:
                self.send(LCP, CONFNAK, ident, opts_build(nak))
            else:
                self.send(LCP, CONFACK, ident, data)
                self.lcp_we_acked = True
                event("lcp_client_request", sid=self.sid, options=[[t, v.hex()] for t, v in opts])
        elif code == CONFACK and ident == getattr(self, "lcp_req_id", -1):
            self.lcp_they_acked = True
        elif code in (CONFNAK, CONFREJ) and ident == getattr(self, "lcp_req_id", -1):
            event("lcp_nak_or_rej", sid=self.sid, code=code, data=data.hex())
            if code == CONFREJ and self.ac.a.auth != "none":
                self.ac.finish(self, "client refused to authenticate", terminate=True)
                return
            self.lcp_request()
        elif code == TERMREQ:
            event("term_req", sid=self.sid, reason=data.decode(errors="replace"))
            self.send(LCP, TERMACK, ident)
            self.terminated = True
            self.lcp_open = False
        elif code == TERMACK:
            pass
        elif code == ECHOREQ:
            if self.lcp_open and self.ac.a.echo_reply:
                self.send(LCP, ECHOREP, ident, struct.pack("!I", self.magic) + data[4:])
            event("echo_req", sid=self.sid)
        elif code == ECHOREP:
            self.echo_sent = 0
        elif code in (CODEREJ, PROTREJ, DISCREQ):
            event("lcp_code", sid=self.sid, code=code, data=data.hex())
        else:
            self.send(LCP, CODEREJ, self.nid(), struct.pack("!BBH", code, ident, len(data) + 4) + data)
        if not self.lcp_open and self.lcp_we_acked and self.lcp_they_acked and not self.terminated:
            self.lcp_open = True
            event("lcp_open", sid=self.sid, peer_mru=self.peer_mru)
            self.begin_auth()

    # authentication ------------------------------------------------------
    def begin_auth(self):
        a = self.ac.a
        if a.auth == "chap":
            self.chap_challenge = os.urandom(16)
            self.chap_id = self.nid()
            body = bytes([16]) + self.chap_challenge + a.ac_name.encode()
            self.send(CHAP, 1, self.chap_id, body)
        elif a.auth == "none":
            self.auth_done(True, "")

    def auth_done(self, ok, user):
        a = self.ac.a
        event("auth", sid=self.sid, ok=ok, user=user, method=a.auth)
        if not ok:
            self.ac.finish(self, "authentication failed", terminate=True)
            return
        self.auth_ok = True
        if a.peer:
            self.ncp_request(IPCP)
        if a.ipv6:
            self.ncp_request(IPV6CP)

    def on_chap(self, code, ident, data):
        a = self.ac.a
        if code != 2 or self.chap_challenge is None or ident != self.chap_id or self.auth_ok:
            return
        n = data[0] if data else 0
        value, name = data[1:1 + n], data[1 + n:].decode(errors="replace")
        want = hashlib.md5(bytes([ident]) + a.password.encode() + self.chap_challenge).digest()
        ok = value == want and name == a.user
        self.send(CHAP, 3 if ok else 4, ident,
                  (b"Welcome to the lab" if ok else a.fail_message.encode()))
        self.auth_done(ok, name)

    def on_pap(self, code, ident, data):
        a = self.ac.a
        if code != 1 or self.auth_ok:
            return
        try:
            ul = data[0]
            user = data[1:1 + ul].decode(errors="replace")
            pl = data[1 + ul]
            pw = data[2 + ul:2 + ul + pl].decode(errors="replace")
        except IndexError:
            return
        ok = user == a.user and pw == a.password
        msg = b"Login ok" if ok else a.fail_message.encode()
        self.send(PAP, 2 if ok else 3, ident, bytes([len(msg)]) + msg)
        self.auth_done(ok, user)

    # NCPs ----------------------------------------------------------------
    def ncp_request(self, proto):
        a = self.ac.a
        if proto == IPCP:
            opts = [(3, socket.inet_aton(a.local))]
        else:
            opts = [(1, struct.pack("!Q", self.our_iid))]
        st = self.ncp[proto]
        st["req_id"] = self.nid()
        st["req"] = opts_build(opts)
        self.send(proto, CONFREQ, st["req_id"], st["req"])

    def on_ncp(self, proto, code, ident, data):
        a = self.ac.a
        st = self.ncp[proto]
        if not self.auth_ok:
            return
        if code == CONFREQ:
            try:
                opts = opts_parse(data)
            except ValueError:
                return
            event("ncp_request_rx", sid=self.sid, proto=proto, options=[[t, v.hex()] for t, v in opts])
            rej, nak = [], []
            for t, v in opts:
                if proto == IPCP and t == 3 and len(v) == 4:
                    if v != socket.inet_aton(a.peer):
                        nak.append((3, socket.inet_aton(a.peer)))
                elif proto == IPCP and t in (129, 131) and len(v) == 4:
                    dns = a.dns[0 if t == 129 else 1] if len(a.dns) > (0 if t == 129 else 1) else None
                    if dns is None:
                        rej.append((t, v))
                    elif v != socket.inet_aton(dns):
                        nak.append((t, socket.inet_aton(dns)))
                elif proto == IPV6CP and t == 1 and len(v) == 8:
                    iid = struct.unpack("!Q", v)[0]
                    if iid == 0 or iid == self.our_iid:
                        nak.append((1, struct.pack("!Q", self.our_iid ^ 0xFFFF)))
                else:
                    rej.append((t, v))
            if rej:
                self.send(proto, CONFREJ, ident, opts_build(rej))
            elif nak:
                self.send(proto, CONFNAK, ident, opts_build(nak))
            else:
                self.send(proto, CONFACK, ident, data)
                st["they"] = True
                if proto == IPCP:
                    self.client_ip = a.peer
                else:
                    self.client_iid = struct.unpack("!Q", opts[0][1])[0] if opts else None
                event("ncp_client_request", sid=self.sid, proto=proto,
                      options=[[t, v.hex()] for t, v in opts])
        elif code == CONFACK and ident == st.get("req_id") and data == st.get("req"):
            st["we"] = True
        elif code in (CONFNAK, CONFREJ):
            self.ncp_request(proto)
        elif code == TERMREQ:
            self.send(proto, TERMACK, ident)
            st.update(we=False, they=False, open=False)
        if st["we"] and st["they"] and not st["open"]:
            st["open"] = True
            name = "ipcp" if proto == IPCP else "ipv6cp"
            event(f"{name}_open", sid=self.sid, client=self.client_ip if proto == IPCP
                  else f"{self.client_iid:016x}")

    # timers --------------------------------------------------------------
    def tick(self, now):
        a = self.ac.a
        if self.terminated:
            return
        if now >= self.retx_at:
            self.retx_at = now + 1.0
            if not self.lcp_they_acked:
                self.lcp_request()
            elif self.lcp_open and self.auth_ok:
                for p in (IPCP, IPV6CP):
                    st = self.ncp[p]
                    if "req_id" in st and not st["we"]:
                        self.ncp_request(p)
        if self.lcp_open and self.next_echo and now >= self.next_echo:
            self.next_echo = now + a.echo_interval
            self.echo_sent += 1
            if self.echo_sent > a.echo_failures:
                event("echo_timeout", sid=self.sid)
                self.ac.finish(self, "echo timeout", terminate=False)
                return
            self.send(LCP, ECHOREQ, self.nid(), struct.pack("!I", self.magic))


class AC:
    def __init__(self, a):
        self.a = a
        self.sessions = {}
        self.next_sid = a.sid_base
        self.disc = self.open_sock(ETH_DISC)
        self.sess = self.open_sock(ETH_SESS)
        self.mac = self.disc.getsockname()[4]
        self.tun = None
        if a.tun:
            self.tun = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(self.tun, 0x400454CA, struct.pack("16sH", a.tun.encode(), 0x0001 | 0x1000))
        self.cookie_key = os.urandom(16)

    def open_sock(self, proto):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
        s.bind((self.a.iface, proto))
        s.setblocking(False)
        return s

    def send_eth(self, dst, proto, payload):
        frame = dst + self.mac + struct.pack("!H", proto) + payload
        if len(frame) < 60:
            frame += bytes(60 - len(frame))
        try:
            (self.disc if proto == ETH_DISC else self.sess).send(frame)
        except OSError as e:
            # A real AC loses frames when its port goes down (ENETDOWN) or a
            # queue is full (ENOBUFS); it does not die.  Count and go on.
            event("send_failed", error=e.strerror)

    def send_disc(self, dst, code, sid, tags):
        body = tags_build(tags)
        self.send_eth(dst, ETH_DISC, struct.pack("!BBHH", 0x11, code, sid, len(body)) + body)

    def cookie(self, mac):
        return hashlib.md5(self.cookie_key + mac).digest()

    def on_disc(self, frame):
        dst, src = frame[0:6], frame[6:12]
        if src == self.mac or len(frame) < 20:
            return
        vt, code, sid, n = struct.unpack("!BBHH", frame[14:20])
        try:
            tags = tags_parse(frame[20:20 + n])
        except ValueError as e:
            event("bad_discovery", error=str(e))
            return
        get = lambda t: next((v for tt, v in tags if tt == t), None)
        svc = get(T_SVC)
        echo = [(t, v) for t, v in tags if t in (T_HU, T_RELAY)]
        a = self.a
        if code == PADI:
            event("padi", mac=mac_str(src), tags=[[t, v.hex()] for t, v in tags])
            if a.silent:
                return
            if svc is None or (svc and svc.decode(errors="replace") not in a.service):
                if svc is not None and a.service_error:
                    self.send_disc(src, PADO, 0, [(T_AC, a.ac_name.encode()),
                                                  (T_SVC_ERR, b"no such service")] + echo)
                return
            out = [(T_AC, a.ac_name.encode())]
            out += [(T_SVC, s.encode()) for s in a.service]
            out += [(T_COOKIE, self.cookie(src))] + echo
            maxp = get(T_MAXP)
            if maxp is not None and a.max_payload:
                out.append((T_MAXP, struct.pack("!H", min(a.max_payload, struct.unpack("!H", maxp)[0]))))
            self.send_disc(src, PADO, 0, out)
        elif code == PADR:
            event("padr", mac=mac_str(src), tags=[[t, v.hex()] for t, v in tags])
            if get(T_COOKIE) != self.cookie(src):
                self.send_disc(src, PADS, 0, [(T_GEN_ERR, b"bad or missing AC-Cookie")] + echo)
                event("pads_error", mac=mac_str(src))
                return
            if a.refuse_padr:
                self.send_disc(src, PADS, 0, [(T_SVC, svc or b""), (T_SYS_ERR, b"out of sessions")] + echo)
                return
            sid = self.next_sid
            self.next_sid = self.next_sid % 0xFFFE + 1
            maxp = get(T_MAXP)
            mp = None
            if maxp is not None and a.max_payload:
                mp = min(a.max_payload, struct.unpack("!H", maxp)[0])
            out = [(T_SVC, svc or b""), (T_AC, a.ac_name.encode())] + echo
            if mp:
                out.append((T_MAXP, struct.pack("!H", mp)))
            self.send_disc(src, PADS, sid, out)
            s = Session(self, src, sid, mp)
            self.sessions[(src, sid)] = s
            event("pads", mac=mac_str(src), sid=sid, max_payload=mp)
            s.start()
        elif code == PADT:
            s = self.sessions.pop((src, sid), None)
            event("padt_received", mac=mac_str(src), sid=sid, known=s is not None)

    def on_sess(self, frame):
        src = frame[6:12]
        if src == self.mac or len(frame) < 22:
            return
        vt, code, sid, n = struct.unpack("!BBHH", frame[14:20])
        s = self.sessions.get((src, sid))
        if s is None:
            return
        ppp = frame[20:20 + n]
        if len(ppp) < 2:
            return
        proto = struct.unpack("!H", ppp[:2])[0]
        body = ppp[2:]
        s.last_rx = time.monotonic()
        if proto in (IP4, IP6):
            if self.tun is not None:
                os.write(self.tun, body)
            return
        if len(body) < 4:
            return
        code, ident, ln = struct.unpack("!BBH", body[:4])
        data = body[4:ln]
        if proto == LCP:
            s.on_lcp(code, ident, data)
        elif proto == CHAP:
            s.on_chap(code, ident, data)
        elif proto == PAP:
            s.on_pap(code, ident, data)
        elif proto in (IPCP, IPV6CP):
            if proto == IPV6CP and not self.a.ipv6:
                s.send(LCP, PROTREJ, s.nid(), ppp)
            else:
                s.on_ncp(proto, code, ident, data)
        else:
            s.send(LCP, PROTREJ, s.nid(), ppp)

    def on_tun(self):
        pkt = os.read(self.tun, 4096)
        for s in list(self.sessions.values()):
            if pkt[0] >> 4 == 4 and s.ncp[IPCP]["open"]:
                s.send_ppp(IP4, pkt)
            elif pkt[0] >> 4 == 6 and s.ncp[IPV6CP]["open"]:
                s.send_ppp(IP6, pkt)

    def finish(self, s, why, terminate):
        if terminate:
            s.send(LCP, TERMREQ, s.nid(), why.encode())
        self.send_disc(s.mac, PADT, s.sid, [(T_GEN_ERR, why.encode())])
        self.sessions.pop((s.mac, s.sid), None)
        s.terminated = True
        event("padt_sent", sid=s.sid, reason=why)

    def padt_all(self):
        for s in list(self.sessions.values()):
            self.finish(s, "administrative PADT", terminate=False)

    def run(self):
        want_padt = []
        signal.signal(signal.SIGUSR1, lambda *_: want_padt.append(1))
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        event("ready", mac=mac_str(self.mac))
        fds = [self.disc, self.sess] + ([self.tun] if self.tun is not None else [])
        while True:
            try:
                r, _, _ = select.select(fds, [], [], 0.1)
            except InterruptedError:
                r = []
            if want_padt:
                want_padt.clear()
                self.padt_all()
            for f in r:
                try:
                    if f is self.disc:
                        self.on_disc(self.disc.recv(4096))
                    elif f is self.sess:
                        self.on_sess(self.sess.recv(4096))
                    else:
                        self.on_tun()
                except (BlockingIOError, OSError):
                    pass
            now = time.monotonic()
            for s in list(self.sessions.values()):
                s.tick(now)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--ac-name", default="hgw-lab-ac")
    ap.add_argument("--service", action="append", default=None,
                    help="offered Service-Name (repeatable; default: \"\" and \"internet\")")
    ap.add_argument("--auth", choices=("chap", "pap", "none"), default="chap")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--fail-message", default="Authentication failed: wrong user name or password")
    ap.add_argument("--local", default="198.51.100.1", help="our IPCP address")
    ap.add_argument("--peer", default="198.51.100.2", help="address given to the client ('' = no IPCP)")
    ap.add_argument("--dns", action="append", default=None)
    ap.add_argument("--ipv6", action="store_true", help="run IPv6CP")
    ap.add_argument("--iid", type=lambda v: int(v.replace(":", ""), 16), default=0,
                    help="our IPv6CP interface identifier in hex, e.g. 0000:0000:0000:0001 "
                         "(default random)")
    ap.add_argument("--tun", default="", help="TUN device for the data plane")
    ap.add_argument("--echo-interval", type=float, default=0.0)
    ap.add_argument("--echo-failures", type=int, default=3)
    ap.add_argument("--no-echo-reply", dest="echo_reply", action="store_false")
    ap.add_argument("--max-payload", type=int, default=0, help="RFC 4638: largest PPP payload we grant")
    ap.add_argument("--sid-base", type=int, default=1)
    ap.add_argument("--silent", action="store_true", help="never answer PADI")
    ap.add_argument("--refuse-padr", action="store_true", help="answer PADR with AC-System-Error")
    ap.add_argument("--service-error", action="store_true",
                    help="answer PADI for an unknown service with Service-Name-Error")
    a = ap.parse_args()
    if a.service is None:
        a.service = ["", "internet"]
    if a.dns is None:
        a.dns = ["192.0.2.53", "192.0.2.54"]
    AC(a).run()


if __name__ == "__main__":
    main()
