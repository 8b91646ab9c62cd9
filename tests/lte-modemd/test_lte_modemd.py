"""lte-modemd against the modem simulator (lab/modemsim) on a pseudo-terminal.

Each test starts a simulated modem (Huawei NDIS or plain 3GPP), lte-modemd
with short timers, waits for lte.json, then injects faults through the
simulator's control socket and checks that lte.json ends correct.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from hgwtest import ROOT, need_binary, read_state, wait_state

SIM = os.path.join(ROOT, "lab", "modemsim", "modemsim.py")
IPV6 = "2001:db8:100:7::1a2b"
DNS6 = ["2001:db8:53::1", "2001:db8:53::2"]
STATES = {"absent", "init", "searching", "registered", "attaching", "connected", "failed"}


class Modem:
    def __init__(self, tmp, profile="huawei", extra=()):
        self.dir = tmp
        self.link = os.path.join(tmp, f"tty{profile}")
        self.ctl = os.path.join(tmp, "modemsim.ctl")
        self.status_file = os.path.join(tmp, "modemsim.json")
        self.log_path = os.path.join(tmp, "modemsim.log")
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", SIM, "--link", self.link, "--profile", profile,
             "--control", self.ctl, "--status", self.status_file, *extra],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 5
        while not (os.path.exists(self.ctl) and os.path.islink(self.link)):
            assert self.proc.poll() is None, f"modemsim died:\n{open(self.log_path).read()}"
            assert time.monotonic() < deadline, "modemsim did not start"
            time.sleep(0.02)

    def cmd(self, line):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(self.ctl)
        s.sendall(line.encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        s.close()
        reply = json.loads(buf)
        assert "error" not in reply, reply
        return reply

    def status(self):
        return self.cmd("status")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def modems(tmp_path):
    made = []

    def make(profile="huawei", extra=()):
        d = tmp_path / f"sim{len(made)}"
        d.mkdir()
        m = Modem(str(d), profile, extra)
        made.append(m)
        return m
    yield make
    for m in made:
        m.stop()


def config(modem, **kw):
    # timeouts generous enough for a loaded 2-core CI machine
    c = {"device": modem.link, "command_timeout_ms": 1500, "attach_timeout_ms": 3000,
         "poll_interval_ms": 500, "search_timeout_ms": 20000, "retry_min_ms": 100,
         "retry_max_ms": 1000, "reopen_min_ms": 100, "reopen_max_ms": 500,
         "at_log_lines": 12}
    c.update(kw)
    return {"lte-modemd": c}


def start(daemons, modem, **kw):
    need_binary("lte-modemd")
    return daemons.start("lte-modemd", config(modem, **kw), args=["-v"])


def lte(d, pred, timeout=10):
    doc = wait_state(d.state_dir, "lte.json", pred, timeout=timeout, daemon=d)
    check_doc(doc)
    return doc


def check_doc(doc):
    """The invariants a reader relies on (the daemon also checks every
    document against hgw_schema_lte before writing and logs BUG if not)."""
    assert doc["writer"] == "lte-modemd" and doc["version"] == 1
    assert doc["state"] in STATES
    if doc["state"] != "connected":
        assert doc["ipv6"] is None and doc["ipv4"] is None and doc["dns"] == []
        assert doc["interface"] is None


def connected(doc):
    return doc["state"] == "connected"


def no_bug(d):
    log = d.log()
    assert "BUG" not in log, log
    assert "AddressSanitizer" not in log and "runtime error" not in log, log


def write_secret(tmp_path, name, text, mode=0o600):
    p = tmp_path / name
    p.write_text(text + "\n")
    os.chmod(p, mode)
    return str(p)


def test_huawei_cold_start_bearer_drop_and_registration_loss(daemons, modems):
    # echo on at start, responses split into 1..5-byte writes, URCs in the
    # middle of responses: the hard case for the line engine
    m = modems("huawei", ["--split", "--urcs"])
    d = start(daemons, m)
    doc = lte(d, connected)
    assert doc["ipv6"] == f"{IPV6}/64"
    assert doc["dns"] == DNS6
    assert doc["gateway6"] == "fe80::1"
    assert doc["mtu"] == 1428
    assert doc["interface"] == "wwan0"
    assert doc["profile"] == "huawei-ndis"
    assert doc["manufacturer"] == "huawei" and doc["model"] == "E3372"
    assert doc["imei"] == "866000012345678"
    assert doc["sim"] == "ready" and doc["registration"] == "home"
    assert doc["operator"] == "Telekom.de" and doc["access_technology"] == "LTE"
    assert doc["signal"]["rsrp_dbm"] == -82 and doc["signal"]["rssi_dbm"] == -57
    assert doc["tac"] == 0x1A2B and doc["cell_id"] == 0x01A2B3C4
    assert doc["connected_since"] > 1700000000
    assert len(doc["at_log"]) == 12 and all(line[:2] in ("> ", "< ", "! ") for line in doc["at_log"])
    st = m.status()
    assert st["bearer"] is True and 'AT^NDISDUP=1,1,"hybrid.telekom"' in st["log"]
    # what the simulator tells the lab matches what lte-modemd publishes
    with open(m.status_file) as f:
        assert json.load(f)["ipv6"] == doc["ipv6"]

    # the network drops the bearer (^NDISSTAT: 0): re-attach
    m.cmd("drop")
    doc = lte(d, lambda x: x["bearer_losses"] == 1 and connected(x))
    assert doc["attaches"] >= 2 and doc["ipv6"] == f"{IPV6}/64"

    # registration lost: searching, no address; back: connected again
    m.cmd("deregister")
    doc = lte(d, lambda x: x["state"] == "searching")
    assert doc["registration"] == "searching"
    m.cmd("register")
    doc = lte(d, lambda x: connected(x) and x["bearer_losses"] == 2)
    assert doc["attaches"] >= 3
    no_bug(d)


def test_3gpp_cold_start_and_network_deactivation(daemons, modems):
    # colon-form addresses, unknown URCs (+QIND) in the middle of responses
    m = modems("3gpp", ["--urcs"])
    d = start(daemons, m)
    # signal comes with the first poll after the attach (+CSQ)
    doc = lte(d, lambda x: connected(x) and x["signal"]["rssi_dbm"] is not None)
    assert doc["profile"] == "3gpp"
    assert doc["ipv6"] == f"{IPV6}/64" and doc["dns"] == DNS6 and doc["mtu"] == 1428
    assert doc["manufacturer"] == "Quectel" and doc["signal"]["rssi_dbm"] == -57
    log = "\n".join(m.status()["log"])
    assert "AT+CGACT=1,1" in log and "NDISDUP" not in log
    m.cmd("slow 100")  # every answer 100 ms late from here on
    m.cmd("drop")  # +CGEV: NW PDN DEACT 1
    doc = lte(d, lambda x: x["bearer_losses"] == 1 and connected(x))
    assert doc["ipv6"] == f"{IPV6}/64"
    no_bug(d)


def test_ipv4v6_dual_stack(daemons, modems, tmp_path):
    hook = tmp_path / "up.txt"
    m = modems("huawei", ["--apn", "internet.telekom",
                          "--on-up", f'echo "$LTE_IPV6 $LTE_IPV4 $LTE_MTU" > {hook}'])
    d = start(daemons, m, apn="internet.telekom", pdp_type="IPV4V6")
    doc = lte(d, connected)
    assert doc["ipv6"] == f"{IPV6}/64" and doc["ipv4"] == "10.100.7.9/24"
    assert doc["gateway4"] == "10.100.7.1" and doc["dns4"] == ["192.0.2.53", "192.0.2.54"]
    # the simulator told the lab the same addresses
    assert hook.read_text().split() == [doc["ipv6"], doc["ipv4"], str(doc["mtu"])]
    no_bug(d)


def test_device_unplugged_and_back(daemons, modems):
    m = modems("huawei")
    d = start(daemons, m)
    lte(d, connected)
    m.cmd("unplug")
    doc = lte(d, lambda x: x["state"] == "absent")
    assert doc["ipv6"] is None and doc["last_error"]
    time.sleep(0.5)  # a few re-open attempts against a missing device
    assert d.proc.poll() is None
    m.cmd("plug")
    doc = lte(d, connected)
    assert doc["reopens"] >= 2 and doc["ipv6"] == f"{IPV6}/64"
    no_bug(d)


def test_sim_pin_unlocks(daemons, modems, tmp_path):
    m = modems("huawei", ["--pin", "2468"])
    pin = write_secret(tmp_path, "pin", "2468")
    d = start(daemons, m, pin_file=pin)
    doc = lte(d, connected)
    assert doc["sim"] == "ready"
    assert m.status()["counters"]["pin_attempts"] == 1
    # the PIN never appears in lte.json or the log
    assert "2468" not in json.dumps(doc) and "2468" not in d.log()
    no_bug(d)


def test_wrong_pin_refused_once_and_never_retried(daemons, modems, tmp_path):
    m = modems("huawei", ["--pin", "2468"])
    pin = write_secret(tmp_path, "pin", "1111")
    d = start(daemons, m, pin_file=pin)
    doc = lte(d, lambda x: x["state"] == "failed")
    assert "PIN" in doc["last_error"] and "not trying" in doc["last_error"]
    # several poll intervals, and a re-plugged modem asking again: no retry
    time.sleep(1.0)
    m.cmd("unplug")
    lte(d, lambda x: x["state"] == "absent")
    m.cmd("plug")
    doc = lte(d, lambda x: x["state"] == "failed" and x["reopens"] >= 2)
    time.sleep(0.5)
    st = m.status()
    assert st["counters"]["pin_attempts"] == 1  # one PIN, before the re-plug, none after
    assert st["pin_left"] == 2 and st["sim"] == "pin"
    assert "1111" not in d.log()
    no_bug(d)


def test_sighup_same_wrong_pin_stays_failed_fixed_pin_connects(daemons, modems, tmp_path):
    m = modems("3gpp", ["--pin", "2468"])
    pin = write_secret(tmp_path, "pin", "1111")
    d = start(daemons, m, pin_file=pin)
    lte(d, lambda x: x["state"] == "failed")
    # reload with the PIN unchanged: the refused PIN is not sent again
    d.signal(signal.SIGHUP)
    lte(d, lambda x: x["state"] == "failed" and x["reopens"] >= 2)
    time.sleep(0.5)
    assert m.status()["counters"]["pin_attempts"] == 1
    # the user fixes the file and reloads: one new attempt, accepted
    with open(pin, "w") as f:
        f.write("2468\n")
    d.signal(signal.SIGHUP)
    doc = lte(d, connected)
    st = m.status()
    assert st["counters"]["pin_attempts"] == 2 and st["pin_left"] == 3
    assert doc["sim"] == "ready" and doc["last_error"] is None
    no_bug(d)


def test_locked_sim_without_pin_file(daemons, modems):
    m = modems("3gpp", ["--pin", "2468"])
    d = start(daemons, m)
    doc = lte(d, lambda x: x["state"] == "failed")
    assert "no pin_file" in doc["last_error"] and doc["sim"] == "pin"
    assert m.status()["counters"]["pin_attempts"] == 0


def test_modem_stops_answering(daemons, modems):
    m = modems("huawei")
    d = start(daemons, m, command_timeout_ms=300, timeouts_before_reopen=2)
    lte(d, connected)
    m.cmd("stall on")
    doc = lte(d, lambda x: x["state"] != "connected" and "not answering" in (x["last_error"] or ""))
    assert doc["ipv6"] is None
    m.cmd("stall off")
    doc = lte(d, connected)
    assert doc["reopens"] >= 2
    no_bug(d)


def test_repeated_attach_failures_reset_the_radio(daemons, modems):
    m = modems("3gpp")
    m.cmd("fail AT+CGACT=1 3")
    d = start(daemons, m, reset_after=2)
    doc = lte(d, connected, timeout=15)
    assert doc["resets"] >= 1
    st = m.status()
    assert st["counters"]["cfun"] >= 2  # AT+CFUN=0, AT+CFUN=1
    assert "AT+CFUN=0" in st["log"]
    no_bug(d)


def test_wrong_apn_keeps_trying_with_reason(daemons, modems):
    m = modems("huawei")
    d = start(daemons, m, apn="wrong.apn", reset_after=0)
    doc = lte(d, lambda x: x["attaches"] >= 2 and x["last_error"] and "33" in x["last_error"])
    assert doc["state"] != "connected" and doc["ipv6"] is None
    no_bug(d)


def sanitized():
    exe = os.path.join(os.environ.get("HGW_BUILD", os.path.join(ROOT, "build")), "bin",
                       "lte-modemd")
    return "libasan" in subprocess.run(["ldd", exe], capture_output=True, text=True).stdout


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_hostile_input_bounded_no_crash(daemons, modems):
    m = modems("huawei")
    d = start(daemons, m)
    lte(d, connected)
    before = rss_kb(d.proc.pid)
    m.cmd("garbage 20000")
    m.cmd("oversize 200000")
    m.cmd("flood 3000")
    m.cmd("garbage 500")
    # an answer that never ends: the command times out, the poll goes on
    m.cmd("noterm AT^NDISSTATQRY 1")
    time.sleep(2.5)
    assert d.proc.poll() is None
    assert "! timeout" in d.log()
    assert read_state(d.state_dir, "lte.json")["state"] == "connected"
    # still working: a bearer drop is still noticed and repaired
    m.cmd("drop")
    doc = lte(d, lambda x: connected(x) and x["bearer_losses"] >= 1)
    assert doc["ipv6"] == f"{IPV6}/64"
    if not sanitized():  # ASan's quarantine holds freed memory on purpose
        assert rss_kb(d.proc.pid) - before < 1024, "memory grew with hostile input"
    assert "line longer than 511 bytes discarded" in d.log()
    no_bug(d)


def test_example_config_is_valid(tmp_path):
    exe = need_binary("lte-modemd")
    p = subprocess.run([exe, "-c", os.path.join(ROOT, "configs", "lte-modemd-example.json"),
                        "--check-config"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    assert '"apn": "hybrid.telekom"' in p.stdout


def test_sigterm_withdraws_state(daemons, modems):
    m = modems("huawei")
    d = start(daemons, m)
    lte(d, connected)
    assert d.stop() == 0
    assert read_state(d.state_dir, "lte.json") is None


@pytest.mark.parametrize("section,why", [
    ({"apn": "bad\"apn"}, "lte-modemd.apn"),
    ({"baud": 12345}, "lte-modemd.baud"),
    ({"profile": "nokia"}, "lte-modemd.profile"),
    ({"auth": "pap"}, "lte-modemd.username"),
    ({"cid": 99}, "lte-modemd.cid"),
    ({"retry_min_ms": 5000, "retry_max_ms": 100}, "lte-modemd.retry_max_ms"),
    ({"unknown_key": 1}, "lte-modemd.unknown_key"),
])
def test_bad_config_exits_78(tmp_path, section, why):
    need_binary("lte-modemd")
    cfg = tmp_path / "hgw.json"
    cfg.write_text(json.dumps({"lte-modemd": section}))
    p = subprocess.run([os.path.join(os.environ.get("HGW_BUILD", os.path.join(ROOT, "build")),
                                     "bin", "lte-modemd"), "-c", str(cfg),
                        "--state-dir", str(tmp_path / "s"), "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 78, p.stderr
    assert why in p.stderr


@pytest.mark.parametrize("text,mode,why", [
    ("12a4", 0o600, "4 to 8 digits"),
    ("123", 0o600, "4 to 8 digits"),
    ("1234", 0o644, "lte-modemd.pin_file"),
])
def test_bad_pin_file_exits_78(tmp_path, text, mode, why):
    need_binary("lte-modemd")
    pin = write_secret(tmp_path, "pin", text, mode)
    cfg = tmp_path / "hgw.json"
    cfg.write_text(json.dumps({"lte-modemd": {"pin_file": pin, "device": "/nonexistent"}}))
    p = subprocess.run([os.path.join(os.environ.get("HGW_BUILD", os.path.join(ROOT, "build")),
                                     "bin", "lte-modemd"), "-c", str(cfg),
                        "--state-dir", str(tmp_path / "s"), "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 78, p.stderr
    assert why in p.stderr


def test_at_dialogue_to_netdumpd_socket(daemons, modems, tmp_path):
    """Every AT line goes to netdumpd's AT socket as one datagram ("> " sent,
    "< " received), with the PIN already replaced; no listener costs nothing."""
    m = modems("huawei", ["--pin", "2468"])
    pin = write_secret(tmp_path, "pin", "2468")
    state = tmp_path / "state"
    state.mkdir()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(state / "netdumpd-at.sock"))
    sock.settimeout(0.2)
    lines, done = [], threading.Event()

    def read():  # promptly, as netdumpd does: a Unix datagram queue holds ten
        while not done.is_set():
            try:
                lines.append(sock.recv(1024).decode())
            except socket.timeout:
                pass
    reader = threading.Thread(target=read)
    reader.start()
    need_binary("lte-modemd")
    d = daemons.start("lte-modemd", config(m, pin_file=pin), args=["-v"], state_dir=str(state))
    try:
        lte(d, connected)
        time.sleep(0.5)
    finally:
        done.set()
        reader.join()
        sock.close()
    assert lines and all(l[:2] in ("> ", "< ", "! ") for l in lines), lines
    sent = [l[2:] for l in lines if l.startswith("> ")]
    assert any(l.startswith("AT^NDISDUP") or l.startswith("AT+CGACT") for l in sent), sent
    assert "< OK" in lines
    assert not any("2468" in l for l in lines), lines
    assert "> (command with a secret, not logged)" in lines
    # netdumpd gone (socket removed): lte-modemd carries on.
    os.unlink(state / "netdumpd-at.sock")
    m.cmd("drop")
    lte(d, lambda doc: doc["state"] != "connected")
    lte(d, connected, timeout=15)
    no_bug(d)
