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


def haap_session(lab):
    s = lab.status()["sessions"]
    return s[0] if s else None


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_link_cut_moves_traffic_and_notifies(lab, daemons):
    d, doc, _ = bring_up(lab, daemons)
    assert ping(lab.r, "198.51.100.2", count=2).returncode == 0
    # a steady stream while the DSL link is cut
    p = subprocess.Popen(["ip", "netns", "exec", lab.r, "ping", "-n", "-i", "0.01", "-c", "300",
                          "-W", "1", "198.51.100.2"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.8)
    t_cut = time.monotonic()
    lab.net.ip(lab.r, "link", "set", "dsl0", "down")
    doc = lab.wait(lambda x: x["tunnels"]["dsl"]["state"] == "down", timeout=3, daemon=d)
    detect = time.monotonic() - t_cut
    assert doc["state"] == "lte"
    # the HAAP hears about it over the surviving tunnel at once
    s = wait_for(lambda: (lambda s: s if "dsl" in s["link_failures"] else None)(haap_session(lab)),
                 3, "DSL link-failure Notify at the HAAP")
    assert ["lte", [18]] in s["notifies"]
    out, _ = p.communicate(timeout=20)
    stats = [l for l in out.splitlines() if "packets transmitted" in l][0]
    sent, recv = int(stats.split()[0]), int(stats.split()[3])
    lost = sent - recv
    print(f"link cut: detected after {detect * 1000:.0f} ms, {lost} of {sent} pings lost "
          f"(10 ms apart)")
    # at most the packets in flight on the cut link plus the detection time
    assert lost <= 10, stats
    # the link comes back: DSL rejoins the bond
    lab.net.ip(lab.r, "link", "set", "dsl0", "up")
    lab.net.wait_linklocal(lab.r, "dsl0")
    # the kernel flushed the IPv6 address with the link; pppoed/netlinkd
    # would restore it
    lab.net.ip(lab.r, "addr", "add", f"{D}/64", "dev", "dsl0", "nodad")
    lab.net.ip(lab.r, "-6", "route", "replace", "default", "via", "2001:db8:2::1", "dev", "dsl0",
               "metric", "200")
    before = lab.wait(bonded, timeout=10, daemon=d)["tunnels"]["dsl"]["tx_packets"]
    assert ping(lab.r, "198.51.100.2", count=3).returncode == 0
    # upstream is back on DSL
    lab.wait(lambda x: x["tunnels"]["dsl"]["tx_packets"] >= before + 3, timeout=3, daemon=d)
    # and LTE lost: reported over DSL
    lab.write_state("lte.json", {"state": "searching", "interface": "lte0", "ipv6": None})
    doc = lab.wait(lambda x: x["state"] == "dsl", timeout=3, daemon=d)
    wait_for(lambda: "lte" in haap_session(lab)["link_failures"], 3, "LTE link failure at HAAP")
    assert ping(lab.r, "198.51.100.2", count=3).returncode == 0


def test_deny_backoff_then_accept(lab, daemons):
    lab.start_haap()
    lab.hook(cmd="deny", tunnel="lte", code=9, count=3)
    lab.links_up()
    t0 = time.monotonic()
    d = lab.start_hybridd(daemons)
    doc = lab.wait(lambda x: x["state"] == "failed", timeout=5, daemon=d)
    err = doc["tunnels"]["lte"]["last_error"]
    assert err == {"code": 9, "text": "CIN not permitted"}
    doc = lab.wait(bonded, timeout=20, daemon=d)
    took = time.monotonic() - t0
    # backoff 1 s, 2 s, 4 s (each +-20 %): not once a second, not forever
    assert 5.0 <= took <= 12, took
    assert doc["tunnels"]["lte"]["denies"] == 3
    assert doc["tunnels"]["lte"]["last_error"] is None
    assert "Setup Denied: error 9 (CIN not permitted)" in d.log()


@pytest.mark.parametrize("code,text", [(1, "HAAP not reachable over LTE"),
                                       (8, "a bonding session with the same user ID already exists"),
                                       (405, "CIN not permitted"), (4242, "unknown error code")])
def test_deny_codes_published(lab, daemons, code, text):
    lab.start_haap()
    lab.hook(cmd="deny", tunnel="lte", code=code, count=1)
    lab.links_up()
    d = lab.start_hybridd(daemons)
    doc = lab.wait(lambda x: x["state"] == "failed", timeout=5, daemon=d)
    assert doc["tunnels"]["lte"]["last_error"] == {"code": code, "text": text}
    assert f"Setup Denied: error {code} ({text})" in d.log()
    lab.wait(bonded, timeout=5, daemon=d)


def test_dsl_deny_tears_down_and_recovers(lab, daemons):
    lab.start_haap()
    lab.hook(cmd="deny", tunnel="dsl", code=5, count=1)
    lab.links_up()
    d = lab.start_hybridd(daemons)
    doc = lab.wait(lambda x: x["tunnels"]["dsl"]["last_error"] is not None, timeout=5, daemon=d)
    assert doc["tunnels"]["dsl"]["last_error"]["code"] == 5
    # the HAAP's Tear Down on LTE ends the session; a new one follows
    doc = lab.wait(bonded, timeout=15, daemon=d)
    assert "Tear Down on LTE: error 5" in d.log()
    assert doc["session_id"] == haap_session(lab)["sid"]


def test_teardown_and_reestablish(lab, daemons):
    d, doc, _ = bring_up(lab, daemons)
    old = doc["session_id"]
    lab.hook(cmd="teardown", code=10)
    doc = lab.wait(lambda x: x["state"] != "bonded", timeout=3, daemon=d)
    assert doc["tunnels"]["lte"]["last_error"]["code"] == 10
    assert doc["tunnels"]["lte"]["last_error"]["text"] == "terminated for maintenance"
    doc = lab.wait(lambda x: bonded(x) and x["session_id"] != old, timeout=10, daemon=d)
    assert ping(lab.r, "198.51.100.2", count=3).returncode == 0


def test_hello_loss_fails_tunnel_then_reestablishes(lab, daemons):
    d, doc, _ = bring_up(lab, daemons)
    sid = doc["session_id"]
    lab.hook(cmd="drop_hellos", tunnel="lte", on=True)
    t0 = time.monotonic()
    doc = lab.wait(lambda x: x["tunnels"]["lte"]["state"] != "up", timeout=8, daemon=d)
    took = time.monotonic() - t0
    assert 2.0 <= took <= 6, took  # 3 retries of 1 s
    assert doc["tunnels"]["dsl"]["state"] == "up"
    wait_for(lambda: "lte" in haap_session(lab)["link_failures"], 3, "LTE failure over DSL")
    # DSL carries the traffic meanwhile
    assert ping(lab.r, "198.51.100.2", count=3).returncode == 0
    lab.hook(cmd="drop_hellos", tunnel="lte", on=False)
    # re-establishment with the session id: the same session
    doc = lab.wait(bonded, timeout=10, daemon=d)
    assert doc["session_id"] == sid


def test_tunnel_verification_and_idle_switch(lab, daemons):
    d, doc, _ = bring_up(lab, daemons)
    lab.hook(cmd="verify")
    s = wait_for(lambda: (lambda s: s if ["lte", [35]] in s["notifies"] else None)(haap_session(lab)),
                 3, "tunnel verification echo")
    # right after the Accept we asked for idle Hellos (34), as the Speedport
    assert ["lte", [34]] in s["notifies"]
    # traffic makes us ask for active Hellos (33)
    assert ping(lab.r, "198.51.100.2", count=2).returncode == 0
    wait_for(lambda: ["lte", [33]] in haap_session(lab)["notifies"], 3, "switch to active")
    doc = lab.wait(lambda x: x["hello_mode"] == "active", timeout=3, daemon=d)


def test_restart_keeps_session(lab, daemons, tmp_path):
    data = str(tmp_path / "data")
    lab.start_haap()
    lab.links_up()
    d = lab.start_hybridd(daemons, data_dir=data)
    doc = lab.wait(bonded, timeout=10, daemon=d)
    sid = doc["session_id"]
    assert d.stop() == 0
    d2 = lab.start_hybridd(daemons, data_dir=data)
    doc = lab.wait(bonded, timeout=10, daemon=d2)
    assert doc["session_id"] == sid
    assert "re-establishing session" in d2.log()
    assert len(lab.status()["sessions"]) == 1


def send_gre(ns, src, dst, payload):
    code = ("import socket,sys\n"
            "s=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_GRE)\n"
            f"s.bind(('{src}',0))\n"
            f"s.sendto(bytes.fromhex('{payload.hex()}'),('{dst}',0))\n")
    sh("/usr/bin/python3", "-c", code, ns=ns)


def test_hostile_packets_dropped_and_counted(lab, daemons):
    d, doc, _ = bring_up(lab, daemons)
    key = doc["bonding_key"]
    k = struct.pack("!I", key)
    hostile = [
        bytes.fromhex("2000010100"),                                   # truncated
        b"\x20\x00\x01\x01" + k + b"\x50\x11\x00\x04\x00",             # attr past end
        b"\x20\x00\x01\x01" + k + b"\x50\x11\x00\x02\x00\x01\xff\x00\x00",  # bad length
        b"\x20\x00\x01\x01" + struct.pack("!I", key ^ 1) + b"\x50\x11\x00\x04\x00\x00\x00\x0a\xff\x00\x00",
        b"\x20\x00\x01\x01" + k + b"\x58\x11\x00\x04\x00\x00\x00\x0a\xff\x00\x00",  # DSL type on LTE
        b"\x30\x00\x08\x00" + struct.pack("!I", key ^ 7) + b"\0\0\0\1" + b"E" * 40,  # data, wrong key
        b"\x30\x00\x08\x00" + k + b"\0\0",                             # data, truncated seq
    ]
    for p in hostile:
        send_gre(lab.h, H, E, p)
    # a Tear Down from a stranger
    sh("ip", "-n", lab.h, "addr", "add", "2001:db8:ff::66/128", "dev", "lo")
    send_gre(lab.h, "2001:db8:ff::66", E,
             b"\x20\x00\x01\x01" + k + b"\x50\x11\x00\x04\x00\x00\x00\x0a\xff\x00\x00")
    # data with our key from a stranger (data with a wrong key never even
    # reaches us: the socket's BPF filter drops it in the kernel)
    send_gre(lab.h, "2001:db8:ff::66", E, b"\x30\x00\x08\x00" + k + b"\0\0\0\1" + b"E" * 40)
    doc = lab.wait(lambda x: x["drops"]["malformed"] >= 2 and x["drops"]["wrong_source"] >= 1,
                   timeout=3, daemon=d)
    assert doc["drops"]["wrong_key"] >= 1 and doc["drops"]["wrong_tunnel_type"] >= 1
    assert doc["dataplane"]["wrong_key_drops"] >= 1 and doc["dataplane"]["short_drops"] >= 2
    assert doc["state"] == "bonded" and d.proc.poll() is None
    assert ping(lab.r, "198.51.100.2", count=2).returncode == 0


def test_bras_name_only_known_tshark_bug(lab, daemons, capture):
    """With a BRAS name (Telekom attribute 54) tshark 4.0 flags our DSL
    Request malformed, exactly as it does the real Speedport's (known
    dissector bug, shared/docs/rfc8157.md): allow that, and nothing else."""
    d, doc, caps = bring_up(lab, daemons, capture, bras_name="MUNJ15", dsl_line_type=3)
    time.sleep(0.5)
    paths = [c.stop() for c in caps]
    tshark_check(paths[0])  # LTE side: strict
    bad = tshark_fields(paths[1], ["frame.number", "grebonding.type", "grebonding.attr.type"],
                        "_ws.malformed || _ws.expert.severity >= 0x00800000")
    assert bad, "tshark no longer flags attribute 54: drop this exception"
    for row in bad:
        assert row[1] == "1" and "54" in row[2].split(","), row
    # tshark cannot show attribute 54's value, so read it back with --decode
    msgs = [json.loads(x) for x in
            sh(os.path.join(BIN, "hybridd"), "--decode", paths[1]).stdout.splitlines()]
    req = [m for m in msgs if m["message_type"] == 1][0]
    vals = {a["type"]: a["value"] for a in req["attributes"]}
    assert vals[54] == "MUNJ15" and vals[53] == 3 and vals[7] == 50000


def test_lte_only_and_kernel_mode_publish(lab, daemons):
    lab.start_haap()
    lab.links_up()
    d = lab.start_hybridd(daemons, mode="lte-only", dataplane="kernel", interface="gre-hyb")
    doc = lab.wait(lambda x: x["state"] == "lte", timeout=5, daemon=d)
    time.sleep(0.5)
    doc = lab.wait(lambda x: x["kernel_tunnels"], timeout=3, daemon=d)
    kt = doc["kernel_tunnels"][0]
    assert kt["name"] == "gre-hyb" and kt["local"] == E and kt["remote"] == H
    assert kt["ikey"] == kt["okey"] == doc["bonding_key"]
    assert doc["mode"] == "kernel" and doc["tunnels"]["dsl"]["state"] == "down"
    assert doc["tunnels"]["dsl"]["requests"] == 0
    schema_ok(lab.state_dir)


@pytest.mark.parametrize("cfg", [{"mode": "both"}, {"mtu": 100}, {"haap": ""},
                                 {"reorder_slots": "many"}, {"nonsense": 1}])
def test_bad_config_exits_78(tmp_path, cfg):
    need_binary("hybridd")
    p = tmp_path / "hgw.json"
    p.write_text(json.dumps({"hybridd": cfg}))
    r = sh(os.path.join(BIN, "hybridd"), "-c", str(p), "--state-dir", str(tmp_path / "s"),
           "--data-dir", str(tmp_path / "d"), check=False, timeout=5)
    assert r.returncode == 78, r.stderr
    assert "hybridd." in r.stderr


def test_bypass_rate_measured_and_reported(lab, daemons):
    """Traffic on raw DSL outside the bond shows up in attribute 6."""
    d, doc, _ = bring_up(lab, daemons)
    # 2 Mbit/s of plain (non-tunnel) traffic to the router's DSL address
    p = subprocess.Popen(["ip", "netns", "exec", lab.h, "ping", "-n", "-q", "-i", "0.005", "-s",
                          "1200", "-c", "600", D], stdout=subprocess.DEVNULL)
    try:
        doc = lab.wait(lambda x: x["bypass_kbps"] > 500, timeout=5, daemon=d)
    finally:
        p.wait(10)
    assert doc["bypass_kbps"] < 10000

    def reported():
        for t, types in haap_session(lab)["notifies"]:
            if t == "dsl" and types == [6]:
                return True
        return False
    wait_for(reported, 5, "bypass rate Notify on DSL")


def test_upstream_overflow_and_redundant(lab, daemons):
    # DSL committed rate 1 Mbit/s: a 4 Mbit/s upstream overflows to LTE
    d, doc, _ = bring_up(lab, daemons, dsl_up_kbps=1000)
    sh("ping", "-n", "-q", "-i", "0.003", "-s", "1200", "-c", "300", "198.51.100.2", ns=lab.r,
       check=False, timeout=20)
    # Both counters are published with the state; wait for the document that
    # has caught up with the whole burst rather than the first one past red.
    doc = lab.wait(lambda x: x["dataplane"]["red"] > 50 and x["dataplane"]["green"] > 50,
                   timeout=5, daemon=d)
    assert doc["tunnels"]["lte"]["tx_packets"] > 50 and doc["tunnels"]["dsl"]["tx_packets"] > 50
    # the HAAP put it back together in order (its own reorder buffer)
    assert lab.status()["reorder"]["lost"] == 0


def test_redundant_mode_duplicates_dropped_at_haap(lab, daemons):
    d, doc, _ = bring_up(lab, daemons, scheduler="redundant")
    assert ping(lab.r, "198.51.100.2", count=20, interval="0.02").returncode == 0
    doc = lab.wait(lambda x: x["tunnels"]["lte"]["tx_packets"] >= 20, timeout=3, daemon=d)
    assert doc["tunnels"]["dsl"]["tx_packets"] >= 20
    st = lab.status()
    assert st["reorder"]["dup"] >= 20  # every packet twice, the copy dropped
    assert doc["scheduler"] == "redundant"


def test_restart_without_session_verification_then_accept(lab, daemons, tmp_path):
    """hybridd restarted without its saved session id while the HAAP still
    holds the old one: the HAAP asks (tunnel verification, RFC 8157 5.6.15)
    whether the old LTE tunnel lives; the new hybridd, still setting up,
    stays silent, so the HAAP gives up on the old session and accepts."""
    lab.start_haap()
    lab.links_up()
    d = lab.start_hybridd(daemons, data_dir=str(tmp_path / "d1"))
    old = lab.wait(bonded, timeout=10, daemon=d)["session_id"]
    d.proc.kill()  # no goodbye, as after a power cut
    d.proc.wait()
    d2 = lab.start_hybridd(daemons, data_dir=str(tmp_path / "d2"))
    doc = lab.wait(lambda x: bonded(x) and x["session_id"] != old, timeout=15, daemon=d2)
    # the verification Notifies (old key, no session yet) were not answered
    assert doc["drops"]["wrong_source"] + doc["drops"]["wrong_key"] >= 1
    assert "tunnel verification unanswered: new session accepted" in lab.haap_logtext()
    assert len(lab.status()["sessions"]) == 1


def test_backup_scheduler_uses_lte_only_when_dsl_is_down(lab, daemons):
    d, doc, _ = bring_up(lab, daemons, scheduler="backup")
    assert ping(lab.r, "198.51.100.2", count=10, interval="0.02").returncode == 0
    doc = lab.wait(lambda x: x["tunnels"]["dsl"]["tx_packets"] >= 10, timeout=3, daemon=d)
    assert doc["tunnels"]["lte"]["tx_packets"] == 0
    lab.write_state("pppoe.json", {"state": "down", "interface": None, "mode": "kernel"})
    lab.wait(lambda x: x["state"] == "lte", timeout=3, daemon=d)
    assert ping(lab.r, "198.51.100.2", count=10, interval="0.02").returncode == 0
    doc = lab.wait(lambda x: x["tunnels"]["lte"]["tx_packets"] >= 10, timeout=3, daemon=d)


def test_haap_name_resolved_with_the_lte_dns(lab, daemons, tmp_path):
    """The HAAP name is asked of lte.json's DNS server over the LTE link
    (dnsmasq in the HAAP namespace stands in for Telekom's resolver)."""
    wd = tmp_path / "dns"
    wd.mkdir()
    dns = subprocess.Popen(["ip", "netns", "exec", lab.h, "dnsmasq", "--no-daemon",
                            "--conf-file=/dev/null", "--port=53", "--no-resolv", "--no-hosts",
                            "--listen-address=2001:db8:1::1", "--bind-interfaces",
                            "--host-record=haap.lab.test,2001:db8:ff::1", "--user=root",
                            f"--pid-file={wd}/pid", "--log-queries", "--log-facility=-"],
                           stdout=open(wd / "log", "w"), stderr=subprocess.STDOUT)
    try:
        time.sleep(0.3)
        lab.start_haap()
        lab.links_up(dns=["2001:db8:1::1"])
        d = lab.start_hybridd(daemons, haap="haap.lab.test")
        doc = lab.wait(bonded, timeout=10, daemon=d)
        assert doc["anycast"] == G
        assert "HAAP haap.lab.test is 2001:db8:ff::1" in d.log()
        assert "query[AAAA] haap.lab.test from 2001:db8:1::2" in (wd / "log").read_text()
    finally:
        dns.terminate()
        dns.wait(5)


def test_haap_name_unresolvable_keeps_trying(lab, daemons, capture):
    lab.start_haap()
    cap = capture.start(lab.h, "hl", "udp port 53")
    lab.links_up(dns=["2001:db8:1::1"])  # nobody answers there
    d = lab.start_hybridd(daemons, haap="haap.lab.test")
    time.sleep(4.5)
    doc = lab.wait(lambda x: x["state"] == "down", timeout=2, daemon=d)
    assert doc["anycast"] is None and doc["tunnels"]["lte"]["requests"] == 0
    assert d.proc.poll() is None
    rows = tshark_fields(cap.stop(), ["ipv6.src", "dns.qry.name", "dns.qry.type"])
    # every 2 s, from the LTE address, never a flood
    assert 2 <= len(rows) <= 4, rows
    assert all(r == [E, "haap.lab.test", "28"] for r in rows), rows
