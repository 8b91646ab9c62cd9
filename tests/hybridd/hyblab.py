"""A small hybrid-access lab for hybridd's integration tests.

    router ns: lte0 (2001:db8:1::2) and dsl0 (2001:db8:2::2), hybridd, its TUN hybrid0
    haap ns:   hl/hd (the other ends), G = 2001:db8:ff::1 and H = 2001:db8:ff::6 on lo,
               lab/haap/haap.py with TUN bond0 (192.0.2.1, 2001:db8:c::1)
    inet ns:   198.51.100.2 / 2001:db8:99::2 behind the HAAP

The test writes lte.json and pppoe.json as lte-modemd and pppoed would, and
addresses the TUN as netlinkd would (those daemons are not needed here).
"""
import json
import os
import socket
import subprocess
import tempfile
import time

from hgwtest import ROOT, sh, wait_state

G, H = "2001:db8:ff::1", "2001:db8:ff::6"
E, D = "2001:db8:1::2", "2001:db8:2::2"
HAAP_PY = os.path.join(ROOT, "lab", "haap", "haap.py")
FAST_TIMERS = {"active_hello": 1, "hello_retry": 3, "bypass_interval": 2, "idle_hello": 100,
               "no_traffic": 30}


class Lab:
    def __init__(self, net, tmp):
        self.net, self.tmp = net, str(tmp)
        self.r, self.h, self.i = net.ns("r"), net.ns("h"), net.ns("i")
        net.veth(self.r, "lte0", self.h, "hl")
        net.veth(self.r, "dsl0", self.h, "hd")
        net.veth(self.h, "hi", self.i, "ii")
        ip = net.ip
        ip(self.r, "addr", "add", f"{E}/64", "dev", "lte0", "nodad")
        ip(self.r, "addr", "add", f"{D}/64", "dev", "dsl0", "nodad")
        ip(self.r, "-6", "route", "add", "default", "via", "2001:db8:1::1", "dev", "lte0", "metric", "100")
        ip(self.r, "-6", "route", "add", "default", "via", "2001:db8:2::1", "dev", "dsl0", "metric", "200")
        ip(self.h, "addr", "add", "2001:db8:1::1/64", "dev", "hl", "nodad")
        ip(self.h, "addr", "add", "2001:db8:2::1/64", "dev", "hd", "nodad")
        ip(self.h, "addr", "add", f"{G}/128", "dev", "lo")
        ip(self.h, "addr", "add", f"{H}/128", "dev", "lo")
        ip(self.h, "addr", "add", "198.51.100.1/24", "dev", "hi")
        ip(self.h, "addr", "add", "2001:db8:99::1/64", "dev", "hi", "nodad")
        ip(self.i, "addr", "add", "198.51.100.2/24", "dev", "ii")
        ip(self.i, "addr", "add", "2001:db8:99::2/64", "dev", "ii", "nodad")
        ip(self.i, "route", "add", "default", "via", "198.51.100.1")
        ip(self.i, "-6", "route", "add", "default", "via", "2001:db8:99::1")
        for k in ("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"):
            sh("sysctl", "-qw", k, ns=self.h)
        self.haap = None
        self.ctl = os.path.join(self.tmp, "haap.ctl")
        self.state_dir = os.path.join(self.tmp, "state")
        os.makedirs(self.state_dir, exist_ok=True)

    # ---- the HAAP ----
    def start_haap(self, timers=None, extra=()):
        t = dict(FAST_TIMERS)
        t.update(timers or {})
        self.haap_log = open(os.path.join(self.tmp, "haap.log"), "w")
        self.haap = subprocess.Popen(
            ["ip", "netns", "exec", self.h, "/usr/bin/python3", HAAP_PY, "--anycast", G,
             "--haap", H, "--tun", "bond0", "--ctl", self.ctl, "--timers", json.dumps(t), *extra],
            stdout=self.haap_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 5
        while not os.path.exists(self.ctl):
            assert time.monotonic() < deadline, "HAAP did not start:\n" + self.haap_logtext()
            time.sleep(0.02)
        ip = self.net.ip
        ip(self.h, "link", "set", "bond0", "up", "mtu", "1400")
        ip(self.h, "addr", "add", "192.0.2.1/32", "dev", "bond0")
        ip(self.h, "route", "add", "192.0.2.2/32", "dev", "bond0")
        ip(self.h, "-6", "addr", "add", "2001:db8:c::1/128", "dev", "bond0", "nodad")
        ip(self.h, "-6", "route", "add", "2001:db8:c::2/128", "dev", "bond0")

    def haap_logtext(self):
        with open(os.path.join(self.tmp, "haap.log")) as f:
            return f.read()

    def hook(self, **req):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        me = os.path.join(self.tmp, f"cli-{os.getpid()}-{time.monotonic_ns()}")
        s.bind(me)
        s.settimeout(3)
        try:
            s.sendto(json.dumps(req).encode(), self.ctl)
            return json.loads(s.recv(1 << 20))
        finally:
            s.close()
            os.unlink(me)

    def status(self):
        return self.hook(cmd="status")

    def stop_haap(self):
        if self.haap and self.haap.poll() is None:
            self.haap.terminate()
            self.haap.wait(5)

    # ---- inputs of hybridd ----
    def write_state(self, name, doc):
        doc = dict({"version": 1, "writer": "test"}, **doc)
        p = os.path.join(self.state_dir, name)
        with open(p + ".tmp", "w") as f:
            json.dump(doc, f)
        os.rename(p + ".tmp", p)

    def links_up(self, lte=True, dsl=True, dns=()):
        if lte:
            self.write_state("lte.json", {"state": "connected", "interface": "lte0",
                                          "ipv6": f"{E}/64", "dns": list(dns)})
        if dsl:
            self.write_state("pppoe.json", {"state": "up", "interface": "dsl0", "mode": "kernel"})

    def config(self, **kw):
        c = {"haap": G, "cin": "hgw-lab", "dsl_sync_kbps": 50000, "request_timeout_ms": 500,
             "backoff_initial_ms": 1000, "backoff_max_ms": 4000, "notify_resend_ms": 1000,
             "interface": "hybrid0", "reorder_max_ms": 100}
        c.update(kw)
        return {"hybridd": c}

    def start_hybridd(self, daemons, data_dir=None, **kw):
        return daemons.start("hybridd", self.config(**kw), ns=self.r, state_dir=self.state_dir,
                             data_dir=data_dir)

    def address_tun(self):
        """What netlinkd would do once hybrid.json names the device."""
        ip = self.net.ip
        ip(self.r, "link", "set", "hybrid0", "up", "mtu", "1400")
        ip(self.r, "addr", "add", "192.0.2.2/32", "dev", "hybrid0")
        ip(self.r, "route", "add", "198.51.100.0/24", "dev", "hybrid0")
        ip(self.r, "-6", "addr", "add", "2001:db8:c::2/128", "dev", "hybrid0", "nodad")
        ip(self.r, "-6", "route", "add", "2001:db8:99::/64", "dev", "hybrid0")

    def wait(self, pred, timeout=10, daemon=None):
        return wait_state(self.state_dir, "hybrid.json", pred, timeout=timeout, daemon=daemon)

    def close(self):
        self.stop_haap()


def bonded(doc):
    return doc["state"] == "bonded"
