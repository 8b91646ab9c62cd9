"""netlinkd's nftables table against the real kernel: the ruleset as
`nft -j` shows it, and what it does to real traffic between namespaces
(masquerade, default-deny inbound with ICMP allowed, a port forward)."""
import json
import os
import signal
import subprocess
import time

import pytest

from hgwtest import need_binary, read_state, sh, wait_state

LTE = {"version": 1, "writer": "lte-modemd", "state": "connected", "interface": "wwan0",
       "ipv4": "192.0.2.2/24", "gateway4": "192.0.2.1", "ipv6": "2001:db8:100::2/64",
       "gateway6": "2001:db8:100::1"}
CONFIG = {"netlinkd": {
    "lan": [{"name": "lan0", "addresses": ["192.168.1.1/24", "fe80::1/64"]}],
    "firewall": {"port_forwards": [{"proto": "tcp", "port": 8080, "to": "192.168.1.2",
                                    "to_port": 8000}]},
}}

SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(4)
print("ready", flush=True)
while True:
    c, peer = s.accept()
    c.sendall(("hello from %s, you are %s\n" % (sys.argv[1], peer[0])).encode())
    c.close()
"""

CLIENT = r"""
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
    print("data:" + c.recv(200).decode().strip())
except ConnectionRefusedError:
    print("refused")
except (socket.timeout, TimeoutError):
    print("timeout")
except OSError as e:
    print("error:%s" % e)
"""


def connect(ns, host, port, timeout=1.0):
    return sh("python3", "-c", CLIENT, host, str(port), str(timeout), ns=ns).stdout.strip()


def write_state(d, name, doc):
    tmp = os.path.join(d.state_dir, "." + name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.rename(tmp, os.path.join(d.state_dir, name))


def nft_table(ns, family, name):
    p = sh("nft", "-j", "list", "table", family, name, ns=ns, check=False)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout)["nftables"]


@pytest.fixture
def lab(net):
    r, c, isp = net.ns("r"), net.ns("c"), net.ns("i")
    net.veth(r, "lan0", c, "c0")
    net.veth(r, "wwan0", isp, "e0")
    sh("ip", "-n", c, "addr", "add", "192.168.1.2/24", "dev", "c0")
    sh("ip", "-n", c, "route", "add", "default", "via", "192.168.1.1")
    sh("ip", "-n", isp, "addr", "add", "192.0.2.1/24", "dev", "e0")
    # The ISP has no route back to the LAN: replies only work masqueraded.
    return r, c, isp


def start(daemons, r, config=CONFIG):
    need_binary("netlinkd")
    d = daemons.start("netlinkd", config=config, ns=r)
    os.makedirs(d.state_dir, exist_ok=True)
    write_state(d, "lte.json", LTE)
    wait_state(d.state_dir, "netlinkd.json",
               lambda doc: doc["wans"]["lte"]["interface"] == "wwan0" and doc["failed"] == 0,
               daemon=d)
    return d


def test_ruleset_as_nft_sees_it(lab, daemons):
    r, c, isp = lab
    d = start(daemons, r)
    doc = read_state(d.state_dir, "netlinkd.json")
    assert doc["firewall"]["status"] == "applied" and doc["firewall"]["table"] == "hgw"
    t = nft_table(r, "inet", "hgw")
    assert t is not None
    chains = {x["chain"]["name"]: x["chain"] for x in t if "chain" in x}
    assert chains["input"]["policy"] == "drop" and chains["input"]["hook"] == "input"
    assert chains["forward"]["policy"] == "drop"
    assert chains["prerouting"]["type"] == "nat" and chains["postrouting"]["type"] == "nat"
    rules = [x["rule"] for x in t if "rule" in x]
    assert len(rules) == doc["firewall"]["rules"]
    text = json.dumps(rules)
    post = [json.dumps(x["expr"]) for x in rules if x["chain"] == "postrouting"]
    assert len(post) == 1 and "masquerade" in post[0] and "wwan0" in post[0]
    pre = [json.dumps(x["expr"]) for x in rules if x["chain"] == "prerouting"]
    assert len(pre) == 1 and "dnat" in pre[0] and "192.168.1.2" in pre[0] and "8000" in pre[0]
    # MSS clamping: the first forward rule sets the maxseg option from rt mtu.
    fwd = [x for x in rules if x["chain"] == "forward"]
    assert "maxseg" in json.dumps(fwd[0]["expr"]) and "mtu" in json.dumps(fwd[0]["expr"])
    assert "established" in text and "icmpv6" in text.replace("ipv6-icmp", "icmpv6")
    # Re-reading unchanged inputs loads nothing again.
    writes = doc["stats"]["netlink_writes"]
    write_state(d, "lte.json", dict(LTE, dns=["2001:db8:100::53"]))
    time.sleep(0.6)
    assert read_state(d.state_dir, "netlinkd.json")["stats"]["netlink_writes"] == writes
    assert d.stop() == 0
    assert nft_table(r, "inet", "hgw") is None  # removed on a clean exit


def test_traffic(lab, daemons):
    r, c, isp = lab
    d = start(daemons, r)
    # LAN -> internet, masqueraded (the ISP cannot route to 192.168.1.0/24).
    sh("ping", "-c", "1", "-W", "2", "192.0.2.1", ns=c)
    # The internet may ping the router ...
    sh("ping", "-c", "1", "-W", "2", "192.0.2.2", ns=isp)
    # ... but not open connections to it: dropped, not refused.
    assert connect(isp, "192.0.2.2", 22) == "timeout"
    # The LAN may: nothing listens, so the router refuses.
    assert connect(c, "192.168.1.1", 22) == "refused"
    # Nor may the internet reach a LAN host directly (ISP routes the LAN
    # via the router for this check).
    sh("ip", "-n", isp, "route", "add", "192.168.1.0/24", "via", "192.0.2.2")
    srv = subprocess.Popen(["ip", "netns", "exec", c, "python3", "-c", SERVER, "8000"],
                           stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().strip() == "ready"
        assert connect(isp, "192.168.1.2", 8000) == "timeout"
        # The port forward: WAN 8080 -> 192.168.1.2:8000, source kept.
        got = connect(isp, "192.0.2.2", 8080, timeout=2)
        assert got == "data:hello from 8000, you are 192.0.2.1", got
        # And the LAN's own connections out come from the WAN address.
        srv2 = subprocess.Popen(["ip", "netns", "exec", isp, "python3", "-c", SERVER, "9000"],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert srv2.stdout.readline().strip() == "ready"
            assert connect(c, "192.0.2.1", 9000) == "data:hello from 9000, you are 192.0.2.2"
        finally:
            srv2.kill()
            srv2.wait()
    finally:
        srv.kill()
        srv.wait()
    assert d.stop() == 0


def test_foreign_tables_untouched(lab, daemons):
    r, c, isp = lab
    # Someone else's table, and a table named like netlinkd's but not its.
    sh("nft", "add", "table", "inet", "other", ns=r)
    sh("nft", "add", "chain", "inet", "other", "c", ns=r)
    sh("nft", "add", "table", "inet", "hgw", ns=r)
    need_binary("netlinkd")
    d = daemons.start("netlinkd", config=CONFIG, ns=r)
    os.makedirs(d.state_dir, exist_ok=True)
    write_state(d, "lte.json", LTE)
    doc = wait_state(d.state_dir, "netlinkd.json",
                     lambda doc: doc["firewall"]["status"] == "failed", daemon=d)
    assert "not netlinkd's" in doc["firewall"]["error"]
    assert [x for x in nft_table(r, "inet", "hgw") if "chain" in x] == []  # left alone
    # Everything else still applied.
    assert "192.0.2.2" in sh("ip", "-n", r, "addr", "show", "dev", "wwan0").stdout
    assert d.stop() == 0
    assert nft_table(r, "inet", "hgw") is not None
    assert nft_table(r, "inet", "other") is not None


def test_disable_on_reload(lab, daemons):
    r, c, isp = lab
    d = start(daemons, r)
    assert nft_table(r, "inet", "hgw") is not None
    cfg_path = os.path.join(os.path.dirname(d.state_dir), "hgw.json")
    cfg = json.loads(json.dumps(CONFIG))
    cfg["netlinkd"]["firewall"]["enabled"] = False
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    d.signal(signal.SIGHUP)
    wait_state(d.state_dir, "netlinkd.json", lambda doc: not doc["firewall"]["enabled"], daemon=d)
    deadline = time.monotonic() + 3
    while nft_table(r, "inet", "hgw") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert nft_table(r, "inet", "hgw") is None
    assert d.stop() == 0


def test_tampered_table_repaired(lab, daemons):
    r, c, isp = lab
    d = start(daemons, r)
    want = read_state(d.state_dir, "netlinkd.json")["firewall"]["rules"]

    def rules():
        t = nft_table(r, "inet", "hgw")
        return len([x for x in t if "rule" in x]) if t else -1

    assert rules() == want
    sh("nft", "flush", "chain", "inet", "hgw", "input", ns=r)
    deadline = time.monotonic() + 3
    while rules() != want and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rules() == want, d.log()
    # And a table removed by hand comes back.
    sh("nft", "delete", "table", "inet", "hgw", ns=r)
    deadline = time.monotonic() + 3
    while rules() != want and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rules() == want
    assert d.stop() == 0
