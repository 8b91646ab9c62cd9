"""The hgw lab: a whole hybrid-access provider in network namespaces on one
machine, and the real hgw daemons running against it.

    lab/run [--once] [--build DIR] [--dir DIR]

Namespaces (all named hgwlab-*):
  router    the hgw daemons with one shared state dir: netlinkd, lte-modemd,
            pppoed, hybridd, dhcp6c, dhcp4c, netdumpd; dnsmasq for the LAN
  lte       the LTE radio side: the modem simulator (on a pty) and the
            mobile network's router toward the HAAP
  dsl       the PPPoE access concentrator (lab/pppoe-ac) with its TUN, an
            RA sender for the WAN /64, routing toward the HAAP
  haap      lab/haap (RFC 8157), Kea DHCPv6 (IA_PD) and dnsmasq DHCPv4+DNS
            inside the bond, routing to the internet
  internet  a host with both address families and an iperf3 server
  lan       a client: DHCPv4 (busybox udhcpc) and SLAAC from the delegated prefix

Everything the lab starts is recorded in DIR/lab.json (default
/tmp/hgwlab), which lab/ctl reads.  Nothing here links hgw code: the lab only
starts programs, reads state files and looks at the kernel.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "lab")
PY = "/usr/bin/python3"
PREFIX = "hgwlab-"
NS = {n: PREFIX + n for n in ("router", "lte", "dsl", "haap", "internet", "lan")}
DEFAULT_DIR = "/tmp/hgwlab"
LOCK = "/tmp/hgwlab.lock"

# ---- addressing (docs/lab.md draws it) ----
G, H = "2001:db8:ff::1", "2001:db8:ff::6"       # HAAP anycast and HAAP address
LTE_NET = "2001:db8:100:7::/64"                  # the bearer's /64 (modemsim's address is in it)
LTE_BEARER = "2001:db8:100:7::1a2b"
DSL_NET = "2001:db8:200:1::/64"                  # WAN /64 advertised over PPP
PD_POOL = "2001:db8:300::/40"                    # Kea delegates /56s from here
BOND6 = "2001:db8:c::1/64"                       # HAAP's side of the bond
BOND4 = "192.0.2.1/24"                           # HAAP's side; clients get .100-.150
PPP_LOCAL, PPP_PEER = "203.0.113.1", "203.0.113.2"
INET4, INET6 = "198.51.100.2", "2001:db8:99::2"
LAN4 = "10.10.0.1/24"
FAST_TIMERS = {"active_hello": 1, "hello_retry": 3, "bypass_interval": 5, "idle_hello": 100,
               "no_traffic": 60}

HGW_DAEMONS = ["netlinkd", "lte-modemd", "pppoed", "hybridd", "dhcp6c", "dhcp4c", "netdumpd"]


def now():
    return time.monotonic()


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        return [f"(no log: {e})"]
    return lines[-n:] or ["(log empty)"]


def run(*cmd, ns=None, check=True, timeout=10, **kw):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + tuple(cmd)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise LabError(f"{' '.join(cmd)}: {p.stderr.strip() or p.stdout.strip()} (exit {p.returncode})")
    return p


def ip(ns, *args, check=True):
    return run("ip", "-n", ns, *args, check=check).stdout


def ipj(ns, *args):
    out = run("ip", "-j", "-n", ns, *args, check=False).stdout
    try:
        return json.loads(out) if out.strip() else []
    except ValueError:
        return []


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class LabError(Exception):
    pass


class Proc:
    """One process the lab started: a peer, a server or an hgw daemon."""

    def __init__(self, name, argv, ns, log, env=None, restart=False, kind="peer"):
        self.name, self.argv, self.ns, self.log = name, argv, ns, log
        self.env, self.restart, self.kind = env, restart, kind
        self.p = None
        self.restarts = 0
        self.stopping = False

    def start(self):
        cmd = list(self.argv)
        if self.ns:
            cmd = ["ip", "netns", "exec", self.ns] + cmd
        logf = open(self.log, "a")
        env = dict(os.environ, **(self.env or {}))
        self.p = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=env, start_new_session=True)
        logf.close()
        self.started = now()

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def signal(self, sig):
        if self.alive():
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout=3):
        self.stopping = True
        if not self.alive():
            return
        self.signal(signal.SIGTERM)
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            try:
                self.p.wait(2)
            except subprocess.TimeoutExpired:
                pass


class Lab:
    def __init__(self, build="build", workdir=DEFAULT_DIR, out=sys.stdout, verbose=False):
        self.build = build if os.path.isabs(build) else os.path.join(ROOT, build)
        self.bin = os.path.join(self.build, "bin")
        self.dir = workdir
        self.state = os.path.join(workdir, "state")
        self.data = os.path.join(workdir, "data")
        self.logs = os.path.join(workdir, "log")
        self.out = out
        self.verbose = verbose
        self.t0 = now()
        self.procs = {}
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.supervisor = None
        self.missing = []
        self.skipped = []
        self.t_daemons = 0.0

    # ---- output ----
    def say(self, msg, mark=" "):
        with self.lock:
            self.out.write(f"[{now() - self.t0:6.2f}s] {mark} {msg}\n")
            self.out.flush()

    def show_tail(self, logname, n=12):
        path = os.path.join(self.logs, logname + ".log")
        with self.lock:
            self.out.write(f"           --- last lines of {path}:\n")
            for line in tail(path, n):
                self.out.write(f"           | {line[:200]}\n")
            self.out.flush()

    # ---- bookkeeping shared with lab/ctl ----
    def write_info(self):
        info = {"pid": os.getpid(), "dir": self.dir, "state_dir": self.state, "logs": self.logs,
                "bin": self.bin, "namespaces": NS, "haap_ctl": os.path.join(self.dir, "haap.ctl"),
                "modem_ctl": os.path.join(self.dir, "modemsim.ctl"),
                "lab_ctl": os.path.join(self.dir, "lab.ctl"),
                "procs": {n: {"pid": p.p.pid if p.p else None, "ns": p.ns, "kind": p.kind,
                              "log": p.log, "restarts": p.restarts}
                          for n, p in self.procs.items()}}
        tmp = os.path.join(self.dir, "lab.json.tmp")
        with open(tmp, "w") as f:
            json.dump(info, f, indent=1)
        os.rename(tmp, os.path.join(self.dir, "lab.json"))

    # ---- preflight and stale runs ----
    def preflight(self):
        if os.geteuid() != 0:
            raise LabError("the lab needs root (network namespaces); run it with sudo")
        need = {"ip": "iproute2", "kea-dhcp6": "kea-dhcp6-server", "dnsmasq": "dnsmasq-base",
                "iperf3": "iperf3", "busybox": "busybox-static", "ping": "iputils-ping"}
        miss = [f"{t} (package {p})" for t, p in need.items() if not shutil.which(t)]
        if miss:
            raise LabError("missing tools: " + ", ".join(miss) + " (scripts/deps installs them)")
        for peer in ("haap/haap.py", "pppoe-ac/ac.py", "modemsim/modemsim.py"):
            if not os.path.exists(os.path.join(LAB, peer)):
                self.missing.append(f"lab/{peer}")
                self.say(f"not yet available: lab/{peer} (its part of the lab is skipped)", "!")
        for d in HGW_DAEMONS:
            if not os.access(os.path.join(self.bin, d), os.X_OK):
                self.missing.append(d)
                rel = os.path.relpath(self.build, ROOT)
                self.say(f"not yet available: {d} ({self.bin}/{d} missing; build it with "
                         f"make BUILD={self.build if rel.startswith('..') else rel})", "!")

    def sweep(self):
        """Removes what a previous lab left behind (if its process is gone)."""
        # The lock is ours, so any hgwlab-* namespace is a crashed lab's.
        leftovers = [n for n in self.namespaces() if n.startswith(PREFIX)]
        if leftovers:
            self.say(f"removing leftovers of an earlier run: {' '.join(leftovers)}", "!")
        for n in leftovers:
            self.delete_ns(n)
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(self.data, ignore_errors=True)

    @staticmethod
    def namespaces():
        out = run("ip", "netns", "list", check=False).stdout
        return [line.split()[0] for line in out.splitlines() if line.split()]

    @staticmethod
    def delete_ns(name):
        for pid in run("ip", "netns", "pids", name, check=False).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        run("ip", "netns", "del", name, check=False)

    # ---- topology ----
    def add_ns(self, name, forwarding=False):
        run("ip", "netns", "add", name)
        ip(name, "link", "set", "lo", "up")
        keys = ["net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0"]
        if forwarding:
            # A provider box: forwards, and keeps its addresses while a link
            # is cut (lab/ctl cut), as a real one's config would.
            keys += ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                     "net.ipv6.conf.default.keep_addr_on_down=1",
                     "net.ipv6.conf.all.keep_addr_on_down=1"]
        for k in keys:
            run("sysctl", "-qw", k, ns=name)

    def veth(self, ns1, if1, ns2, if2):
        run("ip", "link", "add", if1, "netns", ns1, "type", "veth", "peer", "name", if2, "netns", ns2)
        ip(ns1, "link", "set", if1, "up")
        ip(ns2, "link", "set", if2, "up")

    def topology(self):
        r, l, d, h, i, n = (NS[k] for k in ("router", "lte", "dsl", "haap", "internet", "lan"))
        self.add_ns(r)          # netlinkd sets forwarding and everything else in here
        self.add_ns(l, forwarding=True)
        self.add_ns(d, forwarding=True)
        self.add_ns(h, forwarding=True)
        self.add_ns(i)
        self.add_ns(n)
        # The router's ports.  Their addresses are netlinkd's business.
        self.veth(r, "wwan0", l, "radio0")
        # The DSL line: router dsl0 -- line0 [bridge "dslam"] line1 -- port0,
        # the AC's port.  Disabling the bridge port line0 cuts the line
        # silently (the router's port keeps its carrier, as behind a modem).
        self.veth(r, "dsl0", d, "line0")
        self.veth(d, "line1", d, "port0")
        ip(d, "link", "add", "dslam", "type", "bridge")
        ip(d, "link", "set", "line0", "master", "dslam")
        ip(d, "link", "set", "line1", "master", "dslam")
        ip(d, "link", "set", "dslam", "up")
        self.veth(r, "lan0", n, "eth0")
        # LTE radio side: the bearer's /64 is on-link, fe80::1 is the
        # gateway the modem reports (+CGCONTRDP).
        ip(l, "addr", "add", "fe80::1/64", "dev", "radio0", "nodad")
        ip(l, "addr", "add", "2001:db8:100:7::1/64", "dev", "radio0", "nodad")
        self.veth(l, "core0", h, "lte0")
        ip(l, "addr", "add", "2001:db8:f1::2/64", "dev", "core0", "nodad")
        ip(l, "-6", "route", "add", "default", "via", "2001:db8:f1::1")
        # DSL side: the AC's TUN gets its addresses once the AC made it.
        self.veth(d, "core0", h, "dsl0")
        ip(d, "addr", "add", "2001:db8:f2::2/64", "dev", "core0", "nodad")
        ip(d, "addr", "add", "10.255.2.2/30", "dev", "core0")
        ip(d, "-6", "route", "add", "default", "via", "2001:db8:f2::1")
        ip(d, "route", "add", "default", "via", "10.255.2.1")
        # HAAP: G and H on lo, routes back to both access networks.
        ip(h, "addr", "add", f"{G}/128", "dev", "lo")
        ip(h, "addr", "add", f"{H}/128", "dev", "lo")
        ip(h, "addr", "add", "2001:db8:f1::1/64", "dev", "lte0", "nodad")
        ip(h, "addr", "add", "2001:db8:f2::1/64", "dev", "dsl0", "nodad")
        ip(h, "addr", "add", "10.255.2.1/30", "dev", "dsl0")
        ip(h, "-6", "route", "add", LTE_NET, "via", "2001:db8:f1::2")
        ip(h, "-6", "route", "add", "2001:db8:200::/48", "via", "2001:db8:f2::2")
        ip(h, "route", "add", f"{PPP_PEER}/32", "via", "10.255.2.2")
        self.veth(h, "inet0", i, "eth0")
        ip(h, "addr", "add", "198.51.100.1/24", "dev", "inet0")
        ip(h, "addr", "add", "2001:db8:99::1/64", "dev", "inet0", "nodad")
        # The internet host.
        ip(i, "addr", "add", f"{INET4}/24", "dev", "eth0")
        ip(i, "addr", "add", f"{INET6}/64", "dev", "eth0", "nodad")
        ip(i, "route", "add", "default", "via", "198.51.100.1")
        ip(i, "-6", "route", "add", "default", "via", "2001:db8:99::1")
        # The LAN client: SLAAC on, no forwarding.
        for k in ("net.ipv6.conf.eth0.accept_ra=1", "net.ipv6.conf.eth0.autoconf=1"):
            run("sysctl", "-qw", k, ns=n)
        self.say("topology: namespaces " + " ".join(NS.values()))

    # ---- processes ----
    def spawn(self, name, argv, ns, env=None, restart=False, kind="peer"):
        p = Proc(name, argv, ns, os.path.join(self.logs, name + ".log"), env, restart, kind)
        p.start()
        self.procs[name] = p
        self.write_info()
        return p

    def wait_for(self, what, cond, timeout, log=None, proc=None):
        """Polls cond() until true; on timeout says what is missing and the log tail."""
        deadline = now() + timeout
        while now() < deadline:
            if cond():
                return True
            if proc is not None and not proc.alive():
                self.say(f"{proc.name} exited ({proc.p.returncode}) while waiting for {what}", "✗")
                self.show_tail(proc.name)
                return False
            time.sleep(0.05)
        self.say(f"timed out after {timeout}s waiting for {what}", "✗")
        if log:
            self.show_tail(log)
        return False

    def peers(self):
        if "lab/haap/haap.py" not in self.missing:
            self.start_haap()
        self.spawn("iperf3", ["iperf3", "-s", "--forceflush"], NS["internet"])
        if "lab/pppoe-ac/ac.py" not in self.missing:
            self.start_ac()
        if "lab/modemsim/modemsim.py" not in self.missing:
            self.start_modem()
        self.say("provider up: HAAP + Kea DHCPv6 + dnsmasq DHCPv4 in the bond, PPPoE AC, "
                 "modem on a pty, iperf3 on the internet host")

    def start_haap(self, restart=False):
        """The HAAP with the bond's TUN, then the DHCP servers on it (they
        bind to bond0, so they follow a HAAP restart)."""
        h = NS["haap"]
        if restart:
            for n in ("dnsmasq-bond", "kea6", "haap"):
                if n in self.procs:
                    self.procs[n].stop()
        ctl = os.path.join(self.dir, "haap.ctl")
        try:
            os.unlink(ctl)
        except OSError:
            pass
        p = self.spawn("haap", [PY, os.path.join(LAB, "haap", "haap.py"), "--anycast", G,
                                "--haap", H, "--tun", "bond0", "--ctl", ctl,
                                "--timers", json.dumps(FAST_TIMERS)], h)
        if not self.wait_for("the HAAP's control socket", lambda: os.path.exists(ctl), 5,
                             "haap", p):
            raise LabError("the HAAP did not start")
        ip(h, "link", "set", "bond0", "up")
        ip(h, "addr", "add", "fe80::1/64", "dev", "bond0", "nodad")
        ip(h, "addr", "add", BOND6, "dev", "bond0", "nodad")
        ip(h, "addr", "add", BOND4, "dev", "bond0")
        ip(h, "-6", "route", "add", PD_POOL, "dev", "bond0")
        self.start_kea(h)
        self.start_bond_dnsmasq(h)

    def start_ac(self, restart=False):
        """The PPPoE AC, its TUN (addresses and routes of the DSL side) and
        the RA sender on it."""
        d = NS["dsl"]
        if restart:
            for n in ("ra", "pppoe-ac"):
                if n in self.procs:
                    self.procs[n].stop()
            self.ac_generation = getattr(self, "ac_generation", 0) + 1
        # A restarted AC numbers its sessions differently, as a real BRAS
        # after a reboot would.
        sid_base = 1 + 100 * getattr(self, "ac_generation", 0)
        p = self.spawn("pppoe-ac", [PY, os.path.join(LAB, "pppoe-ac", "ac.py"), "--iface", "port0",
                                    "--auth", "chap", "--user", "alice@lab", "--password",
                                    "lab-secret", "--local", PPP_LOCAL, "--peer", PPP_PEER,
                                    "--dns", "192.0.2.1", "--ipv6", "--tun", "acppp",
                                    "--echo-interval", "2", "--sid-base", str(sid_base)], d)
        if not self.wait_for("the AC's TUN acppp", lambda: bool(ipj(d, "link", "show", "acppp")),
                             5, "pppoe-ac", p):
            raise LabError("the PPPoE AC did not start")
        ip(d, "link", "set", "acppp", "up")
        ip(d, "addr", "add", "fe80::1/64", "dev", "acppp", "nodad")
        ip(d, "addr", "add", PPP_LOCAL + "/32", "dev", "acppp")
        ip(d, "route", "add", PPP_PEER + "/32", "dev", "acppp")
        ip(d, "-6", "route", "add", DSL_NET, "dev", "acppp")
        self.spawn("ra", [PY, os.path.join(LAB, "lib", "ra.py"), "--iface", "acppp",
                          "--prefix", DSL_NET, "--interval", "2"], d)

    def start_modem(self, restart=False):
        """The modem simulator (in the LTE namespace; its pty is a file)."""
        if restart and "modemsim" in self.procs:
            self.procs["modemsim"].stop()
        link = os.path.join(self.dir, "modem")
        ctl = os.path.join(self.dir, "modemsim.ctl")
        for f in (ctl,):
            try:
                os.unlink(f)
            except OSError:
                pass
        p = self.spawn("modemsim", [PY, os.path.join(LAB, "modemsim", "modemsim.py"), "--link",
                                    link, "--profile", "huawei", "--control", ctl, "--status",
                                    os.path.join(self.dir, "modemsim.json"), "--ipv6",
                                    LTE_BEARER], NS["lte"])
        if not self.wait_for("the modem's pty", lambda: os.path.islink(link) and
                             os.path.exists(ctl), 5, "modemsim", p):
            raise LabError("the modem simulator did not start")

    def restart(self, name, sig="TERM"):
        """lab/ctl restart|kill NAME.  hgw daemons are signalled and the
        supervisor starts them again; peers are restarted here."""
        p = self.procs.get(name)
        if p is None:
            return {"ok": False, "error": f"no process {name}; have: {' '.join(self.procs)}"}
        if p.kind == "hgw":
            self.say(f"lab/ctl: SIG{sig} to {name} (pid {p.p.pid})", "!")
            p.signal(getattr(signal, "SIG" + sig))
            return {"ok": True}
        starters = {"haap": self.start_haap, "pppoe-ac": self.start_ac, "modemsim": self.start_modem}
        self.say(f"lab/ctl: restarting {name}", "!")
        try:
            if name in starters:
                starters[name](restart=True)
            else:
                p.stop()
                p.stopping = False
                p.start()
                self.write_info()
        except LabError as e:
            return {"ok": False, "error": str(e)}
        return {"ok": True}

    def cut(self, link, how=None, restore=False):
        """lab/ctl cut|restore lte|dsl: on the provider's side of the
        router's port.  carrier: that end goes down, the router sees carrier
        loss (default for LTE); silent: every frame is dropped both ways, the
        router's port stays up (a DSL line lost behind the modem; default for
        DSL)."""
        where = {"lte": (NS["lte"], "radio0"), "dsl": (NS["dsl"], "line0")}
        if link not in where:
            return {"ok": False, "error": "lte or dsl"}
        n, dev = where[link]
        if restore:
            run("ip", "netns", "exec", n, "nft", "delete", "table", "netdev", "hgwlab_cut", check=False)
            ip(n, "link", "set", dev, "up")
            if link == "dsl":
                run("bridge", "-n", n, "link", "set", "dev", dev, "state", "3", check=False)
            else:
                # Link-local addresses go with the link (keep_addr_on_down
                # keeps only global ones): fe80::1 is the bearer's gateway.
                ip(n, "addr", "replace", "fe80::1/64", "dev", dev, "nodad")
                ip(n, "addr", "replace", "2001:db8:100:7::1/64", "dev", dev, "nodad")
            self.say(f"lab/ctl: {link} restored", "!")
            return {"ok": True, "how": "restored"}
        how = how or ("carrier" if link == "lte" else "silent")
        if how == "carrier":
            ip(n, "link", "set", dev, "down")
        elif how == "silent" and link == "dsl":
            run("bridge", "-n", n, "link", "set", "dev", dev, "state", "0")  # disabled
        elif how == "silent":
            rules = (f"table netdev hgwlab_cut {{\n"
                     f" chain in {{ type filter hook ingress device {dev} priority 0; policy drop; }}\n}}\n")
            run("ip", "netns", "exec", n, "nft", "-f", "-", input=rules)
        else:
            return {"ok": False, "error": "carrier or silent"}
        self.say(f"lab/ctl: {link} cut ({how}: {dev} in {n})", "!")
        return {"ok": True, "how": how}

    def control_server(self):
        """lab/ctl talks to the running lab over DIR/lab.ctl (JSON datagrams)."""
        path = os.path.join(self.dir, "lab.ctl")
        try:
            os.unlink(path)
        except OSError:
            pass
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.settimeout(0.5)
        self.ctl_sock = s
        while not self.stop_event.is_set():
            try:
                data, peer = s.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                req = json.loads(data)
                if req.get("cmd") in ("restart", "kill"):
                    res = self.restart(req["name"], "KILL" if req["cmd"] == "kill" else "TERM")
                elif req.get("cmd") in ("cut", "restore"):
                    res = self.cut(req["link"], req.get("how"), req["cmd"] == "restore")
                elif req.get("cmd") == "say":
                    self.say(f"lab/ctl: {req.get('text', '')}", "!")
                    res = {"ok": True}
                else:
                    res = {"ok": False, "error": f"unknown command {req.get('cmd')}"}
            except (ValueError, KeyError, TypeError) as e:
                res = {"ok": False, "error": str(e)}
            if peer:
                try:
                    s.sendto(json.dumps(res).encode(), peer)
                except OSError:
                    pass

    def start_kea(self, ns):
        kdir = os.path.join(self.dir, "kea")
        os.makedirs(kdir, exist_ok=True)
        with open(os.path.join(LAB, "configs", "kea6.json")) as f:
            text = f.read().replace("@KEA@", kdir)
        cfg = os.path.join(kdir, "kea6.json")
        with open(cfg, "w") as f:
            f.write(text)
        p = self.spawn("kea6", ["kea-dhcp6", "-c", cfg], ns,
                       env={"KEA_LOCKFILE_DIR": kdir, "KEA_PIDFILE_DIR": kdir})
        if not self.wait_for("Kea DHCPv6 to start", lambda: "DHCP6_STARTED" in
                             "\n".join(tail(p.log, 50)), 10, "kea6", p):
            raise LabError("kea-dhcp6 did not start")

    def start_bond_dnsmasq(self, ns):
        ddir = os.path.join(self.dir, "dnsmasq-bond")
        os.makedirs(ddir, exist_ok=True)
        p = self.spawn("dnsmasq-bond", [
            "dnsmasq", "--no-daemon", f"--conf-file={os.path.join(LAB, 'configs', 'dnsmasq-bond.conf')}",
            f"--dhcp-leasefile={os.path.join(ddir, 'leases')}",
            f"--pid-file={os.path.join(ddir, 'pid')}"], ns)
        time.sleep(0.2)
        if not p.alive():
            self.show_tail("dnsmasq-bond")
            raise LabError("dnsmasq (DHCPv4 in the bond) did not start")

    def write_config(self):
        with open(os.path.join(LAB, "configs", "hgw.json")) as f:
            text = f.read().replace("@WORK@", self.dir)
        self.config = os.path.join(self.dir, "hgw.json")
        with open(self.config, "w") as f:
            f.write(text)
        pw = os.path.join(self.dir, "ppp-password")
        fd = os.open(pw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, b"lab-secret\n")
        os.close(fd)
        os.chmod(pw, 0o600)

    def netdumpd_key(self):
        """A key the LAN client uses to fetch netdumpd's capture over SSH."""
        self.ssh_key = os.path.join(self.dir, "lab_ssh_key")
        for f in (self.ssh_key, self.ssh_key + ".pub"):
            if os.path.exists(f):
                os.unlink(f)
        if not shutil.which("ssh-keygen"):
            return
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hgw-lab", "-f", self.ssh_key)
        ddir = os.path.join(self.data, "netdumpd")
        os.makedirs(ddir, exist_ok=True)
        ak = os.path.join(ddir, "authorized_keys")
        shutil.copyfile(self.ssh_key + ".pub", ak)
        os.chmod(ak, 0o600)

    def daemon_argv(self, d):
        return [os.path.join(self.bin, d), "-c", self.config, "--state-dir", self.state,
                "--data-dir", os.path.join(self.data, d), "-v"]

    def daemons(self):
        os.makedirs(self.state, exist_ok=True)
        started = []
        # netdumpd first, so its ring holds the whole bring-up (PPPoE
        # discovery happens within milliseconds of pppoed's start).
        if "netdumpd" not in self.missing:
            os.makedirs(os.path.join(self.data, "netdumpd"), exist_ok=True)
            self.spawn("netdumpd", self.daemon_argv("netdumpd"), NS["router"], restart=True,
                       kind="hgw")
            started.append("netdumpd")
            self.wait_for("netdumpd to capture dsl0", lambda: "dsl0" in json.dumps(
                self.st("netdumpd.json")), 3, "netdumpd")
        for d in HGW_DAEMONS:
            if d in self.missing or d in started:
                continue
            os.makedirs(os.path.join(self.data, d), exist_ok=True)
            self.spawn(d, self.daemon_argv(d), NS["router"], restart=True, kind="hgw")
            started.append(d)
        self.t_daemons = now() - self.t0
        self.say(f"hgw daemons started in {NS['router']}: {' '.join(started)} "
                 f"(state {self.state}, logs {self.logs})")
        self.supervisor = threading.Thread(target=self.supervise, daemon=True)
        self.supervisor.start()
        threading.Thread(target=self.control_server, daemon=True).start()

    def supervise(self):
        """Restarts an hgw daemon that exits on its own (as systemd's
        Restart=on-failure would), and reports peers that die."""
        reported = set()
        while not self.stop_event.wait(0.3):
            for name, p in list(self.procs.items()):
                if p.alive() or p.stopping or p.p is None:
                    continue
                if p.kind == "hgw":
                    self.say(f"{name} exited with status {p.p.returncode}; restarting it", "!")
                    self.show_tail(name, 6)
                    time.sleep(0.5)
                    if self.stop_event.is_set():
                        return
                    p.restarts += 1
                    p.start()
                    self.write_info()
                elif id(p) not in reported:
                    reported.add(id(p))
                    self.say(f"peer {name} exited with status {p.p.returncode}", "!")
                    self.show_tail(name, 6)

    # ---- LAN services and the LAN client ----
    def lan(self):
        r, n = NS["router"], NS["lan"]
        # dnsmasq on the router's LAN port: DHCPv4 from the static LAN
        # address netlinkd sets, RAs for whatever /64 of the delegated prefix
        # netlinkd puts on lan0 (constructor: follows the kernel's addresses,
        # so a new prefix is advertised as soon as netlinkd applies it), DNS
        # forwarded to the servers of the tunnel's DHCPv4 lease (the lab
        # writes them from dhcp4.hybrid0.json into a resolv file).
        self.resolv = os.path.join(self.dir, "resolv.wan")
        with open(self.resolv, "w") as f:
            f.write("")
        ddir = os.path.join(self.dir, "dnsmasq-lan")
        os.makedirs(ddir, exist_ok=True)
        self.spawn("dnsmasq-lan", [
            "dnsmasq", "--no-daemon", f"--conf-file={os.path.join(LAB, 'configs', 'dnsmasq-lan.conf')}",
            f"--resolv-file={self.resolv}", f"--dhcp-leasefile={os.path.join(ddir, 'leases')}",
            f"--pid-file={os.path.join(ddir, 'pid')}"], r, kind="lan")
        self.lan_resolv = os.path.join(self.dir, "lan-resolv.conf")
        self.spawn("lan-dhcp", ["busybox", "udhcpc", "-f", "-i", "eth0", "-s",
                                os.path.join(LAB, "lib", "udhcpc.sh"), "-t", "1000", "-T", "1",
                                "-A", "1", "-x", "hostname:lanclient"], n,
                   env={"HGWLAB_RESOLV": self.lan_resolv}, kind="lan")
        self.say("LAN: dnsmasq (DHCPv4, RA, DNS) on the router's lan0; client asking for DHCPv4")

    def snapshot(self):
        h = self.st("hybrid.json")
        t = h.get("tunnels") or {}
        p = self.st("pppoe.json")
        d4, d6 = self.st("dhcp4.hybrid0.json"), self.st("dhcp6.hybrid0.json")
        v4, v6 = self.lan_addrs()
        return {
            "LTE modem": self.st("lte.json").get("state"),
            "PPPoE": f"{p.get('state')} (session {p.get('session_id')})",
            "bond": h.get("state"),
            "LTE tunnel": (t.get("lte") or {}).get("state"),
            "DSL tunnel": (t.get("dsl") or {}).get("state"),
            "DHCPv4 in the tunnel": f"{d4.get('state')} {d4.get('address') or ''}".strip(),
            "DHCPv6 in the tunnel": f"{d6.get('state')} " + " ".join(
                x.get("prefix", "") for x in d6.get("prefixes") or []),
            "LAN client": f"{v4} {v6}",
        }

    def watch(self):
        """Stay-up mode: one line per change, so lab/ctl's effects show here."""
        snap = self.snapshot()
        old = getattr(self, "last_snap", None)
        self.last_snap = snap
        if old is None:
            return
        for k, v in snap.items():
            if old.get(k) != v:
                self.say(f"{k}: {old.get(k)} -> {v}", "~")

    def tend(self):
        """What the lab keeps doing while it runs."""
        self.sync_resolv()

    def sync_resolv(self):
        """DNS servers of the tunnel lease -> dnsmasq's upstream list."""
        doc = read_json(os.path.join(self.state, "dhcp4.hybrid0.json")) or {}
        servers = doc.get("dns") or []
        text = "".join(f"nameserver {s}\n" for s in servers)
        try:
            with open(self.resolv) as f:
                if f.read() == text:
                    return
        except OSError:
            pass
        with open(self.resolv + ".tmp", "w") as f:
            f.write(text)
        os.rename(self.resolv + ".tmp", self.resolv)

    # ---- state ----
    def st(self, name):
        return read_json(os.path.join(self.state, name)) or {}

    def lan_addrs(self):
        v4, v6 = None, None
        for link in ipj(NS["lan"], "addr", "show", "dev", "eth0"):
            for a in link.get("addr_info", []):
                if a.get("family") == "inet":
                    v4 = a["local"]
                elif a.get("family") == "inet6" and a.get("scope") == "global" \
                        and not a.get("deprecated"):
                    v6 = a["local"]
        return v4, v6

    def milestones(self):
        """(key, label, predicate, timeout, logs to show when missed, detail)"""
        def hyb():
            return self.st("hybrid.json")

        def tun(t):
            return (hyb().get("tunnels") or {}).get(t) or {}

        def lte_up():
            return self.st("lte.json").get("state") == "connected"

        def lte_tun():
            return tun("lte").get("state") == "up"

        def leases():
            d4, d6 = self.st("dhcp4.hybrid0.json"), self.st("dhcp6.hybrid0.json")
            return d4.get("state") in ("bound", "renewing", "rebinding") and \
                d6.get("state") in ("bound", "renewing", "rebinding") and bool(d6.get("prefixes"))

        def dsl_up():
            return self.st("pppoe.json").get("state") == "up"

        def dsl_tun():
            return tun("dsl").get("state") == "up"

        def bonded():
            return hyb().get("state") == "bonded"

        def lan4():
            return self.lan_addrs()[0] is not None

        def lan6():
            return self.lan_addrs()[1] is not None

        def d_lte():
            s = self.st("lte.json")
            sig = s.get("signal") or {}
            parts = [f"{s.get('interface')} {s.get('ipv6')}", s.get("operator"),
                     s.get("access_technology"),
                     f"RSRP {sig['rsrp_dbm']} dBm" if sig.get("rsrp_dbm") is not None else None]
            return ", ".join(p for p in parts if p)

        def d_tun(t):
            def f():
                x = tun(t)
                return f"{x.get('local')} -> {x.get('remote')} via {x.get('device')}, " \
                       f"session {hyb().get('session_id')}"
            return f

        def d_leases():
            d4, d6 = self.st("dhcp4.hybrid0.json"), self.st("dhcp6.hybrid0.json")
            pf = [p.get("prefix") for p in d6.get("prefixes") or []]
            return f"IPv4 {d4.get('address')}, prefix {', '.join(pf)}"

        def d_dsl():
            s = self.st("pppoe.json")
            v4, v6 = s.get("ipv4") or {}, s.get("ipv6") or {}
            return f"{s.get('interface')} session {s.get('session_id')}, " \
                   f"IPv4 {v4.get('address')}, IPv6 {v6.get('local')}"

        def d_bond():
            h = hyb()
            return f"{h.get('interface')}, LTE rtt {tun('lte').get('rtt_ms')} ms, " \
                   f"DSL rtt {tun('dsl').get('rtt_ms')} ms"

        def d_lan4():
            return f"{self.lan_addrs()[0]} by DHCP from the router"

        def d_lan6():
            return f"{self.lan_addrs()[1]} by SLAAC from the delegated prefix"

        # (key, label, predicate, deadline, logs to show if missed, detail,
        #  what it needs: daemons and peers)
        modem, haap, ac = "lab/modemsim/modemsim.py", "lab/haap/haap.py", "lab/pppoe-ac/ac.py"
        all_m = [
            ("modem", "modem attached", lte_up, 20, ["lte-modemd", "modemsim"], d_lte,
             ["lte-modemd", modem]),
            ("lte_tunnel", "LTE tunnel up", lte_tun, 25, ["hybridd", "haap", "netlinkd"],
             d_tun("lte"), ["lte-modemd", modem, "netlinkd", "hybridd", haap]),
            ("leases", "public IPv4 and prefix leased", leases, 30,
             ["dhcp4c", "dhcp6c", "kea6", "dnsmasq-bond"], d_leases,
             ["dhcp4c", "dhcp6c", "hybridd", "netlinkd", haap]),
            ("dsl", "DSL up", dsl_up, 20, ["pppoed", "pppoe-ac"], d_dsl, ["pppoed", ac]),
            ("dsl_tunnel", "DSL tunnel up", dsl_tun, 30, ["hybridd", "netlinkd", "ra"],
             d_tun("dsl"), ["pppoed", ac, "netlinkd", "hybridd", haap]),
            ("bonded", "bonded", bonded, 30, ["hybridd", "haap"], d_bond,
             ["lte-modemd", modem, "pppoed", ac, "netlinkd", "hybridd", haap]),
            ("lan4", "LAN client has IPv4", lan4, 35, ["lan-dhcp", "dnsmasq-lan", "netlinkd"],
             d_lan4, ["netlinkd"]),
            ("lan6", "LAN client has IPv6", lan6, 35, ["dnsmasq-lan", "netlinkd", "dhcp6c"],
             d_lan6, ["netlinkd", "dhcp6c", "hybridd", haap]),
        ]
        m = []
        for ms in all_m:
            lacking = [x for x in ms[6] if x in self.missing]
            if lacking:
                self.say(f"skipped: {ms[1]} (needs {', '.join(lacking)}, not yet available)", "-")
                self.skipped.append(ms[1])
            else:
                m.append(ms[:6])
        return m

    def bring_up(self):
        """Prints each milestone as it is reached; returns the missed ones."""
        pending = self.milestones()
        missed = []
        self.reached = {}
        while pending:
            self.tend()
            t = now() - self.t0
            for ms in list(pending):
                key, label, pred, timeout, logs, detail = ms
                try:
                    ok = pred()
                except Exception:  # a half-written or odd state file: try again
                    ok = False
                if ok:
                    pending.remove(ms)
                    self.reached[key] = t
                    try:
                        extra = detail()
                    except Exception as e:
                        extra = f"({e})"
                    self.say(f"{label:32s} {extra}", "✓")
                elif t > timeout:
                    pending.remove(ms)
                    missed.append(label)
                    self.say(f"MISSED: {label} (not reached within {timeout}s)", "✗")
                    for lg in logs:
                        self.show_tail(lg, 10)
            time.sleep(0.1)
        return missed

    # ---- proof ----
    def hyb_counters(self):
        tuns = self.st("hybrid.json").get("tunnels") or {}
        return {t: (tuns.get(t) or {}).get("tx_packets", 0) + (tuns.get(t) or {}).get("rx_packets", 0)
                for t in ("lte", "dsl")}

    def route_dev(self, dst, src=None):
        args = ["route", "get", dst] + (["from", src, "iif", "lan0"] if src else [])
        out = ipj(NS["router"], *args)
        return out[0].get("dev") if out else None

    def iperf_server_peer(self, since):
        """The client address the internet host saw in the last iperf3 run."""
        lines = tail(self.procs["iperf3"].log, 40)
        for line in reversed(lines):
            if "Accepted connection from" in line:
                return line.split("from", 1)[1].split(",")[0].strip()
        return "?"

    def proof(self):
        n = NS["lan"]
        v4, v6 = self.lan_addrs()
        results = []
        for fam, src, dst in (("IPv4", v4, INET4), ("IPv6", v6, INET6)):
            if not src:
                self.say(f"proof {fam}: the LAN client has no {fam} address", "✗")
                results.append(False)
                continue
            before = self.hyb_counters()
            flag = "-4" if fam == "IPv4" else "-6"
            p = run("ping", flag, "-c", "3", "-i", "0.2", "-W", "2", dst, ns=n, check=False, timeout=15)
            ok_ping = p.returncode == 0
            summ = [ln for ln in p.stdout.splitlines() if "packet loss" in ln or "rtt" in ln]
            self.say(f"ping {fam} {src} -> {dst}: {'; '.join(summ) or p.stderr.strip()}",
                     "✓" if ok_ping else "✗")
            if not ok_ping:
                self.show_tail("hybridd", 8)
            ip_ok, rate = False, ""
            try:
                q = run("iperf3", flag, "-c", dst, "-t", "2", "-J", "--connect-timeout", "3000",
                        ns=n, check=False, timeout=12)
                doc = json.loads(q.stdout) if q.stdout.strip() else {}
                end = doc.get("end", {})
                rx = end.get("sum_received", {}).get("bits_per_second")
                if rx:
                    ip_ok = True
                    rate = f"{rx / 1e6:.1f} Mbit/s received, " \
                           f"{end.get('sum_sent', {}).get('retransmits', '?')} retransmits"
                else:
                    rate = doc.get("error") or q.stderr.strip() or "no result"
            except (subprocess.TimeoutExpired, ValueError) as e:
                rate = f"iperf3 failed: {e}"
            seen = self.iperf_server_peer(0) if ip_ok else "?"
            self.say(f"iperf3 {fam} 2 s upload: {rate}", "✓" if ip_ok else "✗")
            after = self.hyb_counters()
            dev = self.route_dev(dst, src)
            tr = run("busybox", "traceroute6" if fam == "IPv6" else "traceroute", "-n", "-q", "1",
                     "-w", "1", "-m", "6", dst, ns=n, check=False, timeout=15)
            hops = [ln.split()[1] for ln in tr.stdout.splitlines()[1:] if len(ln.split()) > 1]
            self.say(f"traceroute {fam}: {' -> '.join(hops) or tr.stderr.strip()}")
            delta = {t: after[t] - before[t] for t in after}
            nat = f"NAT {src} -> {seen}" if fam == "IPv4" else f"source {seen} (no NAT)"
            self.say(f"path {fam}: lan {src} -> router lan0 -> {dev} ({nat}) -> GRE: "
                     f"DSL {delta['dsl']} pkts, LTE {delta['lte']} pkts -> HAAP bond0 -> "
                     f"internet {dst}")
            results.append(ok_ping and ip_ok and dev == "hybrid0" and
                           (delta["dsl"] + delta["lte"]) > 0)
        # DNS through the router's dnsmasq, answered inside the provider.
        p = run("busybox", "nslookup", "internet.lab", "10.10.0.1", ns=n, check=False, timeout=10)
        ok_dns = INET4 in p.stdout
        self.say(f"DNS: internet.lab via the router's dnsmasq -> "
                 f"{'answers ' + INET4 if ok_dns else 'no answer: ' + (p.stdout + p.stderr).strip()[-120:]}",
                 "✓" if ok_dns else "✗")
        results.append(ok_dns)
        if "netdumpd" not in self.missing and getattr(self, "ssh_key", None):
            results.append(self.netdumpd_proof())
        return all(results)

    def netdumpd_proof(self):
        """The control traffic of the bring-up, fetched from netdumpd over SSH
        by the LAN client and dissected by tshark."""
        cap = os.path.join(self.dir, "netdumpd-backlog.pcapng")
        cmd = ["ip", "netns", "exec", NS["lan"], "ssh", "-F", "/dev/null", "-p", "2222",
               "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
               "-o", "IdentityAgent=none", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
               "-l", "hgw", "-i", self.ssh_key, "10.10.0.1", "backlog"]
        try:
            with open(cap, "wb") as f:
                p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, timeout=15)
            err = p.stderr.decode(errors="replace").strip()
        except subprocess.TimeoutExpired:
            self.say("netdumpd: ssh backlog timed out after 15 s", "✗")
            self.show_tail("netdumpd", 6)
            return False
        if not shutil.which("tshark"):
            ok = p.returncode == 0 and os.path.getsize(cap) > 0
            self.say(f"netdumpd: {os.path.getsize(cap)} bytes of pcapng over ssh (no tshark to "
                     f"dissect them)", "✓" if ok else "✗")
            return ok
        t = run("tshark", "-r", cap, "-T", "fields", "-e", "frame.protocols", check=False,
                timeout=20)
        kinds = {"PPPoE discovery": "pppoed", "PPP control": ("lcp", "chap", "ipcp", "ipv6cp"),
                 "DHCPv4": "dhcp", "DHCPv6": "dhcpv6", "RFC 8157": ("grebonding", "gre"),
                 "ICMPv6": "icmpv6"}
        counts = {k: 0 for k in kinds}
        lines = t.stdout.splitlines()
        for line in lines:
            protos = set(line.split(":"))
            for k, v in kinds.items():
                if protos & ({v} if isinstance(v, str) else set(v)):
                    counts[k] += 1
        ok = p.returncode == 0 and t.returncode == 0 and all(
            counts[k] > 0 for k in ("PPPoE discovery", "DHCPv4", "DHCPv6", "RFC 8157"))
        detail = ", ".join(f"{k} {n}" for k, n in counts.items())
        self.say(f"netdumpd: {len(lines)} control packets over ssh from the LAN ({detail})"
                 + ("" if ok else f" {err[-200:]} {t.stderr.strip()[-200:]}"), "✓" if ok else "✗")
        return ok

    # ---- the whole run ----
    def take_lock(self):
        """One lab per machine: the namespace names are fixed.  An flock
        dies with its holder, so a killed lab never blocks the next one."""
        import fcntl
        self.lockf = open(LOCK, "a+")
        try:
            fcntl.flock(self.lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.lockf.seek(0)
            raise LabError(f"another lab is running ({self.lockf.read().strip() or '?'}); "
                           f"stop it with Ctrl-C or lab/ctl down")
        self.lockf.seek(0)
        self.lockf.truncate()
        self.lockf.write(f"pid {os.getpid()}, dir {self.dir}\n")
        self.lockf.flush()

    def up(self):
        os.makedirs(self.dir, exist_ok=True)
        self.take_lock()
        self.sweep()
        self.owner = True  # from here on, teardown removes what is ours
        os.makedirs(self.logs, exist_ok=True)
        for f in os.listdir(self.logs):
            os.unlink(os.path.join(self.logs, f))
        self.write_info()
        self.preflight()
        self.topology()
        self.peers()
        self.write_config()
        if "netdumpd" not in self.missing:
            self.netdumpd_key()
        self.daemons()
        self.lan()

    def teardown(self):
        if not getattr(self, "owner", False):
            return True  # another lab's namespaces are not ours to remove
        self.stop_event.set()
        if self.supervisor:
            self.supervisor.join(2)
        # hgw daemons first (netlinkd last, so it removes what it applied),
        # then LAN services and peers.
        order = [n for n in HGW_DAEMONS if n != "netlinkd" and n in self.procs]
        order += [n for n in ("netlinkd",) if n in self.procs]
        order += [n for n in self.procs if n not in order]
        for name in order:
            self.procs[name].stop()
        for name in NS.values():
            if name in self.namespaces():
                self.delete_ns(name)
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(self.data, ignore_errors=True)
        for f in ("lab.json", "lab.ctl", "haap.ctl", "modemsim.ctl", "modem", "modemsim.json",
                  "lab_ssh_key", "lab_ssh_key.pub"):
            try:
                os.unlink(os.path.join(self.dir, f))
            except OSError:
                pass
        left = [n for n in self.namespaces() if n.startswith(PREFIX)]
        alive = [n for n, p in self.procs.items() if p.alive()]
        if left or alive:
            self.say(f"teardown left behind: namespaces {left} processes {alive}", "✗")
            return False
        self.say(f"torn down: no namespace, process or device left (logs kept in {self.logs})")
        return True


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(prog="lab/run", description="hgw's lab: a hybrid provider in "
                                 "namespaces and the real hgw daemons against it")
    ap.add_argument("--once", action="store_true",
                    help="bring up, prove, tear down; exit 0 only if every proof passed")
    # make exports command-line variables: `make lab BUILD=build/x` lands here.
    ap.add_argument("--build", default=os.environ.get("BUILD") or "build",
                    help="build directory with bin/ (default $BUILD or build)")
    ap.add_argument("--dir", default=DEFAULT_DIR, help=f"work directory (default {DEFAULT_DIR})")
    a = ap.parse_args(argv)

    lab = Lab(build=a.build, workdir=a.dir)
    stop = {"sig": None}

    def on_signal(sig, frame):
        stop["sig"] = sig
        raise KeyboardInterrupt

    # Explicitly: a shell starting us in the background leaves SIGINT
    # ignored, and Python then installs no handler of its own.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    ok = False
    try:
        lab.say(f"hgw lab starting (build {lab.build}, work dir {lab.dir})")
        lab.up()
        missed = lab.bring_up()
        if "bonded" in lab.reached:
            lab.say(f"cold start to bonded: {lab.reached['bonded'] - lab.t_daemons:.2f}s after the "
                    f"hgw daemons started ({lab.reached['bonded']:.2f}s after lab start)")
        proved = lab.proof()
        ok = proved and not missed and not lab.missing
        lab.say(f"PROOF {'PASSED' if ok else 'FAILED'}"
                + (f" (missed: {', '.join(missed)})" if missed else "")
                + (f" (not available: {', '.join(lab.missing)})" if lab.missing else ""),
                "✓" if ok else "✗")
        if not a.once:
            lab.say("the lab stays up; Ctrl-C tears it down.  Try: lab/ctl state, lab/ctl cut lte, "
                    "lab/ctl sh lan (docs/lab.md)")
            while True:
                time.sleep(0.5)
                lab.tend()
                lab.watch()
    except KeyboardInterrupt:
        lab.say("stopping (interrupted)", "!")
        ok = ok and a.once
    except LabError as e:
        lab.say(f"lab failed: {e}", "✗")
        ok = False
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        clean = lab.teardown()
    if a.once:
        return 0 if ok and clean else 1
    return 0 if clean else 1
