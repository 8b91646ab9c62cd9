"""dhcp4c against real servers in network namespaces: dnsmasq over a veth
pair, kea-dhcp4 over a MAC-less TUN link."""
import os
import time

import pytest

from hgwtest import need_binary, read_state, sh, tshark_check, tshark_fields, wait_state
import dhcplab

STATE = "dhcp4.{}.json"


def schema_ok(state_dir, name):
    p = sh(os.path.join(os.environ.get("HGW_BUILD", "build"), "bin", "hgwctl"),
           "--state-dir", state_dir, "show", name, check=False)
    assert p.returncode == 0, f"{name} fails its schema: {p.stderr}"


def cfg4(ifname, **kw):
    c = {"interface": ifname, "initial_delay_max_ms": 0, "first_retransmit_ms": 1000,
         "arp_probe_ms": 200}
    c.update(kw)
    return {"dhcp4c": c}


def is_bound(doc):
    return doc["state"] == "bound" and doc["address"]


@pytest.fixture
def veth4(net):
    srv, cli = net.ns("s4"), net.ns("c4")
    net.veth(srv, "vsrv", cli, "vcli")
    sh("ip", "-n", srv, "addr", "add", "192.0.2.1/24", "dev", "vsrv")
    return srv, cli, "vsrv", "vcli"


@pytest.fixture
def tun4(net):
    srv, cli = net.ns("s4t"), net.ns("c4t")
    link = dhcplab.TunLink(cli, "tcli", srv, "tsrv")
    sh("ip", "-n", srv, "link", "set", "tsrv", "up")
    sh("ip", "-n", cli, "link", "set", "tcli", "up")
    sh("ip", "-n", srv, "addr", "add", "192.0.2.1/24", "dev", "tsrv")
    yield srv, cli, "tsrv", "tcli"
    link.close()


def test_dnsmasq_veth_bind_renew_release(veth4, daemons, capture, tmp_path):
    srv, cli, sif, cif = veth4
    need_binary("dhcp4c")
    dm = dhcplab.start_dnsmasq(srv, str(tmp_path / "dm"), sif,
                               rng="192.0.2.100,192.0.2.150,255.255.255.0,2m")
    cap = capture.start(cli, cif, "udp port 67 or udp port 68")
    t0 = time.monotonic()
    d = daemons.start("dhcp4c", cfg4(cif, hostname="hgwtest", vendor_class="hgw test",
                                     broadcast_flag=True), ns=cli)
    doc = wait_state(d.state_dir, STATE.format(cif), is_bound, timeout=10, daemon=d)
    print(f"dhcp4c dnsmasq veth: start to bound {(time.monotonic()-t0)*1000:.0f} ms")
    ip = doc["address"].split("/")[0]
    assert doc["address"].endswith("/24") and ip.startswith("192.0.2.1")
    # RFC 3442: with option 121 the Router option is ignored; dnsmasq's
    # classless routes hold only 10.9.0.0/16 here, so no default router.
    assert {"prefix": "10.9.0.0/16", "via": "192.0.2.1"} in doc["routes"]
    assert doc["dns"] == ["192.0.2.53"]
    assert doc["domain"] == "example.net"
    assert doc["server"] == "192.0.2.1"
    assert abs(doc["expires"] - doc["obtained"] - 120) <= 1
    assert abs(doc["renew_at"] - doc["obtained"] - 60) <= 1
    schema_ok(d.state_dir, STATE.format(cif))
    # dnsmasq knows the lease with our hostname
    leases = open(os.path.join(str(tmp_path / "dm"), "dnsmasq.leases")).read()
    assert ip in leases and "hgwtest" in leases
    # Release on SIGTERM: dnsmasq drops the lease from its file
    assert d.stop() == 0
    doc = read_state(d.state_dir, STATE.format(cif))
    assert doc["state"] == "released" and doc["address"] is None
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if ip not in open(os.path.join(str(tmp_path / "dm"), "dnsmasq.leases")).read():
            break
        time.sleep(0.1)
    else:
        raise AssertionError("dnsmasq still holds the lease after Release")
    pcap = cap.stop()
    dm.stop()
    tshark_check(pcap)
    types = [r[0] for r in tshark_fields(pcap, ["dhcp.option.dhcp"])]
    assert types[:4] == ["1", "2", "3", "5"], types
    assert "7" in types
    rows = tshark_fields(pcap, ["dhcp.option.hostname", "dhcp.option.vendor_class_id",
                                "dhcp.flags.bc"], "dhcp.option.dhcp == 1")
    assert rows[0] == ["hgwtest", "hgw test", "1"]
    # with the broadcast flag the server broadcast its replies, and they
    # were taken just as well as the unicast ones in the TUN test
    assert tshark_fields(pcap, ["ip.dst"], "dhcp.option.dhcp == 2")[0] == ["255.255.255.255"]


def test_dnsmasq_tun_bind_restart_release(tun4, daemons, capture, tmp_path):
    """MAC-less link: dnsmasq unicasts OFFER/ACK to the offered address
    (as Telekom's server does), which only a packet socket sees; restart
    without Release does INIT-REBOOT for the same address."""
    srv, cli, sif, cif = tun4
    need_binary("dhcp4c")
    dm = dhcplab.start_dnsmasq(srv, str(tmp_path / "dm"), sif)
    cap = capture.start(cli, cif, "udp port 67 or udp port 68")
    t0 = time.monotonic()
    d = daemons.start("dhcp4c", cfg4(cif, release_on_stop=False), ns=cli)
    doc = wait_state(d.state_dir, STATE.format(cif), is_bound, timeout=10, daemon=d)
    print(f"dhcp4c dnsmasq tun: start to bound {(time.monotonic()-t0)*1000:.0f} ms")
    ip = doc["address"].split("/")[0]
    schema_ok(d.state_dir, STATE.format(cif))
    assert d.stop() == 0
    assert read_state(d.state_dir, STATE.format(cif))["state"] == "unbound"
    d2 = daemons.start("dhcp4c", cfg4(cif, release_on_stop=False), ns=cli, state_dir=d.state_dir,
                       data_dir=d.data_dir)
    doc2 = wait_state(d2.state_dir, STATE.format(cif),
                      lambda x: is_bound(x) and x["obtained"] is not None and x["obtained"] >= doc["obtained"]
                      and "INIT-REBOOT" in d2.log(), timeout=10, daemon=d2)
    assert doc2["address"].split("/")[0] == ip
    assert d2.stop() == 0
    # The pool changes: the remembered address gets a NAK at INIT-REBOOT,
    # the client discovers a new one.
    dm.stop()
    dm = dhcplab.start_dnsmasq(srv, str(tmp_path / "dm"), sif,
                               rng="192.0.2.200,192.0.2.210,255.255.255.0,2m",
                               extra=("--dhcp-authoritative",))
    d3 = daemons.start("dhcp4c", cfg4(cif), ns=cli, state_dir=d.state_dir, data_dir=d.data_dir)
    doc3 = wait_state(d3.state_dir, STATE.format(cif),
                      lambda x: is_bound(x) and x["address"].startswith("192.0.2.2"),
                      timeout=10, daemon=d3)
    assert "NAK" in d3.log()
    ip = doc3["address"].split("/")[0]
    # Release on SIGTERM this time
    assert d3.stop() == 0
    deadline = time.monotonic() + 3
    while ip in open(os.path.join(str(tmp_path / "dm"), "dnsmasq.leases")).read():
        assert time.monotonic() < deadline, "dnsmasq still holds the lease after Release"
        time.sleep(0.1)
    pcap = cap.stop()
    dm.stop()
    tshark_check(pcap)
    types = [r[0] for r in tshark_fields(pcap, ["dhcp.option.dhcp"])]
    # DISCOVER OFFER REQUEST ACK | INIT-REBOOT REQUEST ACK |
    # INIT-REBOOT REQUEST NAK, DISCOVER OFFER REQUEST ACK | RELEASE
    assert types == ["1", "2", "3", "5", "3", "5", "3", "6", "1", "2", "3", "5", "7"], types
    rows = tshark_fields(pcap, ["dhcp.option.requested_ip_address", "dhcp.option.dhcp_server_id",
                                "dhcp.hw.mac_addr", "dhcp.hw.type"], "dhcp.option.dhcp == 3")
    assert rows[1][0] == doc["address"].split("/")[0] and rows[1][1] == "", rows  # INIT-REBOOT
    # chaddr: htype 1 with a fixed, locally administered MAC (Telekom style)
    # (tshark lists chaddr and option 61's address: both the same)
    macs, htypes = rows[0][2].split(","), rows[0][3].split(",")
    assert len(set(macs)) == 1 and int(macs[0].split(":")[0], 16) & 2, rows
    assert set(htypes) == {"0x01"} and rows[1][2] == rows[0][2], rows
    # replies were unicast to the offered address
    dst = tshark_fields(pcap, ["ip.dst"], "dhcp.option.dhcp == 2")
    assert dst[0][0] == doc["address"].split("/")[0]


def test_kea_veth_renew_nak_rebind_expire(veth4, daemons, capture, tmp_path):
    """Kea with short timers: Renew at T1 (unicast, once the address is on
    the interface as netlinkd would put it), restart after the server's
    pool changed -> silence -> rebind -> new lease, server gone -> Rebind at T2 ->
    lease expiry -> back to Discover."""
    srv, cli, sif, cif = veth4
    need_binary("dhcp4c")
    kw = str(tmp_path / "kea")
    kea = dhcplab.start_kea(srv, kw, dhcplab.kea4_config(kw, sif, renew=2, rebind=4, valid=6), v=4)
    cap = capture.start(cli, cif, "udp port 67 or udp port 68")
    d = daemons.start("dhcp4c", cfg4(cif, release_on_stop=False), ns=cli)
    doc = wait_state(d.state_dir, STATE.format(cif), is_bound, timeout=10, daemon=d)
    ip = doc["address"].split("/")[0]
    sh("ip", "-n", cli, "addr", "add", doc["address"], "dev", cif)
    assert doc["renew_at"] - doc["obtained"] == 2 and doc["rebind_at"] - doc["obtained"] == 4
    doc2 = wait_state(d.state_dir, STATE.format(cif),
                      lambda x: is_bound(x) and x["obtained"] > doc["obtained"], timeout=6, daemon=d)
    assert doc2["address"] == doc["address"]
    assert d.stop() == 0
    kea.stop()
    # The server's pool changed.  Kea stays silent to an INIT-REBOOT for an
    # address outside its pools (RFC 2131 4.3.2 allows that); the client
    # then keeps the lease and rebinds until it ends, then discovers.
    cfg = dhcplab.kea4_config(kw, sif, renew=2, rebind=4, valid=6,
                              pool="192.0.2.200-192.0.2.210")
    kea = dhcplab.start_kea(srv, kw, cfg, v=4)
    d2 = daemons.start("dhcp4c", cfg4(cif, release_on_stop=False), ns=cli,
                       state_dir=d.state_dir, data_dir=d.data_dir)
    doc3 = wait_state(d2.state_dir, STATE.format(cif),
                      lambda x: is_bound(x) and x["address"].startswith("192.0.2.2"),
                      timeout=10, daemon=d2)
    assert "rebinding -> selecting" in d2.log() or "requesting -> rebinding" in d2.log()
    # Server gone: Renew unanswered, Rebind at T2, expiry at 6 s -> Discover.
    kea.stop()
    wait_state(d2.state_dir, STATE.format(cif), lambda x: x["state"] == "rebinding",
               timeout=6, daemon=d2)
    last = wait_state(d2.state_dir, STATE.format(cif), lambda x: x["state"] == "selecting",
                      timeout=6, daemon=d2)
    assert last["address"] is None
    pcap = cap.stop()
    tshark_check(pcap)
    rows = tshark_fields(pcap, ["ip.src", "ip.dst", "dhcp.ip.client", "dhcp.option.dhcp"],
                         "dhcp.option.dhcp == 3 && dhcp.ip.client != 0.0.0.0")
    # The Renew at T1 went unicast from our address to the server
    assert [ip, "192.0.2.1", ip, "3"] in rows, rows


def test_hostile_packets_daemon(veth4, daemons, tmp_path):
    """Garbage to port 68 (broadcast UDP and raw Ethernet frames with broken
    IP/UDP headers) at a bound client: it stays up and keeps its lease."""
    srv, cli, sif, cif = veth4
    need_binary("dhcp4c")
    dm = dhcplab.start_dnsmasq(srv, str(tmp_path / "dm"), sif)
    d = daemons.start("dhcp4c", cfg4(cif), ns=cli)
    name = STATE.format(cif)
    doc = wait_state(d.state_dir, name, is_bound, timeout=10, daemon=d)
    dm.stop()
    script = rf"""
import os, socket, struct
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"{sif}")
u.bind(("0.0.0.0", 67))
bootp = bytearray(240); bootp[0] = 2; bootp[236:240] = b"\x63\x82\x53\x63"
pkts = [b"", b"\x02", bytes(bootp), bytes(bootp) + b"\x35\x01\x05\x33\xff",
        bytes(bootp) + b"\x35\x01\x05\xff", os.urandom(548), b"\x02" * 1400]
for _ in range(20):
    pkts.append(bytes(bootp) + os.urandom(60))
for p in pkts:
    u.sendto(p, ("255.255.255.255", 68))
r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
r.bind(("{sif}", 0))
eth = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x09" + b"\x08\x00"
ip = bytearray(b"\x45\x00\x01\x00\x00\x00\x00\x00\x40\x11\x00\x00" + bytes([192, 0, 2, 1]) + b"\xff" * 4)
for frame in [eth + bytes(ip), eth + bytes(ip) + b"\x00\x43\x00\x44\x00\x05\x00\x00",
              eth + b"\x4f" + os.urandom(40), eth + b"\x45\x00\xff\xff" + os.urandom(30)]:
    r.send(frame)
"""
    sh("python3", "-c", script, ns=srv)
    time.sleep(0.5)
    assert d.proc.poll() is None, d.log()
    assert read_state(d.state_dir, name) == doc


def test_arp_conflict_decline(veth4, daemons, capture, tmp_path):
    """The first address Kea offers is already used by another host on the
    link: the ARP probe finds it, the client DECLINEs it (tshark checks the
    message), waits, and gets the next address."""
    srv, cli, sif, cif = veth4
    need_binary("dhcp4c")
    sh("ip", "-n", srv, "addr", "add", "192.0.2.100/24", "dev", sif)  # the squatter
    kw = str(tmp_path / "kea")
    kea = dhcplab.start_kea(srv, kw, dhcplab.kea4_config(kw, sif, pool="192.0.2.100-192.0.2.101"),
                            v=4)
    cap = capture.start(cli, cif, "udp port 67 or udp port 68 or arp")
    d = daemons.start("dhcp4c", cfg4(cif, arp_probe_ms=500), ns=cli)
    doc = wait_state(d.state_dir, STATE.format(cif), is_bound, timeout=20, daemon=d)
    assert doc["address"] == "192.0.2.101/24", doc
    assert "declining" in d.log()
    pcap = cap.stop()
    kea.stop()
    tshark_check(pcap)
    dec = tshark_fields(pcap, ["dhcp.option.requested_ip_address", "dhcp.option.dhcp_server_id",
                               "dhcp.ip.client"], "dhcp.option.dhcp == 4")
    assert dec == [["192.0.2.100", "192.0.2.1", "0.0.0.0"]], dec
    probes = tshark_fields(pcap, ["arp.src.proto_ipv4", "arp.dst.proto_ipv4"],
                           "arp.opcode == 1 && arp.src.proto_ipv4 == 0.0.0.0")
    assert ["0.0.0.0", "192.0.2.100"] in probes and ["0.0.0.0", "192.0.2.101"] in probes
    # Kea put the address on probation: state 1 (declined) in its lease file
    rows = [l.split(",") for l in open(os.path.join(kw, "kea-leases4.csv")).read().splitlines()]
    assert any(r[0] == "192.0.2.100" and r[9] == "1" for r in rows[1:]), rows
