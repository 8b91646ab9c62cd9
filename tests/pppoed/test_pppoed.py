"""pppoed against the lab access concentrator (lab/pppoe-ac/ac.py, written
independently of pppoed's code), in two namespaces over veth, with the
userspace (TUN) data plane: this kernel has no PPP."""
import ipaddress
import os
import signal
import subprocess
import time

import pytest

from hgwtest import (need_binary, read_state, sh, tshark_check, tshark_fields, wait_state)
import pppoelab
from pppoelab import wait_up

HERE = os.path.dirname(os.path.abspath(__file__))
STATE = "pppoe.json"


def schema_ok(state_dir):
    p = sh(os.path.join(os.environ.get("HGW_BUILD", "build"), "bin", "hgwctl"),
           "--state-dir", state_dir, "show", STATE, check=False)
    assert p.returncode == 0, f"{STATE} fails its schema: {p.stderr}"


@pytest.fixture
def lab(net, daemons, tmp_path):
    need_binary("pppoed")
    lab = pppoelab.Lab(net, daemons, tmp_path)
    yield lab
    lab.cleanup()


def configure_tun(lab, doc):
    """What netlinkd does in real life: address both ends of the TUN."""
    v4 = doc["ipv4"]
    sh("ip", "-n", lab.ns_c, "addr", "add", v4["address"], "peer", v4["peer"], "dev", doc["interface"])
    sh("ip", "-n", lab.ns_c, "link", "set", doc["interface"], "up")
    sh("ip", "-n", lab.ns_a, "addr", "add", v4["peer"], "peer", v4["address"], "dev", "acppp")
    sh("ip", "-n", lab.ns_a, "link", "set", "acppp", "up")
    if doc.get("ipv6"):
        sh("ip", "-n", lab.ns_c, "-6", "addr", "add", doc["ipv6"]["local"] + "/64", "dev", doc["interface"])
        sh("ip", "-n", lab.ns_a, "-6", "addr", "add", doc["ipv6"]["peer"] + "/64", "dev", "acppp")


def pppoe_judged(pcap):
    """tshark dissects every frame we exchanged without complaint."""
    tshark_check(pcap)


def test_chap_session_up_addresses_dns_and_ping(lab, capture):
    cap = capture.start(lab.ns_a, "ac0")
    ac = lab.ac("--user", "alice", "--password", "s3cret", "--ipv6")
    d = lab.client(pppoelab.secret_file(lab.tmp, "s3cret"))
    t0 = time.monotonic()
    doc = wait_up(d, pred=lambda doc: doc.get("ipv4") and doc.get("ipv6"))
    setup_s = time.monotonic() - t0
    schema_ok(d.state_dir)
    assert doc["interface"] == "ppp0" and doc["mode"] == "userspace"
    assert doc["ethernet"] == "dsl0"
    assert doc["ipv4"] == {"address": "198.51.100.2", "peer": "198.51.100.1",
                           "dns": ["192.0.2.53", "192.0.2.54"]}
    assert doc["ipv6"]["local"].startswith("fe80::") and doc["ipv6"]["peer"].startswith("fe80::")
    assert doc["ipv6"]["local"] != doc["ipv6"]["peer"]
    assert doc["auth"] == "chap-md5" and doc["ac_name"] == "hgw-lab-ac"
    assert doc["session_id"] == 1 and doc["mtu"] == 1492 and doc["mru"] == 1492
    assert doc["connected_since"] and doc["last_failure"] is None
    ac_mac = ac.events("ready")[0]["mac"]
    assert doc["ac_mac"] == ac_mac
    # The IPv6 identifier the AC acked is the one published.
    iid = ac.events("ipv6cp_open")[0]["client"]
    assert int(ipaddress.IPv6Address(doc["ipv6"]["local"])) & (2**64 - 1) == int(iid, 16)

    configure_tun(lab, doc)
    p = sh("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.51.100.1", ns=lab.ns_c, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    p = sh("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", doc["ipv6"]["peer"] + "%ppp0",
           ns=lab.ns_c, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    pcap = cap.stop()
    pppoe_judged(pcap)
    codes = [r[0] for r in tshark_fields(pcap, ["pppoe.code"], "pppoed")]
    assert codes[:4] == ["0x09", "0x07", "0x19", "0x65"], codes  # PADI PADO PADR PADS
    # PADI carried a Host-Uniq; the PADR echoed the AC-Cookie.
    assert tshark_fields(pcap, ["pppoed.tags.host_uniq"], "pppoe.code == 9")[0][0]
    assert tshark_fields(pcap, ["pppoed.tags.ac_cookie"], "pppoe.code == 25")[0][0]
    # CHAP Response from us, Success from the AC; ICMP echo both ways in PPP.
    assert tshark_fields(pcap, ["chap.code"], "chap.code == 2")
    assert len(tshark_fields(pcap, ["frame.number"], "ppp.protocol == 0x0021 && icmp.type == 0")) >= 3
    assert tshark_fields(pcap, ["frame.number"], "ppp.protocol == 0x0057 && icmpv6.type == 129")
    print(f"session set-up time: {setup_s * 1000:.0f} ms")


def test_pap_session(lab, capture):
    cap = capture.start(lab.ns_a, "ac0")
    lab.ac("--auth", "pap", "--user", "alice", "--password", "pw", "--dns", "192.0.2.99")
    d = lab.client(pppoelab.secret_file(lab.tmp, "pw"), ipv6=False)
    doc = wait_up(d)
    schema_ok(d.state_dir)
    assert doc["auth"] == "pap"
    # The AC had only one DNS server: it rejected the secondary.
    assert doc["ipv4"]["dns"] == ["192.0.2.99"]
    assert doc["ipv6"] is None
    configure_tun(lab, doc)
    p = sh("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.51.100.1", ns=lab.ns_c, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    pcap = cap.stop()
    pppoe_judged(pcap)
    rows = tshark_fields(pcap, ["pap.peer_id", "pap.password"], "pap.code == 1")
    assert rows and rows[0] == ["alice", "pw"]


@pytest.mark.parametrize("auth", ["chap", "pap"])
def test_wrong_password_fails_with_message_and_long_backoff(lab, auth):
    ac = lab.ac("--auth", auth, "--user", "alice", "--password", "right",
                "--fail-message", "Bad password, go away")
    d = lab.client(pppoelab.secret_file(lab.tmp, "wrong"))
    doc = wait_state(d.state_dir, STATE, lambda doc: doc["state"] == "failed", 10, daemon=d)
    schema_ok(d.state_dir)
    assert "authentication failed" in doc["last_failure"]
    assert "Bad password, go away" in doc["last_failure"]
    # auth_retry_initial_ms is 5 s (jitter 20 %): nothing for 2.5 s.
    assert doc["next_attempt"] >= int(time.time()) + 3
    n = len(ac.events("padi"))
    time.sleep(2.5)
    assert len(ac.events("padi")) == n, "retried too soon after an authentication failure"
    assert d.proc.poll() is None
    # The AC saw a clean end: we acknowledged its Terminate or sent PADT.
    assert ac.events("auth")[0]["ok"] is False


def test_ac_disappears_echo_timeout_then_new_ac_new_session(lab):
    ac = lab.ac()
    d = lab.client(pppoelab.secret_file(lab.tmp))
    doc = wait_up(d)
    assert doc["session_id"] == 1
    ac.kill()  # like a crash: no PADT, no Terminate
    doc = wait_state(d.state_dir, STATE, lambda doc: doc["state"] != "up", 5, daemon=d)
    doc = wait_state(d.state_dir, STATE, lambda doc: doc["last_failure"] and
                     "Echo" in doc["last_failure"], 5, daemon=d)
    assert doc["ipv4"] is None
    # A restarted AC hands out another session id: pppoed follows.
    lab.ac("--sid-base", "77")
    doc = wait_up(d, timeout=15)
    assert doc["session_id"] == 77
    assert "Echo" in doc["last_failure"]
    assert doc["failures"] >= 1 and doc["attempts"] >= 2


def test_padt_from_ac_then_reconnect(lab):
    ac = lab.ac()
    d = lab.client(pppoelab.secret_file(lab.tmp))
    wait_up(d)
    ac.signal(signal.SIGUSR1)
    doc = wait_state(d.state_dir, STATE, lambda doc: doc["last_failure"] and
                     "PADT" in doc["last_failure"], 5, daemon=d)
    assert "administrative PADT" in doc["last_failure"]
    doc = wait_up(d, timeout=10, pred=lambda doc: doc["session_id"] == 2)
    # pppoed did not answer the AC's PADT with one of its own.
    assert not [e for e in ac.events("padt_received") if e["sid"] == 1]


def test_sigterm_sends_terminate_request_then_padt(lab, capture):
    cap = capture.start(lab.ns_a, "ac0")
    ac = lab.ac()
    d = lab.client(pppoelab.secret_file(lab.tmp))
    wait_up(d)
    assert d.stop() == 0
    ac.wait_event("term_req", timeout=2)
    e = ac.wait_event("padt_received", timeout=2)
    assert e["known"] and e["sid"] == 1
    doc = read_state(d.state_dir, STATE)
    assert doc["state"] == "down" and doc["ipv4"] is None
    pcap = cap.stop()
    pppoe_judged(pcap)
    # Order on the wire: Terminate-Request, Terminate-Ack, then PADT.
    rows = tshark_fields(pcap, ["frame.number", "ppp.code", "pppoe.code"],
                         "(lcp && (ppp.code == 5 || ppp.code == 6)) || pppoe.code == 0xa7")
    kinds = [("term-req" if r[1] == "5" else "term-ack" if r[1] == "6" else "padt") for r in rows]
    assert kinds == ["term-req", "term-ack", "padt"], rows


def test_sighup_forces_reconnect(lab):
    ac = lab.ac()
    d = lab.client(pppoelab.secret_file(lab.tmp))
    wait_up(d)
    d.signal(signal.SIGHUP)
    ac.wait_event("term_req", timeout=3)
    doc = wait_up(d, timeout=10, pred=lambda doc: doc["session_id"] == 2)
    # why the previous session ended is kept while the new one runs
    assert "SIGHUP" in doc["last_failure"], doc
    assert doc["attempts"] == 2


def test_sighup_rereads_password_after_auth_failure(lab):
    lab.ac("--password", "new-pw")
    pw = pppoelab.secret_file(lab.tmp, "old-pw")
    d = lab.client(pw)
    wait_state(d.state_dir, STATE, lambda doc: doc["state"] == "failed", 10, daemon=d)
    with open(pw, "w") as f:
        f.write("new-pw\n")
    d.signal(signal.SIGHUP)
    # at once, not after the 5 s authentication backoff
    doc = wait_up(d, timeout=3)
    assert doc["auth"] == "chap-md5"


def test_interface_appears_late_and_is_recreated(net, daemons, tmp_path):
    need_binary("pppoed")
    c, a = net.ns("c"), net.ns("a")
    d = daemons.start("pppoed", pppoelab.client_config(pppoelab.secret_file(tmp_path), ipv6=False),
                      ns=c)
    wait_state(d.state_dir, STATE, lambda doc: doc["state"] == "discovery", 5, daemon=d)
    time.sleep(1.5)
    assert d.proc.poll() is None
    net.veth(c, "dsl0", a, "ac0")
    ac = pppoelab.AccessConcentrator(a, "ac0", os.path.join(str(tmp_path), "ac.log"), [])
    try:
        doc = wait_up(d, timeout=10)
        # the port is deleted and made again (a USB adapter re-plugged)
        sh("ip", "-n", c, "link", "del", "dsl0")
        wait_state(d.state_dir, STATE, lambda doc: doc["state"] != "up", 5, daemon=d)
        ac.kill()
        net.veth(c, "dsl0", a, "ac0")
        ac = pppoelab.AccessConcentrator(a, "ac0", os.path.join(str(tmp_path), "ac2.log"),
                                         ["--sid-base", "40"])
        doc = wait_up(d, timeout=15)
        assert doc["session_id"] == 40
    finally:
        ac.kill()


def test_remembered_addresses_are_requested_again(lab):
    ac = lab.ac("--ipv6")
    pw = pppoelab.secret_file(lab.tmp)
    d = lab.client(pw)
    doc = wait_up(d, pred=lambda doc: doc.get("ipv6"))
    d.stop()
    data_dir = d.data_dir
    assert os.path.exists(os.path.join(data_dir, "pppoed.last.json"))
    iid = ac.events("ipv6cp_open")[0]["client"]
    n_before = len(ac.events("ncp_request_rx"))
    d2 = lab.daemons.start("pppoed", pppoelab.client_config(pw), ns=lab.ns_c, data_dir=data_dir)
    wait_up(d2, pred=lambda doc: doc.get("ipv6"))
    reqs = ac.events("ncp_request_rx")[n_before:]
    first4 = next(r for r in reqs if r["proto"] == 0x8021)
    first6 = next(r for r in reqs if r["proto"] == 0x8057)
    assert [3, "c6336402"] in first4["options"], first4  # 198.51.100.2 asked for at once
    assert [1, iid] in first6["options"], first6


def test_two_acs_selection_by_name(net, daemons, tmp_path, capture):
    need_binary("pppoed")
    c, b = net.ns("c"), net.ns("b")
    a1, a2 = net.ns("a1"), net.ns("a2")
    net.veth(c, "dsl0", b, "p0")
    net.veth(a1, "ac0", b, "p1")
    net.veth(a2, "ac0", b, "p2")
    sh("ip", "-n", b, "link", "add", "br0", "type", "bridge")
    for p in ("p0", "p1", "p2"):
        sh("ip", "-n", b, "link", "set", p, "master", "br0")
    sh("ip", "-n", b, "link", "set", "br0", "up")
    first = pppoelab.AccessConcentrator(a1, "ac0", os.path.join(str(tmp_path), "ac1.log"),
                                        ["--ac-name", "first", "--sid-base", "10"])
    second = pppoelab.AccessConcentrator(a2, "ac0", os.path.join(str(tmp_path), "ac2.log"),
                                         ["--ac-name", "second", "--sid-base", "20"])
    try:
        cfg = pppoelab.client_config(pppoelab.secret_file(tmp_path), ac_name="second", ipv6=False)
        d = daemons.start("pppoed", cfg, ns=c)
        doc = wait_up(d)
        assert doc["ac_name"] == "second" and doc["session_id"] == 20
        assert first.events("padi") and not first.events("padr")
    finally:
        first.kill()
        second.kill()


def test_ac_refuses_session_error_tag_reported(lab):
    lab.ac("--refuse-padr")
    d = lab.client(pppoelab.secret_file(lab.tmp))
    doc = wait_state(d.state_dir, STATE, lambda doc: doc["last_failure"] and
                     "AC-System-Error" in doc["last_failure"], 5, daemon=d)
    assert "out of sessions" in doc["last_failure"]
    assert doc["state"] == "discovery"


def test_padi_backoff_grows(lab):
    ac = lab.ac("--silent")
    lab.client(pppoelab.secret_file(lab.tmp))
    time.sleep(3.2)
    t = [e["t"] for e in ac.events("padi")]
    # 300 ms doubling (+-10 %) capped at 2 s: 0, .3, .9, 2.1 -> 4 PADIs in 3.2 s
    assert 3 <= len(t) <= 5, t
    gaps = [b - a for a, b in zip(t, t[1:])]
    assert all(g2 > g1 * 1.4 for g1, g2 in zip(gaps, gaps[1:])), gaps


def test_rfc4638_mru_1500_over_baby_jumbo(lab):
    for ns, ifn in ((lab.ns_c, "dsl0"), (lab.ns_a, "ac0")):
        sh("ip", "-n", ns, "link", "set", ifn, "mtu", "1508")
    lab.ac("--max-payload", "1500")
    d = lab.client(pppoelab.secret_file(lab.tmp), mru=1500, ipv6=False)
    doc = wait_up(d)
    assert doc["max_payload"] == 1500 and doc["mru"] == 1500 and doc["mtu"] == 1500
    configure_tun(lab, doc)
    sh("ip", "-n", lab.ns_c, "link", "set", "ppp0", "mtu", "1500")
    sh("ip", "-n", lab.ns_a, "link", "set", "acppp", "mtu", "1500")
    p = sh("ping", "-c", "2", "-i", "0.2", "-W", "2", "-M", "do", "-s", "1472", "198.51.100.1",
           ns=lab.ns_c, check=False)
    assert p.returncode == 0, p.stdout + p.stderr


def test_hostile_frames_are_ignored_and_session_survives(lab):
    ac = lab.ac()
    d = lab.client(pppoelab.secret_file(lab.tmp))
    doc = wait_up(d)
    ours = lab.net.ipj(lab.ns_c, "link", "show", "dsl0")[0]["address"].replace(":", "")
    acmac = doc["ac_mac"].replace(":", "")
    sid = f"{doc['session_id']:04x}"
    eth_d = ours + acmac + "8863"
    eth_s = ours + acmac + "8864"
    frames = [
        eth_d + "1107",                                   # truncated PPPoE header
        eth_d + "11070000ffff",                           # length past the frame
        eth_d + "110700000008" + "01020100" + "0103",     # tag length past the end
        eth_d + "11a7" + "4242" + "0000",                 # PADT for another session id
        eth_s + "1100" + sid + "0003" + "c02101",         # truncated LCP
        eth_s + "1100" + sid + "0006" + "c0210101ffff",   # LCP length beyond the packet
        eth_s + "1100" + sid + "0006" + "c02163010004",   # unknown LCP code 0x63
        eth_s + "1100" + sid + "0004" + "c2230101",       # truncated CHAP
        eth_s + "1100" + "9999" + "0006" + "c0210501" + "0004",  # Terminate for another sid
        eth_s + "1100" + sid + "0004" + "12340000",       # unknown protocol 0x1234
        eth_s + "22" + "00" + sid + "0002" + "c021",      # wrong version
    ]
    sh("/usr/bin/python3", os.path.join(HERE, "inject.py"), "ac0", *frames, ns=lab.ns_a)
    time.sleep(1.0)
    assert d.proc.poll() is None
    doc2 = read_state(d.state_dir, STATE)
    assert doc2["state"] == "up" and doc2["session_id"] == doc["session_id"]
    # The unknown code got a Code-Reject, the unknown protocol a Protocol-Reject.
    codes = {e["code"] for e in ac.events("lcp_code")}
    assert 7 in codes and 8 in codes, ac.events("lcp_code")


@pytest.mark.parametrize("cfg,why", [
    ({"username": ""}, "pppoed.username"),
    ({"mode": "kernel"}, "kernel PPPoE is not available"),
    ({"mru": 9000}, "pppoed.mru"),
    ({"ipv4": False, "ipv6": False}, "nothing to connect"),
    ({"unknown_key": 1}, "unknown_key"),
])
def test_bad_config_exits_78(daemons, tmp_path, cfg, why):
    need_binary("pppoed")
    c = pppoelab.client_config(pppoelab.secret_file(tmp_path))
    c["pppoed"].update(cfg)
    d = daemons.start("pppoed", c)
    assert d.proc.wait(5) == 78
    assert why in d.log()


def test_world_readable_password_file_refused(daemons, tmp_path):
    need_binary("pppoed")
    c = pppoelab.client_config(pppoelab.secret_file(tmp_path, mode=0o644))
    d = daemons.start("pppoed", c)
    assert d.proc.wait(5) == 78
    assert "password_file" in d.log()
