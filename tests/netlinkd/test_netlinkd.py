"""netlinkd against the real kernel, in a network namespace.

The router namespace has LAN veths, an LTE veth, and TUN devices standing in
for the PPP session and the bonded tunnel (this kernel has no PPP or GRE).
State files are written as the other daemons would; the kernel is checked
with `ip -j` and sysctl, never through netlinkd's own report alone.
"""
import json
import os
import signal
import subprocess
import time

import pytest

from hgwtest import BIN, need_binary, read_state, sh, wait_state

PROTO = 73
NOW = int(time.time())

CONFIG = {
    "netlinkd": {
        "lan": [
            {"name": "lan0", "addresses": ["192.168.1.1/24", "fe80::1/64", "fd00:1::1/64"]},
            {"name": "lan1", "addresses": ["192.168.2.1/24"], "subnet_id": 5, "mtu": 1400},
        ],
    }
}

LTE = {"version": 1, "writer": "lte-modemd", "state": "connected", "interface": "wwan0",
       "ipv6": "2001:db8:100::2/64", "gateway6": "2001:db8:100::1", "mtu": 1500}
PPPOE = {"version": 1, "writer": "pppoed", "state": "up", "interface": "ppp0",
         "mode": "userspace", "mtu": 1492,
         "ipv4": {"address": "198.51.100.2", "peer": "198.51.100.1"},
         "ipv6": {"local": "fe80::2", "peer": "fe80::1"}}
HYBRID = {"version": 1, "writer": "hybridd", "state": "bonded", "interface": "tun0",
          "mode": "userspace",
          "tunnels": {"lte": {"state": "up"}, "dsl": {"state": "up"}}}
DHCP4 = {"version": 1, "writer": "dhcp4c", "interface": "tun0", "state": "bound",
         "address": "203.0.113.5/32", "router": None}


def dhcp6(prefix="2001:db8:200::/56", pref=3600, valid=7200, state="bound"):
    return {"version": 1, "writer": "dhcp6c", "interface": "tun0", "state": state,
            "prefixes": [{"prefix": prefix, "preferred_until": NOW + pref,
                          "valid_until": NOW + valid}],
            "addresses": [{"address": "2001:db8:300::5", "preferred_until": NOW + pref,
                           "valid_until": NOW + valid}]}


def write_state(d, name, doc):
    """Atomically, as hgw_state_publish does (dot-file, then rename)."""
    tmp = os.path.join(d.state_dir, "." + name + ".tmp")
    with open(tmp, "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    os.rename(tmp, os.path.join(d.state_dir, name))


def remove_state(d, name):
    os.unlink(os.path.join(d.state_dir, name))


@pytest.fixture
def router(net):
    """A router namespace with lan0, lan1 (to a client ns), wwan0 (to an
    ISP ns), ppp0 and tun0 (TUN)."""
    r = net.ns("r")
    c = net.ns("c")
    isp = net.ns("i")
    net.veth(r, "lan0", c, "c0", up=False)
    net.veth(r, "lan1", c, "c1", up=False)
    net.veth(r, "wwan0", isp, "e0", up=False)
    sh("ip", "-n", c, "link", "set", "c0", "up")
    sh("ip", "-n", c, "link", "set", "c1", "up")
    sh("ip", "-n", isp, "link", "set", "e0", "up")
    net.tun(r, "ppp0")
    net.tun(r, "tun0")
    return r


def start(daemons, ns, config=CONFIG, inputs=True):
    need_binary("netlinkd")
    base = daemons.tmp
    d = daemons.start("netlinkd", config=config, ns=ns)
    os.makedirs(d.state_dir, exist_ok=True)
    if inputs:
        feed_all(d)
    return d


def feed_all(d):
    write_state(d, "lte.json", LTE)
    write_state(d, "pppoe.json", PPPOE)
    write_state(d, "hybrid.json", HYBRID)
    write_state(d, "dhcp4.tun0.json", DHCP4)
    write_state(d, "dhcp6.tun0.json", dhcp6())


def settled(d, pred=lambda doc: True, timeout=10):
    """netlinkd.json once every object is applied and pred holds."""
    return wait_state(d.state_dir, "netlinkd.json",
                      lambda doc: doc["failed"] == 0 and pred(doc), timeout, daemon=d)


def addrs(net, ns, dev):
    out = {}
    for link in net.ipj(ns, "addr", "show", "dev", dev):
        for a in link.get("addr_info", []):
            out[f"{a['local']}/{a['prefixlen']}"] = a
    return out


def routes(net, ns, fam="-4", table="all"):
    return net.ipj(ns, fam, "route", "show", "table", table)


def our_routes(net, ns, fam):
    return [r for r in routes(net, ns, fam) if r.get("protocol") in (PROTO, str(PROTO))]


def rules(net, ns, fam):
    return net.ipj(ns, fam, "rule", "show")


def sysctl(ns, key):
    return sh("sysctl", "-n", key, ns=ns).stdout.strip()


def find_route(rs, dst, table=None, dev=None):
    for r in rs:
        if r.get("dst") != dst:
            continue
        if table is not None and str(r.get("table", "main")) != str(table):
            continue
        if dev is not None and r.get("dev") != dev:
            continue
        return r
    return None


def count_log(d, needle):
    return d.log().count(needle)


def wait_for(pred, timeout=5, what="condition", daemon=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    log = f"\n{daemon.prog} log:\n{daemon.log()}" if daemon else ""
    raise AssertionError(f"timed out waiting for {what}{log}")


# ---------------------------------------------------------------------------


def test_full_hybrid(net, router, daemons):
    d = start(daemons, router)
    doc = settled(d, lambda doc: len(doc["addresses"]) >= 10)
    r = router

    # LAN statics and delegated /64s: lan0 subnet 0 (first free), lan1 subnet 5.
    a0 = addrs(net, r, "lan0")
    for want in ("192.168.1.1/24", "fe80::1/64", "fd00:1::1/64", "2001:db8:200::1/64"):
        assert want in a0, (want, a0)
    pd = a0["2001:db8:200::1/64"]
    assert 7100 < pd["valid_life_time"] <= 7200
    assert 3500 < pd["preferred_life_time"] <= 3600
    a1 = addrs(net, r, "lan1")
    assert "2001:db8:200:5::1/64" in a1 and "192.168.2.1/24" in a1
    # WAN addresses: PPP /32 with its peer, the tunnel's leases, LTE.
    ppp = addrs(net, r, "ppp0")
    assert ppp["198.51.100.2/32"].get("address") == "198.51.100.1"
    assert "fe80::2/128" in ppp
    tun = addrs(net, r, "tun0")
    assert "203.0.113.5/32" in tun and "2001:db8:300::5/128" in tun
    assert tun["fe80::2/64"]["scope"] == "link"  # for dhcp6c (RFC 8415 13.1)
    assert "2001:db8:100::2/64" in addrs(net, r, "wwan0")

    # Links: up, MTUs from state (PPP 1492) and config (lan1 1400).
    links = {l["ifname"]: l for l in net.ipj(r, "link", "show")}
    for n in ("lan0", "lan1", "ppp0", "tun0", "wwan0"):
        assert "UP" in links[n]["flags"], (n, links[n]["flags"])
    assert links["ppp0"]["mtu"] == 1492
    assert links["lan1"]["mtu"] == 1400

    # Default routes in main by metric: tunnel 100 < DSL 200 (< LTE 300, v6).
    r4 = our_routes(net, r, "-4")
    main4 = sorted((x["metric"], x["dev"]) for x in r4
                   if x["dst"] == "default" and x.get("table", "main") == "main")
    assert main4 == [(100, "tun0"), (200, "ppp0")]
    r6 = our_routes(net, r, "-6")
    main6 = sorted((x["metric"], x["dev"]) for x in r6
                   if x["dst"] == "default" and x.get("table", "main") == "main")
    assert main6 == [(100, "tun0"), (200, "ppp0"), (300, "wwan0")]
    lte_default = find_route(r6, "default", table=203)
    assert lte_default and lte_default["gateway"] == "2001:db8:100::1"
    assert find_route(r4, "default", table=201, dev="tun0")
    assert find_route(r4, "default", table=202, dev="ppp0")
    unreach = find_route(r6, "2001:db8:200::/56")
    assert unreach and unreach["type"] == "unreachable"
    # The kernel picks the tunnel.
    got = net.ipj(r, "-4", "route", "get", "192.0.2.1")[0]
    assert got["dev"] == "tun0"

    # Source rules: hybridd's LTE socket leaves through LTE's table.
    rl6 = rules(net, r, "-6")
    lte_rule = [x for x in rl6 if x.get("src") == "2001:db8:100::2"]
    assert lte_rule and lte_rule[0]["table"] == "203" and 10000 <= lte_rule[0]["priority"] <= 10999
    got = net.ipj(r, "-6", "route", "get", "2001:db8:ffff::1", "from", "2001:db8:100::2")[0]
    assert got["dev"] == "wwan0" and got["gateway"] == "2001:db8:100::1"
    rl4 = rules(net, r, "-4")
    assert any(x.get("src") == "198.51.100.2" and x["table"] == "202" for x in rl4)

    # Sysctls.
    assert sysctl(r, "net.ipv4.ip_forward") == "1"
    assert sysctl(r, "net.ipv6.conf.all.forwarding") == "1"
    assert sysctl(r, "net.ipv6.conf.tun0.addr_gen_mode") == "1"
    assert sysctl(r, "net.ipv6.conf.ppp0.accept_ra") == "2"

    # The report matches.
    assert doc["wans"]["tunnel"]["interface"] == "tun0"
    assert all(x["status"] == "applied" for x in doc["addresses"])

    # Apply twice: a changed input that does not concern the kernel (the
    # modem's DNS list) makes a full reconcile that sends nothing.
    writes = doc["stats"]["netlink_writes"] + doc["stats"]["sysctl_writes"]
    before = count_log(d, "reconciled")
    write_state(d, "lte.json", dict(LTE, dns=["2001:db8:100::53"]))
    wait_for(lambda: count_log(d, "reconciled") > before, what="a reconcile", daemon=d)
    time.sleep(0.5)  # and the kernel events it might cause
    doc2 = read_state(d.state_dir, "netlinkd.json")
    assert doc2["stats"]["netlink_writes"] + doc2["stats"]["sysctl_writes"] == writes
    assert d.stop() == 0


def test_one_input_at_a_time(net, router, daemons):
    d = start(daemons, router)
    settled(d, lambda doc: len(doc["addresses"]) >= 10)
    r = router

    # The prefix changes: old /64 deprecated (preferred 0, still valid),
    # new one preferred.
    write_state(d, "dhcp6.tun0.json", dhcp6(prefix="2001:db8:400::/56"))
    settled(d, lambda doc: any(a["address"] == "2001:db8:400::1/64" for a in doc["addresses"]))
    a0 = addrs(net, r, "lan0")
    old, new = a0["2001:db8:200::1/64"], a0["2001:db8:400::1/64"]
    assert old["preferred_life_time"] == 0 and old["valid_life_time"] > 7000
    assert new["preferred_life_time"] > 3500
    assert "2001:db8:400:5::1/64" in addrs(net, r, "lan1")
    r6 = our_routes(net, r, "-6")
    assert find_route(r6, "2001:db8:400::/56") and not find_route(r6, "2001:db8:200::/56")

    # PPP drops: its address, routes and rule go; nothing else moves.
    before4 = {(x["dst"], str(x.get("table", "main")), x.get("dev")) for x in our_routes(net, r, "-4")}
    write_state(d, "pppoe.json", dict(PPPOE, state="lcp", interface=None, ipv4=None, ipv6=None))
    settled(d, lambda doc: doc["wans"]["dsl"]["interface"] is None)
    assert "198.51.100.2/32" not in addrs(net, r, "ppp0")
    after4 = {(x["dst"], str(x.get("table", "main")), x.get("dev")) for x in our_routes(net, r, "-4")}
    assert before4 - after4 == {("default", "202", "ppp0"), ("default", "main", "ppp0")}
    assert after4 - before4 == set()
    assert not any(x.get("src") == "198.51.100.2" for x in rules(net, r, "-4"))

    # LTE drops: its address and rule go.
    write_state(d, "lte.json", dict(LTE, state="searching"))
    settled(d, lambda doc: doc["wans"]["lte"]["interface"] is None)
    assert "2001:db8:100::2/64" not in addrs(net, r, "wwan0")
    assert not any(x.get("src") == "2001:db8:100::2" for x in rules(net, r, "-6"))

    # The lease is lost: LAN /64s and the IA_NA are withdrawn, not deprecated.
    remove_state(d, "dhcp6.tun0.json")
    settled(d, lambda doc: not any(a["address"].startswith("2001:db8:") and
                                   a["interface"].startswith("lan") for a in doc["addresses"]))
    a0 = addrs(net, r, "lan0")
    assert not [k for k in a0 if k.startswith("2001:db8:")], a0
    assert "2001:db8:300::5/128" not in addrs(net, r, "tun0")
    assert "fd00:1::1/64" in a0  # statics stay
    assert d.stop() == 0


def test_foreign_objects_survive(net, router, daemons):
    r = router
    # A user's address, route in a WAN table, rule inside netlinkd's
    # priority range, and a route with the same key as one of netlinkd's.
    sh("ip", "-n", r, "link", "set", "lan0", "up")
    sh("ip", "-n", r, "addr", "add", "10.7.7.1/24", "dev", "lan0")
    sh("ip", "-n", r, "route", "add", "10.9.9.0/24", "dev", "lan0", "table", "201")
    sh("ip", "-n", r, "rule", "add", "priority", "10150", "from", "10.1.1.1", "lookup", "77")
    sh("ip", "-n", r, "-6", "route", "add", "2001:db8:77::/48", "dev", "lan0", "metric", "5")
    d = start(daemons, r)
    settled(d, lambda doc: len(doc["addresses"]) >= 10)
    # Change inputs to make netlinkd delete things, then stop it (cleanup).
    write_state(d, "pppoe.json", dict(PPPOE, state="down", interface=None))
    settled(d, lambda doc: doc["wans"]["dsl"]["interface"] is None)
    assert d.stop() == 0
    assert our_routes(net, r, "-4") == [] and our_routes(net, r, "-6") == []
    assert not [x for x in rules(net, r, "-4") + rules(net, r, "-6")
                if str(x.get("protocol")) == str(PROTO)]
    assert "192.168.1.1/24" not in addrs(net, r, "lan0")
    # The user's objects are all still there.
    assert "10.7.7.1/24" in addrs(net, r, "lan0")
    assert find_route(routes(net, r, "-4", "201"), "10.9.9.0/24")
    assert any(x.get("src") == "10.1.1.1" and x["priority"] == 10150 for x in rules(net, r, "-4"))
    assert find_route(routes(net, r, "-6", "main"), "2001:db8:77::/48")
    # A clean exit withdraws netlinkd.json.
    assert read_state(d.state_dir, "netlinkd.json") is None


def test_restart_adopts_and_cleans(net, router, daemons):
    cfg = {"netlinkd": dict(CONFIG["netlinkd"], cleanup_on_exit=False)}
    d = start(daemons, router, config=cfg)
    settled(d, lambda doc: len(doc["addresses"]) >= 10)
    assert d.stop() == 0
    n4 = len(our_routes(net, router, "-4"))
    assert n4 > 0  # kept: cleanup_on_exit is off
    # Restart over a configured kernel: nothing to send.
    d2 = daemons.start("netlinkd", config=cfg, ns=router, state_dir=d.state_dir)
    doc = settled(d2, lambda doc: len(doc["addresses"]) >= 10)
    assert doc["stats"] == {"netlink_writes": 0, "sysctl_writes": 0}, doc["stats"]
    assert d2.stop() == 0
    # An input vanished while netlinkd was down: its objects go at start.
    remove_state(d, "dhcp4.tun0.json")
    d3 = daemons.start("netlinkd", config=cfg, ns=router, state_dir=d.state_dir)
    settled(d3, lambda doc: doc["stats"]["netlink_writes"] > 0)
    assert "203.0.113.5/32" not in addrs(net, router, "tun0")
    assert not find_route(our_routes(net, router, "-4"), "default", table=201)
    assert "2001:db8:300::5/128" in addrs(net, router, "tun0")
    assert d3.stop() == 0


def test_kernel_drift_repaired(net, router, daemons):
    d = start(daemons, router)
    settled(d, lambda doc: len(doc["addresses"]) >= 10)
    r = router
    sh("ip", "-n", r, "route", "del", "default", "dev", "tun0", "table", "201")
    sh("ip", "-n", r, "link", "set", "lan1", "down")
    wait_for(lambda: find_route(routes(net, r, "-4", "201"), "default"), what="route restored")
    wait_for(lambda: "UP" in net.ipj(r, "link", "show", "lan1")[0]["flags"], what="lan1 up")
    assert d.stop() == 0


def test_bad_state_files_keep_last_good(net, router, daemons):
    d = start(daemons, router)
    settled(d, lambda doc: len(doc["addresses"]) >= 10)
    r = router
    bad = [
        '{"version":1,"writer":"lte-modemd","state":"connec',           # truncated
        '{"version":1,"writer":"lte-modemd","state":"connected","interface":42}',  # type
        '{"version":1,"writer":"lte-modemd","state":"connected","ipv6":"2001:db8::zz/64"}',
        "[1,2,3]",
        "\x00\xff garbage",
        '{"version":1,"writer":"lte-modemd","state":"connected","x":"' + "A" * 300000 + '"}',
    ]
    for text in bad:
        write_state(d, "lte.json", text)
        time.sleep(0.2)
        assert d.proc.poll() is None, d.log()
        assert "2001:db8:100::2/64" in addrs(net, r, "wwan0"), text[:60]
    assert "keeping the last good state" in d.log()
    # netlinkd.json says so too, and stops saying it once the file is good.
    wait_state(d.state_dir, "netlinkd.json",
               lambda doc: any(p.startswith("lte.json: invalid") for p in doc["problems"]),
               daemon=d)
    write_state(d, "lte.json", LTE)
    wait_state(d.state_dir, "netlinkd.json",
               lambda doc: not any(p.startswith("lte.json") for p in doc["problems"]), daemon=d)
    # A contradictory input: the same device for LTE and DSL.  DSL (the
    # preferred) keeps it, LTE counts as down; netlinkd keeps running.
    write_state(d, "lte.json", dict(LTE, interface="ppp0"))
    doc = settled(d, lambda doc: doc["wans"]["lte"]["interface"] is None)
    assert doc["wans"]["dsl"]["interface"] == "ppp0"
    # A lease for a device that does not exist: reported per object.
    write_state(d, "hybrid.json", dict(HYBRID, interface="tun9"))
    doc = wait_state(d.state_dir, "netlinkd.json",
                     lambda doc: any(a.get("error") == "interface tun9 does not exist"
                                     for a in doc["links"]), daemon=d)
    assert doc["failed"] > 0
    assert d.proc.poll() is None
    assert d.stop() == 0


def test_ip6gre_fails_clearly(net, router, daemons):
    d = start(daemons, router)
    settled(d, lambda doc: len(doc["addresses"]) >= 10)
    write_state(d, "hybrid.json", dict(
        HYBRID, state="lte", interface="gre1", mode="kernel",
        kernel_tunnels=[{"name": "gre1", "local": "2001:db8:100::2",
                         "remote": "2001:db8:ffff::1", "ikey": 305419896,
                         "okey": 305419896, "mtu": 1448}]))
    doc = wait_state(d.state_dir, "netlinkd.json",
                     lambda doc: doc["tunnels"] and doc["tunnels"][0]["status"] == "failed",
                     daemon=d)
    err = doc["tunnels"][0]["error"]
    assert "ip6gre" in err and "not supported" in err.lower(), err
    # Everything that does not depend on it is applied.
    assert "2001:db8:100::2/64" in addrs(net, router, "wwan0")
    assert d.proc.poll() is None
    assert d.stop() == 0


def test_rename_by_mac(net, router, daemons):
    sh("ip", "-n", router, "link", "set", "wwan0", "address", "02:00:00:00:00:07")
    cfg = {"netlinkd": {"links": [{"name": "dsl0", "mac": "02:00:00:00:00:07", "mtu": 1508}]}}
    d = start(daemons, router, config=cfg, inputs=False)
    settled(d, lambda doc: doc["links"] and doc["links"][0]["status"] == "applied")
    link = net.ipj(router, "link", "show", "dsl0")[0]
    assert link["address"] == "02:00:00:00:00:07" and link["mtu"] == 1508
    assert "UP" in link["flags"]
    assert d.stop() == 0


HOSTILE = [
    ({"netlinkd": {"lan": [{"name": "a-very-long-interface-name"}]}}, "netlinkd.lan[0].name"),
    ({"netlinkd": {"lan": [{"name": "lan0", "addresses": ["192.168.1.300/24"]}]}},
     "netlinkd.lan[0].addresses[0]"),
    ({"netlinkd": {"wan": {"tunnel": {"table": 254}}}}, "netlinkd.wan.tunnel.table"),
    ({"netlinkd": {"wan": {"dsl": {"table": 201}}}}, "netlinkd.wan.dsl.table"),
    ({"netlinkd": {"rule_priority_min": 100, "rule_priority_max": 120}},
     "netlinkd.rule_priority_max"),
    ({"netlinkd": {"lan": [{"name": "lan0", "subnet_id": 1}, {"name": "lan1", "subnet_id": 1}]}},
     "netlinkd.lan[1].subnet_id"),
    ({"netlinkd": {"route_protocol": "73"}}, "netlinkd.route_protocol"),
    ({"netlinkd": {"lans": []}}, "netlinkd.lans"),
    ({"netlinkd": []}, "netlinkd"),
    ({"netlinkd": {"wan": {"tunnel": {"link_local": "2001:db8::1"}}}},
     "netlinkd.wan.tunnel.link_local"),
]


@pytest.mark.parametrize("cfg,path", HOSTILE, ids=[p for _, p in HOSTILE])
def test_hostile_config_exits_78(tmp_path, cfg, path):
    need_binary("netlinkd")
    f = tmp_path / "hgw.json"
    f.write_text(json.dumps(cfg))
    p = subprocess.run([os.path.join(BIN, "netlinkd"), "-c", str(f), "--state-dir",
                        str(tmp_path / "s"), "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 78, p.stderr
    assert path in p.stderr, p.stderr


def test_ra_router_becomes_wan_gateway(net, router, daemons):
    """With no gateway in lte.json, the router the kernel learnt from RAs
    (a proto ra default route) is the LTE table's IPv6 gateway."""
    r = router
    d = start(daemons, r, inputs=False)
    write_state(d, "lte.json", dict(LTE, gateway6=None))
    settled(d, lambda doc: doc["wans"]["lte"]["interface"] == "wwan0")
    sh("ip", "-n", r, "-6", "route", "add", "default", "via", "fe80::99", "dev", "wwan0",
       "proto", "ra", "metric", "1024")
    wait_for(lambda: (find_route(routes(net, r, "-6", "203"), "default") or {}).get("gateway")
             == "fe80::99", what="the RA router in table 203", daemon=d)
    assert d.stop() == 0
    # The kernel's own route is not netlinkd's: it stays.
    assert find_route(routes(net, r, "-6", "main"), "default", dev="wwan0")
