"""dhcp6c against a real kea-dhcp6 in network namespaces, over a veth pair
and over a MAC-less TUN link."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hgwtest import need_binary, read_state, sh, tshark_check, tshark_fields, wait_state
import dhcplab

STATE = "dhcp6.{}.json"


def schema_ok(state_dir, name):
    """The published file passes its schema (hgwctl show checks it)."""
    p = sh(os.path.join(os.environ.get("HGW_BUILD", "build"), "bin", "hgwctl"),
           "--state-dir", state_dir, "show", name, check=False)
    assert p.returncode == 0, f"{name} fails its schema: {p.stderr}"


@pytest.fixture
def veth6(net, tmp_path):
    srv, cli = net.ns("s6"), net.ns("c6")
    net.veth(srv, "vsrv", cli, "vcli")
    return srv, cli, "vsrv", "vcli"


@pytest.fixture
def tun6(net, tmp_path):
    """Two TUN devices joined by a relay: no MAC, no link-local by default
    (netlinkd/hybridd would add one; we add it here)."""
    srv, cli = net.ns("s6t"), net.ns("c6t")
    link = dhcplab.TunLink(cli, "tcli", srv, "tsrv")
    for ns, dev, ll in ((srv, "tsrv", "fe80::1"), (cli, "tcli", "fe80::2")):
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "addr", "add", f"{ll}/64", "dev", dev, "nodad")
    yield srv, cli, "tsrv", "tcli"
    link.close()


def dedup(seq):
    out = []
    for x in seq:
        if not out or out[-1] != x:
            out.append(x)
    return out


def client_cfg(ifname, **kw):
    c = {"interface": ifname, "ia_pd": True, "ia_na": True, "initial_delay_max_ms": 0}
    c.update(kw)
    return {"dhcp6c": c}


def bound(doc):
    return doc["state"] == "bound" and doc["prefixes"]


def run_bind(net, daemons, capture, tmp_path, link):
    srv, cli, sif, cif = link
    need_binary("dhcp6c")
    kea = dhcplab.start_kea(srv, str(tmp_path / "kea"), dhcplab.kea6_config(str(tmp_path / "kea"), sif))
    cap = capture.start(cli, cif, "udp port 546 or udp port 547")
    t0 = time.monotonic()
    d = daemons.start("dhcp6c", client_cfg(cif), ns=cli)
    doc = wait_state(d.state_dir, STATE.format(cif), bound, timeout=10, daemon=d)
    elapsed = time.monotonic() - t0
    return kea, cap, d, doc, elapsed


@pytest.mark.parametrize("linkname", ["veth6", "tun6"])
def test_bind_na_pd_and_release(request, net, daemons, capture, tmp_path, linkname):
    link = request.getfixturevalue(linkname)
    srv, cli, sif, cif = link
    kea, cap, d, doc, elapsed = run_bind(net, daemons, capture, tmp_path, link)
    print(f"dhcp6c {linkname}: start to bound {elapsed*1000:.0f} ms")
    assert doc["prefixes"][0]["prefix"].startswith("2001:db8:1")
    assert doc["prefixes"][0]["prefix"].endswith("/56")
    assert doc["addresses"][0]["address"].startswith("2001:db8:1::1")
    assert doc["dns"] == ["2001:db8:1::53"]
    assert doc["domains"] == ["example.net"]
    assert doc["aftr"] == "aftr.example.net"
    assert doc["ntp"] == ["2001:db8:1::123"]
    assert {"code": 201, "data": "deadbeef"} in doc["vendor"]
    now = time.time()
    # Absolute times: Kea's defaults above are T1 100, T2 200, 300/600.
    assert abs(doc["renew_at"] - (doc["obtained"] + 100)) <= 1
    assert abs(doc["rebind_at"] - (doc["obtained"] + 200)) <= 1
    assert abs(doc["prefixes"][0]["valid_until"] - (doc["obtained"] + 600)) <= 1
    assert abs(doc["obtained"] - now) < 5
    assert doc["server_duid"]
    schema_ok(d.state_dir, STATE.format(cif))
    # Lease file persisted
    assert os.path.exists(os.path.join(d.data_dir, f"dhcp6.{cif}.lease"))
    assert os.path.exists(os.path.join(d.data_dir, "dhcp6c.duid"))
    # SIGTERM -> Release, visible in Kea's lease file (state 0 rows removed
    # or valid lifetime 0)
    assert d.stop() == 0
    doc = read_state(d.state_dir, STATE.format(cif))
    assert doc["state"] == "released" and doc["prefixes"] == []
    time.sleep(0.3)
    pcap = cap.stop()
    kea.stop()
    pkts = tshark_check(pcap)
    types = dedup([r[0] for r in tshark_fields(pcap, ["dhcpv6.msgtype"])])
    # Solicit, Advertise, Request, Reply, Release, Reply (Kea answers twice
    # on a TUN device: it reads the multicast Solicit on two sockets)
    assert types[:4] == ["1", "2", "3", "7"], types
    assert "8" in types, types
    rel = types.index("8")
    assert "7" in types[rel:], "no Reply to the Release"
    assert "DHCP6_RELEASE_PD" in kea.log() or "RELEASE" in kea.log()
    # Our messages carry the link-local source and go to ff02::1:2
    rows = tshark_fields(pcap, ["ipv6.src", "ipv6.dst", "udp.srcport"], "dhcpv6.msgtype == 1")
    assert rows[0][0].startswith("fe80::") and rows[0][1] == "ff02::1:2" and rows[0][2] == "546"
    assert pkts


def short_kea(tmp_path, sif, srv):
    kw = str(tmp_path / "kea")
    return dhcplab.start_kea(srv, kw, dhcplab.kea6_config(kw, sif, renew=2, rebind=4,
                                                          preferred=6, valid=8))


def test_renew_restart_rebind_server_gone(veth6, daemons, capture, tmp_path):
    """T1 Renew with Kea; restart with the persisted lease -> Rebind first
    (same prefix, no Solicit); server gone -> Renew until T2, Rebind until
    the valid lifetime ends, then Solicit again."""
    srv, cli, sif, cif = veth6
    need_binary("dhcp6c")
    kea = short_kea(tmp_path, sif, srv)
    cap = capture.start(cli, cif, "udp port 546 or udp port 547")
    d = daemons.start("dhcp6c", client_cfg(cif, release_on_stop=False), ns=cli)
    name = STATE.format(cif)
    doc = wait_state(d.state_dir, name, bound, timeout=10, daemon=d)
    assert doc["renew_at"] - doc["obtained"] == 2 and doc["rebind_at"] - doc["obtained"] == 4
    renewed = wait_state(d.state_dir, name, lambda x: bound(x) and x["obtained"] > doc["obtained"],
                         timeout=6, daemon=d)
    assert renewed["prefixes"][0]["prefix"] == doc["prefixes"][0]["prefix"]
    schema_ok(d.state_dir, name)
    assert d.stop() == 0
    kept = read_state(d.state_dir, name)
    assert kept["state"] == "unbound" and kept["prefixes"] == renewed["prefixes"]
    t_restart = time.monotonic()
    d2 = daemons.start("dhcp6c", client_cfg(cif, release_on_stop=False), ns=cli,
                       state_dir=d.state_dir, data_dir=d.data_dir)
    again = wait_state(d2.state_dir, name, lambda x: bound(x) and x["obtained"] > renewed["obtained"] - 1
                       and "rebinding" in d2.log(), timeout=6, daemon=d2)
    print(f"dhcp6c restart with lease: rebound in {(time.monotonic()-t_restart)*1000:.0f} ms")
    assert again["prefixes"][0]["prefix"] == doc["prefixes"][0]["prefix"]
    assert again["addresses"][0]["address"] == doc["addresses"][0]["address"]
    # Server gone.
    kea.stop()
    wait_state(d2.state_dir, name, lambda x: x["state"] == "renewing", timeout=5, daemon=d2)
    wait_state(d2.state_dir, name, lambda x: x["state"] == "rebinding", timeout=5, daemon=d2)
    lost = wait_state(d2.state_dir, name, lambda x: x["state"] == "soliciting", timeout=8, daemon=d2)
    assert lost["prefixes"] == [] and lost["renew_at"] is None
    assert not os.path.exists(os.path.join(d.data_dir, f"dhcp6.{cif}.lease"))
    pcap = cap.stop()
    tshark_check(pcap)
    types = dedup([r[0] for r in tshark_fields(pcap, ["dhcpv6.msgtype"])])
    # S A R Rep | Renew Reply | (restart) Rebind Reply | Renew... Rebind... Solicit
    assert types[:6] == ["1", "2", "3", "7", "5", "7"], types
    assert types[6:8] == ["6", "7"], types
    assert types[8:] [:3] == ["5", "6", "1"], types
    # Renew carries the server id, Rebind does not (RFC 8415 18.2.4/18.2.5)
    ren = tshark_fields(pcap, ["dhcpv6.duid.bytes"], "dhcpv6.msgtype == 5")
    reb = tshark_fields(pcap, ["dhcpv6.duid.bytes"], "dhcpv6.msgtype == 6")
    assert len(ren[0][0].split(",")) == 2 and len(reb[0][0].split(",")) == 1
    # Elapsed time grows across Renew retransmissions
    el = [int(r[0]) for r in tshark_fields(pcap, ["dhcpv6.elapsed_time"], "dhcpv6.msgtype == 5")]
    assert el[0] == 0


def test_link_down_keeps_lease_unbound_then_rebinds(tun6, daemons, capture, tmp_path):
    srv, cli, sif, cif = tun6
    need_binary("dhcp6c")
    kw = str(tmp_path / "kea")
    kea = dhcplab.start_kea(srv, kw, dhcplab.kea6_config(kw, sif))
    d = daemons.start("dhcp6c", client_cfg(cif), ns=cli)
    name = STATE.format(cif)
    doc = wait_state(d.state_dir, name, bound, timeout=10, daemon=d)
    sh("ip", "-n", cli, "link", "set", cif, "down")
    down = wait_state(d.state_dir, name, lambda x: x["state"] == "unbound", timeout=5, daemon=d)
    assert down["prefixes"] == doc["prefixes"]
    schema_ok(d.state_dir, name)
    sh("ip", "-n", cli, "link", "set", cif, "up")
    sh("ip", "-n", cli, "addr", "replace", "fe80::2/64", "dev", cif, "nodad")
    # The first Rebind goes out within a millisecond of the link returning
    # and can be lost on the relay that is still coming back; RFC 8415's
    # REB_TIMEOUT is 10 s (+10 % jitter), so allow one retransmission.
    up = wait_state(d.state_dir, name, lambda x: bound(x) and x["obtained"] >= doc["obtained"]
                    and "rebinding" in d.log(), timeout=15, daemon=d)
    assert up["prefixes"][0]["prefix"] == doc["prefixes"][0]["prefix"]
    kea.stop()


def test_bad_configs(tmp_path):
    """Hostile configs: exit 78 with the JSON path, no crash."""
    need_binary("dhcp6c")
    bad = [
        ({"dhcp6c": {}}, "dhcp6c.interface"),
        ({"dhcp6c": {"interface": "x" * 40}}, "dhcp6c.interface"),
        ({"dhcp6c": {"interface": "eth0", "duid_type": "mac"}}, "dhcp6c.duid_type"),
        ({"dhcp6c": {"interface": "eth0", "prefix_hint_len": 200}}, "dhcp6c.prefix_hint_len"),
        ({"dhcp6c": {"interface": "eth0", "request_options": [0]}}, "dhcp6c.request_options"),
        ({"dhcp6c": {"interface": "eth0", "duid": "zz"}}, "dhcp6c.duid"),
        ({"dhcp6c": {"interface": "eth0", "ia_pd": False, "ia_na": False}}, "neither"),
        ({"dhcp4c": {"interface": "eth0", "chaddr": "not-a-mac"}}, "dhcp4c.chaddr"),
        ({"dhcp4c": {"interface": "eth0", "client_id": "xyz1"}}, "dhcp4c.client_id"),
        ({"dhcp4c": {"interface": "eth0", "request_options": [255]}}, "dhcp4c.request_options"),
        ({"dhcp4c": {"interface": "eth0", "first_retransmit_ms": "4"}}, "dhcp4c.first_retransmit_ms"),
    ]
    for cfg, path in bad:
        prog = "dhcp6c" if "dhcp6c" in cfg else "dhcp4c"
        f = tmp_path / "bad.json"
        f.write_text(json.dumps(cfg))
        p = sh(os.path.join(os.environ.get("HGW_BUILD", "build"), "bin", prog), "-c", str(f),
               "--state-dir", str(tmp_path / "s"), "--data-dir", str(tmp_path / "d"), check=False,
               timeout=5)
        assert p.returncode == 78, (cfg, p.returncode, p.stderr)
        assert path in p.stderr, (cfg, p.stderr)
    # Not JSON at all
    f = tmp_path / "bad.json"
    f.write_text("{ nope")
    p = sh(os.path.join(os.environ.get("HGW_BUILD", "build"), "bin", "dhcp6c"), "-c", str(f),
           check=False, timeout=5)
    assert p.returncode == 78


def test_hostile_packets_daemon(veth6, daemons, tmp_path):
    """Garbage, truncated, oversized and wrong-xid DHCPv6 packets at a bound
    client: it stays up, keeps its state, logs and ignores them."""
    srv, cli, sif, cif = veth6
    need_binary("dhcp6c")
    kw = str(tmp_path / "kea")
    kea = dhcplab.start_kea(srv, kw, dhcplab.kea6_config(kw, sif))
    d = daemons.start("dhcp6c", client_cfg(cif), ns=cli)
    name = STATE.format(cif)
    doc = wait_state(d.state_dir, name, bound, timeout=10, daemon=d)
    kea.stop()
    ll = [a["local"] for a in net_addrs(cli, cif) if a["local"].startswith("fe80")][0]
    script = rf"""
import socket, os
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"{sif}")
dst = ("{ll}%{sif}", 546)
pkts = [b"", b"\x07", b"\x07\x00\x00", b"\x07\x00\x00\x01\x00\x19\xff\xff",
        b"\x0d" + os.urandom(100), b"\x07\x12\x34\x56" + b"\x00\x01\x00\x04\x00\x03\x00\x01",
        b"\x07" + os.urandom(3) + b"\x00\x19\x00\x0c" + b"\x00" * 4 + b"\x00\x00\x01\x00\x00\x00\x00\x10",
        os.urandom(1400), b"\x07" * 9000]
for _ in range(20):
    pkts.append(b"\x07" + os.urandom(200))
for p in pkts:
    s.sendto(p, dst)
"""
    sh("python3", "-c", script, ns=srv)
    time.sleep(0.5)
    assert d.proc.poll() is None, d.log()
    after = read_state(d.state_dir, name)
    assert after == doc
    assert "dropped a malformed message" in d.log() or "ignoring" in d.log()


def net_addrs(ns, dev):
    out = sh("ip", "-j", "-n", ns, "addr", "show", "dev", dev).stdout
    return json.loads(out)[0]["addr_info"]


def test_reconfigure_rkap(veth6, daemons, tmp_path):
    """Reconfigure with the reconfigure key (RFC 8415 20.4) against an
    independent Python peer (Kea has no Reconfigure): the key arrives in
    the Reply, the signed Reconfigure(Renew) makes the client Renew at once."""
    srv, cli, sif, cif = veth6
    need_binary("dhcp6c")
    peer = subprocess.Popen(["ip", "netns", "exec", srv, sys.executable,
                             os.path.join(os.path.dirname(__file__), "rkap_server.py"), sif],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert peer.stdout.readline().strip() == "ready"
    d = daemons.start("dhcp6c", client_cfg(cif, ia_na=False, reconfigure_accept=True), ns=cli)
    try:
        out, _ = peer.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        peer.kill()
        out, _ = peer.communicate()
    assert peer.returncode == 0, out + d.log()
    assert "reconf_accept=True" in out and "renew after reconfigure" in out
    assert "authenticated Reconfigure" in d.log()
    doc = wait_state(d.state_dir, STATE.format(cif), bound, timeout=5, daemon=d)
    assert doc["prefixes"][0]["prefix"] == "2001:db8:77::/56"


def test_dad_failure_decline(veth6, daemons, capture, tmp_path):
    """The IA_NA address Kea hands out is already used on the link: once it
    is applied (here by the test, as netlinkd would) the kernel's DAD
    fails, dhcp6c sends Decline, Kea marks the address declined, and the
    client gets another one; the prefix stays."""
    srv, cli, sif, cif = veth6
    need_binary("dhcp6c")
    sh("ip", "-n", srv, "addr", "add", "2001:db8:1::100/64", "dev", sif, "nodad")  # squatter
    kw = str(tmp_path / "kea")
    kea = dhcplab.start_kea(srv, kw, dhcplab.kea6_config(kw, sif))
    cap = capture.start(cli, cif, "udp port 546 or udp port 547")
    d = daemons.start("dhcp6c", client_cfg(cif), ns=cli)
    name = STATE.format(cif)
    doc = wait_state(d.state_dir, name, bound, timeout=10, daemon=d)
    addr = doc["addresses"][0]["address"]
    assert addr == "2001:db8:1::100", doc
    sh("sysctl", "-qw", f"net.ipv6.conf.{cif}.accept_dad=1", ns=cli)
    sh("ip", "-n", cli, "addr", "add", f"{addr}/128", "dev", cif)
    new = wait_state(d.state_dir, name, lambda x: bound(x) and x["addresses"]
                     and x["addresses"][0]["address"] != addr, timeout=15, daemon=d)
    assert new["prefixes"][0]["prefix"] == doc["prefixes"][0]["prefix"]
    assert "declining" in d.log()
    pcap = cap.stop()
    kea.stop()
    tshark_check(pcap)
    dec = tshark_fields(pcap, ["dhcpv6.iaaddr.ip", "dhcpv6.iaprefix.pref_addr"],
                        "dhcpv6.msgtype == 9")
    assert dec and dec[0] == [addr, ""], dec
    rows = [l.split(",") for l in open(os.path.join(kw, "kea-leases6.csv")).read().splitlines()]
    hdr = rows[0]
    st = hdr.index("state")
    assert any(r[0] == addr and r[st] == "1" for r in rows[1:]), rows


def test_follow_pppoe_state_file(veth6, daemons, tmp_path):
    """"follow": the link counts only while pppoe.json says "up": nothing is
    sent before, the lease is kept but unbound while it says "down", and
    the client rebinds when it is "up" again."""
    srv, cli, sif, cif = veth6
    need_binary("dhcp6c")
    kw = str(tmp_path / "kea")
    kea = dhcplab.start_kea(srv, kw, dhcplab.kea6_config(kw, sif))
    state_dir = str(tmp_path / "state")
    os.makedirs(state_dir)

    def pppoe(state):
        tmp = os.path.join(state_dir, ".pppoe.tmp")
        with open(tmp, "w") as f:
            json.dump({"version": 1, "writer": "pppoed", "state": state}, f)
        os.rename(tmp, os.path.join(state_dir, "pppoe.json"))

    d = daemons.start("dhcp6c", client_cfg(cif, follow={"file": "pppoe.json", "up_states": ["up"]}),
                      ns=cli, state_dir=state_dir)
    name = STATE.format(cif)
    doc = wait_state(state_dir, name, lambda x: x["state"] == "unbound", timeout=5, daemon=d)
    time.sleep(0.5)
    assert "send Solicit" not in d.log()
    pppoe("up")
    doc = wait_state(state_dir, name, bound, timeout=10, daemon=d)
    pppoe("lcp")
    down = wait_state(state_dir, name, lambda x: x["state"] == "unbound", timeout=5, daemon=d)
    assert down["prefixes"] == doc["prefixes"]
    pppoe("up")
    up = wait_state(state_dir, name, lambda x: bound(x) and "rebinding" in d.log(), timeout=8,
                    daemon=d)
    assert up["prefixes"][0]["prefix"] == doc["prefixes"][0]["prefix"]
    # a hostile follow path is a config error
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(client_cfg(cif, follow={"file": "../etc/passwd", "up_states": ["up"]})))
    p = sh(os.path.join(os.environ.get("HGW_BUILD", "build"), "bin", "dhcp6c"), "-c", str(bad),
           "--state-dir", str(tmp_path / "s2"), "--data-dir", str(tmp_path / "d2"), check=False,
           timeout=5)
    assert p.returncode == 78 and "dhcp6c.follow.file" in p.stderr, p.stderr
    kea.stop()
