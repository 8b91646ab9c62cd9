"""hybridd against the lab HAAP (lab/haap/haap.py, independent code) in
network namespaces: bring-up, bonded data, link loss, Deny, Tear Down,
Hello loss, tunnel verification, restart, hostile packets; tshark judges
every control message we send."""
import json
import os
import socket
import struct
import subprocess
import time

import pytest

import hyblab
from hgwtest import BIN, need_binary, sh, tshark_check, tshark_fields
from hyblab import D, E, G, H, bonded


@pytest.fixture
def lab(net, tmp_path):
    need_binary("hybridd")
    lab = hyblab.Lab(net, tmp_path)
    yield lab
    lab.close()


def schema_ok(state_dir):
    p = sh(os.path.join(BIN, "hgwctl"), "--state-dir", state_dir, "show", "hybrid.json",
           check=False)
    assert p.returncode == 0, f"hybrid.json fails its schema: {p.stderr}"
    return json.loads(p.stdout) if p.stdout.strip().startswith("{") else None


def ping(ns, dst, count=3, interval="0.2", timeout=10):
    return sh("ping", "-n", "-q", "-c", str(count), "-i", interval, "-W", "1", dst, ns=ns,
              check=False, timeout=timeout)


def bring_up(lab, daemons, capture=None, **cfg):
    lab.start_haap()
    caps = []
    if capture:
        caps = [capture.start(lab.r, "lte0", "ip6 proto 47"),
                capture.start(lab.r, "dsl0", "ip6 proto 47")]
    lab.links_up()
    d = lab.start_hybridd(daemons, **cfg)
    doc = lab.wait(bonded, timeout=10, daemon=d)
    lab.address_tun()
    return d, doc, caps


def test_bonding_bringup_ping_and_tshark(lab, daemons, capture):
    t0 = time.monotonic()
    d, doc, caps = bring_up(lab, daemons, capture)
    print(f"hybridd: start to bonded {1000 * (time.monotonic() - t0):.0f} ms")
    st = lab.status()
    assert len(st["sessions"]) == 1
    s = st["sessions"][0]
    assert doc["session_id"] == s["sid"]
    assert doc["bonding_key"] == s["key"]
    assert doc["haap"] == H and doc["anycast"] == G
    assert doc["interface"] == "hybrid0"
    assert doc["tunnels"]["lte"]["local"] == E and doc["tunnels"]["dsl"]["local"] == D
    assert doc["tunnels"]["lte"]["state"] == "up" and doc["tunnels"]["dsl"]["state"] == "up"
    assert doc["timers"]["active_hello_s"] == 1 and doc["timers"]["hello_retry"] == 3
    assert doc["timers"]["dsl_up_kbps"] == 8000 and doc["timers"]["max_reorder_ms"] == 50
    # the filter list arrives, is ACKed with code 0 and published for netlinkd
    doc = lab.wait(lambda x: x["filter_list"] is not None, timeout=5, daemon=d)
    kinds = [i["kind"] for i in doc["filter_list"]["items"]]
    assert kinds == ["dscp", "dscp", "fqdn", "dst-ip-port", "dst-ip-range"]
    assert doc["filter_list"]["items"][2]["value"] == "stun.t-online.de"
    deadline = time.monotonic() + 5
    while not lab.status()["sessions"][0]["filter_acked"]:
        assert time.monotonic() < deadline, "filter list never ACKed"
        time.sleep(0.1)
    # a host behind the HAAP, through the bond, IPv4 and IPv6
    assert ping(lab.r, "198.51.100.2", count=10, interval="0.05").returncode == 0
    assert ping(lab.r, "2001:db8:99::2", count=10, interval="0.05").returncode == 0
    time.sleep(1.5)  # a couple of Hellos with RTTs
    doc = lab.wait(lambda x: x["tunnels"]["lte"]["rtt_ms"] is not None and
                   x["tunnels"]["dsl"]["rtt_ms"] is not None, timeout=5)
    schema_ok(lab.state_dir)
    # upstream fills DSL first (rate 8 Mbit/s is far above a ping)
    assert doc["tunnels"]["dsl"]["tx_packets"] >= 20
    # downstream: the HAAP alternates, so both tunnels delivered, in order
    assert doc["tunnels"]["lte"]["rx_packets"] >= 5 and doc["tunnels"]["dsl"]["rx_packets"] >= 5
    assert doc["dataplane"]["tun_tx_packets"] >= 20
    assert st["counters"]["bad"] == 0
    paths = [c.stop() for c in caps]
    # tshark judges every control message (no known-bug exceptions needed:
    # no BRAS name configured, Telekom tunnel types)
    for p in paths:
        tshark_check(p)
    rows = tshark_fields(paths[0], ["ipv6.src", "ipv6.dst", "gre.key", "grebonding.type",
                                    "grebonding.tunneltype", "grebonding.attr.type"],
                         "grebonding")
    ours = [r for r in rows if r[0] == E]
    assert ours[0][1] == G and ours[0][2] == "0x00000000"
    assert ours[0][3] == "1" and ours[0][4] == "0" and ours[0][5] == "3,255"
    types = {r[3] for r in ours}
    assert {"1", "4", "6"} <= types
    assert all(r[1] == H for r in ours[1:])
    assert all(r[4] == "0" for r in ours)
    key = f"0x{s['key']:08x}"
    assert all(r[2] == key for r in ours[1:])
    hello = [r for r in ours if r[3] == "4"][0]
    assert hello[5] == "5,13,255"
    acks = [r for r in ours if r[3] == "6" and r[5].startswith("30")]
    assert acks, "no filter-list ACK on the wire"
    rows = tshark_fields(paths[1], ["ipv6.src", "ipv6.dst", "gre.key", "grebonding.type",
                                    "grebonding.tunneltype", "grebonding.attr.type",
                                    "grebonding.attr.val.uint64"], "grebonding")
    req = [r for r in rows if r[0] == D and r[3] == "1"][0]
    assert req[1] == H and req[2] == key and req[4] == "8" and req[5] == "4,7,255"
    assert req[6].split(",")[:2] == [str(s["sid"]), "50000"]
    # data on the wire: K+S, one sequence space across both links
    seqs = []
    for p in paths:
        seqs += [int(x[0]) for x in tshark_fields(p, ["gre.sequence_number"], f"ipv6.src == {E} or ipv6.src == {D}") if x[0]]
    assert len(seqs) >= 20 and len(set(seqs)) == len(seqs)


def test_decode_matches_capture(tmp_path):
    need_binary("hybridd")
    cap = os.path.join(hyblab.ROOT, "hybridd", "test", "data", "rmnet0.pcap")
    out = sh(os.path.join(BIN, "hybridd"), "--decode", cap).stdout.splitlines()
    msgs = [json.loads(x) for x in out]
    ref = tshark_fields(cap, ["grebonding.type"], "grebonding")
    assert len(msgs) == len(ref)
    acc = msgs[1]
    assert acc["message_type"] == 2 and acc["tunnel_type"] == 0 and acc["key"] == 0x55992a36
    assert acc["src"] == "2003:6:5000::1"
    vals = {a["type"]: a["value"] for a in acc["attributes"]}
    assert vals[2] == "2003:6:5200:100::6" and vals[4] == 34840 and vals[20] == 0x55992a36
    assert vals[14] == 10 and vals[31] == 1000 and vals[65] == 0
    fl = [m for m in msgs if any(a["type"] == 8 for a in m["attributes"])][0]
    items = [a for a in fl["attributes"] if a["type"] == 8][0]["value"]
    assert items["commit"] == 1539823369 and len(items["items"]) == 14
    # Linux cooked capture of the DSL side
    cap2 = os.path.join(hyblab.ROOT, "hybridd", "test", "data", "ppp256.pcap")
    msgs2 = [json.loads(x) for x in sh(os.path.join(BIN, "hybridd"), "--decode", cap2).stdout.splitlines()]
    req = msgs2[0]
    assert req["tunnel_type"] == 8
    vals = {a["type"]: a["value"] for a in req["attributes"]}
    assert vals[54] == "MUNJ15" and vals[7] == 73533 and vals[53] == 3
    bad = sh(os.path.join(BIN, "hybridd"), "--decode", "/nonexistent.pcap", check=False)
    assert bad.returncode == 1
