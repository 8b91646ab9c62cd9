"""Multipath TCP through netlinkd's endpoints: `ip -j mptcp` shows them,
a transfer over two veth paths uses two subflows, and traffic survives the
primary path going away when the other WAN is a backup."""
import json
import os
import subprocess
import time

import pytest

from hgwtest import need_binary, read_state, sh, wait_state

LTE = {"version": 1, "writer": "lte-modemd", "state": "connected", "interface": "wwan0",
       "ipv4": "192.0.2.2/24", "gateway4": "192.0.2.1"}
PPPOE = {"version": 1, "writer": "pppoed", "state": "up", "interface": "ppp0",
         "ipv4": {"address": "198.51.100.2", "peer": "198.51.100.1"}}

# An MPTCP sink: counts bytes per connection and prints the total at EOF.
SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("203.0.113.1", 9000))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
print("got", n, flush=True)
"""

# Sends N chunks with a pause, so the test can look at (and break) paths
# mid-transfer.
CLIENT = r"""
import socket, sys, time
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
c.connect(("203.0.113.1", 9000))
print("connected", flush=True)
chunks, pause = int(sys.argv[1]), float(sys.argv[2])
for i in range(chunks):
    c.sendall(b"x" * 10000)
    time.sleep(pause)
c.shutdown(socket.SHUT_WR)
c.recv(1)
print("sent", chunks * 10000, flush=True)
"""


def write_state(d, name, doc):
    tmp = os.path.join(d.state_dir, "." + name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.rename(tmp, os.path.join(d.state_dir, name))


@pytest.fixture
def paths(net):
    r, isp = net.ns("r"), net.ns("i")
    net.veth(r, "wwan0", isp, "e0", up=False)
    net.veth(r, "ppp0", isp, "e1", up=False)
    for dev in ("e0", "e1"):
        sh("ip", "-n", isp, "link", "set", dev, "up")
    sh("ip", "-n", isp, "addr", "add", "192.0.2.1/24", "dev", "e0")
    sh("ip", "-n", isp, "addr", "add", "198.51.100.1/32", "dev", "e1")
    sh("ip", "-n", isp, "route", "add", "198.51.100.2/32", "dev", "e1")
    sh("ip", "-n", isp, "addr", "add", "203.0.113.1/32", "dev", "lo")
    return r, isp


def start(daemons, r, lte_mode, dsl_mode):
    need_binary("netlinkd")
    cfg = {"netlinkd": {"wan": {"lte": {"mptcp": lte_mode}, "dsl": {"mptcp": dsl_mode}}}}
    d = daemons.start("netlinkd", config=cfg, ns=r)
    os.makedirs(d.state_dir, exist_ok=True)
    write_state(d, "lte.json", LTE)
    write_state(d, "pppoe.json", PPPOE)
    wait_state(d.state_dir, "netlinkd.json",
               lambda doc: doc["failed"] == 0 and len(doc["mptcp"]["endpoints"]) == 2, daemon=d)
    return d


def endpoints(ns):
    out = sh("ip", "-j", "mptcp", "endpoint", "show", ns=ns).stdout
    return json.loads(out) if out.strip() else []


def subflows(ns):
    out = sh("ss", "-Htn", "state", "established", "( sport = :9000 )", ns=ns).stdout
    return len([l for l in out.splitlines() if l.strip()])


def test_endpoints_and_two_subflows(paths, daemons):
    r, isp = paths
    d = start(daemons, r, "on", "on")
    eps = {e["address"]: e for e in endpoints(r)}
    assert set(eps) == {"192.0.2.2", "198.51.100.2"}, eps
    assert eps["192.0.2.2"]["dev"] == "wwan0" and eps["192.0.2.2"].get("subflow")
    assert all(100 <= e["id"] < 116 for e in eps.values())
    # (this iproute2 prints limits as text even with -j)
    words = sh("ip", "mptcp", "limits", "show", ns=r).stdout.split()
    lim = dict(zip(words[::2], words[1::2]))
    assert lim["subflows"] == "2" and lim["add_addr_accepted"] == "2"

    srv = subprocess.Popen(["ip", "netns", "exec", isp, "python3", "-c", SERVER],
                           stdout=subprocess.PIPE, text=True)
    cli = None
    try:
        assert srv.stdout.readline().strip() == "ready"
        cli = subprocess.Popen(["ip", "netns", "exec", r, "python3", "-c", CLIENT, "40", "0.05"],
                               stdout=subprocess.PIPE, text=True)
        assert cli.stdout.readline().strip() == "connected"
        deadline = time.monotonic() + 3
        while subflows(isp) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert subflows(isp) == 2
        # One subflow per path: the server sees both router addresses.
        peers = sh("ss", "-Htn", "state", "established", "( sport = :9000 )", ns=isp).stdout
        assert "192.0.2.2" in peers and "198.51.100.2" in peers, peers
        assert cli.wait(20) == 0
        assert srv.wait(10) == 0
        assert srv.stdout.readline().strip() == "got 400000"
    finally:
        for p in (srv, cli):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    assert d.stop() == 0
    assert endpoints(r) == []  # removed on exit


def test_backup_takes_over(paths, daemons):
    r, isp = paths
    d = start(daemons, r, "backup", "on")
    eps = {e["address"]: e for e in endpoints(r)}
    assert eps["192.0.2.2"].get("backup") and not eps["198.51.100.2"].get("backup")
    srv = subprocess.Popen(["ip", "netns", "exec", isp, "python3", "-c", SERVER],
                           stdout=subprocess.PIPE, text=True)
    cli = None
    try:
        assert srv.stdout.readline().strip() == "ready"
        cli = subprocess.Popen(["ip", "netns", "exec", r, "python3", "-c", CLIENT, "60", "0.05"],
                               stdout=subprocess.PIPE, text=True)
        assert cli.stdout.readline().strip() == "connected"
        deadline = time.monotonic() + 3
        while subflows(isp) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert subflows(isp) == 2
        # DSL goes away mid-transfer: the link drops, pppoed withdraws it.
        time.sleep(0.5)
        sh("ip", "-n", r, "link", "set", "ppp0", "down")
        write_state(d, "pppoe.json", dict(PPPOE, state="down", interface=None, ipv4=None))
        wait_state(d.state_dir, "netlinkd.json",
                   lambda doc: len(doc["mptcp"]["endpoints"]) == 1, daemon=d)
        assert cli.wait(30) == 0
        assert srv.wait(10) == 0
        assert srv.stdout.readline().strip() == "got 600000"
        # What is left carries it: only the LTE subflow.
        assert [e["address"] for e in endpoints(r)] == ["192.0.2.2"]
    finally:
        for p in (srv, cli):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    assert d.stop() == 0


def test_kernel_endpoint_limit(paths, daemons):
    r, isp = paths
    # Seven endpoints of someone else's: room for one of netlinkd's two.
    for i in range(1, 8):
        sh("ip", "-n", r, "addr", "add", f"10.0.0.{i}/32", "dev", "lo")
        sh("ip", "-n", r, "mptcp", "endpoint", "add", f"10.0.0.{i}", "id", str(i), "signal")
    need_binary("netlinkd")
    cfg = {"netlinkd": {"wan": {"lte": {"mptcp": "on"}, "dsl": {"mptcp": "on"}}}}
    d = daemons.start("netlinkd", config=cfg, ns=r)
    os.makedirs(d.state_dir, exist_ok=True)
    write_state(d, "lte.json", LTE)
    write_state(d, "pppoe.json", PPPOE)
    doc = wait_state(d.state_dir, "netlinkd.json",
                     lambda doc: len(doc["mptcp"]["endpoints"]) == 2 and doc["failed"] > 0,
                     daemon=d)
    st = sorted(e["status"] for e in doc["mptcp"]["endpoints"])
    assert st == ["applied", "failed"], doc["mptcp"]
    err = [e["error"] for e in doc["mptcp"]["endpoints"] if e["status"] == "failed"][0]
    assert "at most 8 MPTCP endpoints" in err, err
    assert len(endpoints(r)) == 8
    assert d.proc.poll() is None
    assert d.stop() == 0
    # netlinkd's one is gone, the seven foreign ones stay.
    assert sorted(e["id"] for e in endpoints(r)) == list(range(1, 8))
