"""Integration-test helpers for hgw (a pytest plugin, see tests/conftest.py).

Everything created here is removed again, also when a test fails: network
namespaces, veth pairs, TUN devices, daemons, captures.  Namespaces are
named hgwt-<pid>-<n> so leftovers of a killed run are recognisable and are
swept at the start of the next one.

Fixtures:
  net      -> Net: .ns(name) .veth(ns1, if1, ns2, if2) .tun(ns, name) .ip(ns, *args)
               .ipj(ns, *args) (ip -j output parsed)
  daemons  -> Daemons: .start(prog, config=dict|None, ns=None, args=[]) -> Daemon
  capture  -> Captures: .start(ns, ifname, bpf="") -> Capture (.stop() -> pcap path)
Functions:
  wait_state(state_dir, name, pred, timeout) -> doc
  tshark_check(pcap) -> list of packets as dicts; fails on malformed/expert errors
"""
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("HGW_BUILD", os.path.join(ROOT, "build"))
BIN = os.path.join(BUILD, "bin")
NS_PREFIX = "hgwt-"


def sh(*cmd, check=True, ns=None, **kw):
    """Runs a command (in namespace ns if given), returns CompletedProcess."""
    if ns:
        cmd = ("ip", "netns", "exec", ns) + tuple(cmd)
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def stop(p, timeout=5):
    """Ends a Popen: SIGTERM, then SIGKILL after timeout.  Returns None, for
    `x = stop(x)`."""
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return None


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def sweep_stale_namespaces():
    """Deletes hgwt-* namespaces whose creating test run is gone."""
    out = sh("ip", "netns", "list", check=False).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(NS_PREFIX):
            continue
        try:
            pid = int(name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if not _pid_alive(pid):
            sh("ip", "netns", "del", name, check=False)


class Net:
    def __init__(self):
        self.namespaces = []
        self.counter = 0

    def ns(self, label="n"):
        """A fresh namespace with lo up and DAD off (link-local usable at once)."""
        self.counter += 1
        name = f"{NS_PREFIX}{os.getpid()}-{self.counter}{label}"[:30]
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        for k in ("net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0"):
            sh("sysctl", "-qw", k, ns=name)
        return name

    def veth(self, ns1, if1, ns2, if2, up=True):
        sh("ip", "link", "add", if1, "netns", ns1, "type", "veth", "peer", "name", if2,
           "netns", ns2)
        if up:
            sh("ip", "-n", ns1, "link", "set", if1, "up")
            sh("ip", "-n", ns2, "link", "set", if2, "up")
            self.wait_linklocal(ns1, if1)
            self.wait_linklocal(ns2, if2)

    def wait_linklocal(self, ns, ifname, timeout=5):
        """Waits until ifname has a usable (non-tentative) fe80:: address.
        Even with DAD off, an address stays tentative until the link has
        carrier, which for a veth is a moment after both ends are up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for link in self.ipj(ns, "-6", "addr", "show", "dev", ifname):
                for a in link.get("addr_info", []):
                    if a.get("scope") == "link" and not a.get("tentative"):
                        return a["local"]
            time.sleep(0.02)
        raise AssertionError(f"{ns}/{ifname}: no usable link-local address after {timeout}s")

    def tun(self, ns, name):
        sh("ip", "-n", ns, "tuntap", "add", "dev", name, "mode", "tun")

    def ip(self, ns, *args):
        return sh("ip", "-n", ns, *args).stdout

    def ipj(self, ns, *args):
        out = sh("ip", "-j", "-n", ns, *args).stdout
        return json.loads(out) if out.strip() else []

    def cleanup(self):
        for name in reversed(self.namespaces):
            # Kill what still runs inside before deleting the namespace.
            pids = sh("ip", "netns", "pids", name, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "del", name, check=False)
        self.namespaces = []


class Daemon:
    def __init__(self, prog, state_dir, data_dir, log_path, proc):
        self.prog, self.state_dir, self.data_dir = prog, state_dir, data_dir
        self.log_path, self.proc = log_path, proc

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=5):
        """SIGTERM, and the daemon must exit within timeout; returns the status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"{self.prog} ignored SIGTERM for {timeout}s:\n{self.log()}")
        return self.proc.returncode


class Daemons:
    def __init__(self, tmp):
        self.tmp = tmp
        self.running = []

    def start(self, prog, config=None, ns=None, args=(), state_dir=None, data_dir=None):
        base = tempfile.mkdtemp(prefix=f"{prog}-", dir=self.tmp)
        state_dir = state_dir or os.path.join(base, "state")
        data_dir = data_dir or os.path.join(base, "data")
        cfg = os.path.join(base, "hgw.json")
        with open(cfg, "w") as f:
            json.dump(config or {}, f)
        log_path = os.path.join(base, f"{prog}.log")
        cmd = [os.path.join(BIN, prog), "-c", cfg, "--state-dir", state_dir,
               "--data-dir", data_dir, "-v", *args]
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        logf = open(log_path, "w")
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        d = Daemon(prog, state_dir, data_dir, log_path, proc)
        self.running.append(d)
        return d

    def cleanup(self):
        errors = []
        for d in self.running:
            try:
                d.stop()
            except AssertionError as e:
                errors.append(str(e))
        self.running = []
        if errors:
            raise AssertionError("\n".join(errors))


def read_state(state_dir, name):
    try:
        with open(os.path.join(state_dir, name)) as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def wait_state(state_dir, name, pred=lambda d: True, timeout=10, daemon=None):
    """Polls state_dir/name until pred(doc) holds; returns the doc."""
    deadline = time.monotonic() + timeout
    doc = None
    while time.monotonic() < deadline:
        doc = read_state(state_dir, name)
        if doc is not None and pred(doc):
            return doc
        if daemon and daemon.proc.poll() is not None:
            raise AssertionError(f"{daemon.prog} exited ({daemon.proc.returncode}) while "
                                 f"waiting for {name}:\n{daemon.log()}")
        time.sleep(0.05)
    extra = f"\n{daemon.prog} log:\n{daemon.log()}" if daemon else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {name}; last: {doc}{extra}")


class Capture:
    def __init__(self, ns, ifname, path, bpf):
        self.path = path
        # --immediate-mode: without it TPACKET_V3 holds packets for up to a
        # second and a SIGINT loses them.
        cmd = ["tcpdump", "-i", ifname, "--immediate-mode", "-U", "-n", "-s", "0", "-w", path]
        if bpf:
            cmd += bpf.split()
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # tcpdump says "listening on" once the socket is bound.
        line = self.proc.stderr.readline().decode(errors="replace")
        if "listening" not in line:
            raise RuntimeError(f"tcpdump did not start: {line}")

    def stop(self):
        if self.proc.poll() is None:
            time.sleep(0.2)  # let the last packets land
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(5)
        return self.path


class Captures:
    def __init__(self, tmp):
        self.tmp = tmp
        self.active = []

    def start(self, ns, ifname, bpf=""):
        c = Capture(ns, ifname, os.path.join(self.tmp, f"{ifname}-{len(self.active)}.pcap"), bpf)
        self.active.append(c)
        return c

    def cleanup(self):
        for c in self.active:
            if c.proc.poll() is None:
                c.proc.kill()
                c.proc.wait()


TSHARK_PROBLEMS = "_ws.malformed || _ws.expert.severity >= 0x00800000"


def tshark_check(pcap, display_filter=None, decode_as=()):
    """Dissects pcap with tshark.  Fails if any packet is malformed or carries
    an expert error; returns the (filtered) packets as tshark's JSON."""
    base = ["tshark", "-n", "-r", pcap]
    for d in decode_as:
        base += ["-d", d]
    bad = sh(*base, "-Y", TSHARK_PROBLEMS, "-V").stdout
    assert not bad.strip(), f"tshark found malformed or erroneous packets in {pcap}:\n{bad[:4000]}"
    cmd = base + ["-T", "json"]
    if display_filter:
        cmd += ["-Y", display_filter]
    out = sh(*cmd).stdout
    return json.loads(out) if out.strip() else []


def tshark_fields(pcap, fields, display_filter=None):
    """Rows of the given fields (lists of strings) for each matching packet."""
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    if display_filter:
        cmd += ["-Y", display_filter]
    return [line.split("\t") for line in sh(*cmd).stdout.splitlines()]


@pytest.fixture(scope="session", autouse=True)
def _sweep():
    if os.geteuid() == 0:
        sweep_stale_namespaces()
    yield


@pytest.fixture
def need_root():
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces)")


@pytest.fixture
def net(need_root):
    n = Net()
    yield n
    n.cleanup()


@pytest.fixture
def daemons(tmp_path):
    d = Daemons(str(tmp_path))
    yield d
    d.cleanup()


@pytest.fixture
def capture(tmp_path):
    c = Captures(str(tmp_path))
    yield c
    c.cleanup()


def need_binary(prog):
    path = os.path.join(BIN, prog)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} not built (run make)")
    return path
