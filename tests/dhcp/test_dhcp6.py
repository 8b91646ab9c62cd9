"""dhcp6c against a real kea-dhcp6 in network namespaces, over a veth pair
and over a MAC-less TUN link."""
import json
import os
import signal
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
