"""hgwctl against real state files: status, show, wait, watch."""
import json
import os
import subprocess
import threading
import time

from hgwtest import BIN, need_binary


def publish(d, name, doc):
    """Atomic publish as the daemons do it (temp file + rename)."""
    tmp = os.path.join(d, f".{name}.tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.rename(tmp, os.path.join(d, name))


def hgwctl(state, *args, **kw):
    need_binary("hgwctl")
    return subprocess.run([os.path.join(BIN, "hgwctl"), "--state-dir", state, *args],
                          capture_output=True, text=True, **kw)


LTE = {"version": 1, "writer": "lte-modemd", "state": "connected", "interface": "wwan0",
       "ipv6": "2001:db8::1/64"}


def test_status_and_show(tmp_path):
    state = str(tmp_path)
    r = hgwctl(state, "status")
    assert r.returncode == 0 and "no state files" in r.stdout
    publish(state, "lte.json", LTE)
    r = hgwctl(state, "status")
    assert r.returncode == 0
    assert "lte.json" in r.stdout and "connected" in r.stdout and "lte-modemd" in r.stdout
    r = hgwctl(state, "show", "lte.json")
    assert r.returncode == 0 and json.loads(r.stdout)["ipv6"] == "2001:db8::1/64"
    r = hgwctl(state, "show", "pppoe.json")
    assert r.returncode == 1 and "absent" in r.stderr


def test_wait_until_condition(tmp_path):
    state = str(tmp_path)
    publish(state, "lte.json", dict(LTE, state="attaching"))

    def later():
        time.sleep(0.3)
        publish(state, "lte.json", LTE)
    t = threading.Thread(target=later)
    t.start()
    start = time.monotonic()
    r = hgwctl(state, "wait", "lte.json", "state", "connected", "5")
    t.join()
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 3


def test_wait_times_out_with_reason(tmp_path):
    state = str(tmp_path)
    publish(state, "lte.json", dict(LTE, state="attaching"))
    r = hgwctl(state, "wait", "lte.json", "state", "connected", "0.3")
    assert r.returncode == 1
    assert "timed out" in r.stderr and '"attaching"' in r.stderr


def test_wait_nested_path_and_number(tmp_path):
    state = str(tmp_path)
    publish(state, "x.json", {"version": 1, "writer": "t", "a": [{"b": 5}]})
    assert hgwctl(state, "wait", "x.json", "a.0.b", "5", "2").returncode == 0


def test_watch_prints_each_change_and_withdrawal(tmp_path):
    state = str(tmp_path)
    need_binary("hgwctl")
    p = subprocess.Popen([os.path.join(BIN, "hgwctl"), "--state-dir", state, "watch"],
                         stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)
        publish(state, "lte.json", LTE)
        line = p.stdout.readline()
        assert "lte.json" in line and '"connected"' in line
        # An invalid file is not printed (last good kept); a withdrawal is.
        with open(os.path.join(state, "lte.json"), "w") as f:
            f.write("{broken")
        time.sleep(0.3)
        os.unlink(os.path.join(state, "lte.json"))
        line = p.stdout.readline()
        assert "lte.json" in line and "withdrawn" in line
    finally:
        p.terminate()
        p.wait(5)


def test_usage_errors(tmp_path):
    r = hgwctl(str(tmp_path), "frobnicate")
    assert r.returncode == 64 and "Usage" in r.stderr


def test_config_values(tmp_path):
    """hgwctl config: what the image's scripts read from hgw.json."""
    cfg = tmp_path / "hgw.json"
    cfg.write_text(json.dumps({"netlinkd": {"lan": [{"name": "lan0", "addresses":
                                                      ["192.168.1.1/24", "fe80::1/64"]}]},
                               "pppoed": {"mru": 1492}}))
    r = hgwctl(str(tmp_path), "config", "--file", str(cfg), "netlinkd.lan.0.addresses")
    assert r.returncode == 0 and r.stdout == "192.168.1.1/24\nfe80::1/64\n"
    r = hgwctl(str(tmp_path), "config", "--file", str(cfg), "netlinkd.lan.0.name")
    assert (r.returncode, r.stdout) == (0, "lan0\n")
    r = hgwctl(str(tmp_path), "config", "--file", str(cfg), "pppoed")
    assert r.returncode == 0 and json.loads(r.stdout) == {"mru": 1492}
    r = hgwctl(str(tmp_path), "config", "--file", str(cfg), "hybridd")
    assert r.returncode == 1 and "no hybridd" in r.stderr and r.stdout == ""
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1, "a": 2}')  # duplicate keys are refused, as the daemons do
    r = hgwctl(str(tmp_path), "config", "--file", str(bad), "a")
    assert r.returncode == 2 and "duplicate" in r.stderr
    r = hgwctl(str(tmp_path), "config", "--file", str(tmp_path / "absent.json"), "a")
    assert r.returncode == 2


# pppoe.json as pppoed wrote it in the image test (a session to the lab AC).
PPPOE_UP = {"ac_mac": "42:f8:ef:0f:1c:b8", "ac_name": "hgw-lab-ac", "attempts": 1,
            "auth": "chap-md5", "connected_since": 1795308604, "ethernet": "dsl0", "failures": 0,
            "interface": "ppp0", "ipv4": {"address": "198.51.100.2",
                                           "dns": ["192.0.2.53", "192.0.2.54"],
                                           "peer": "198.51.100.1"},
            "ipv6": None, "last_failure": None, "max_payload": None, "mode": "kernel",
            "mru": 1492, "mtu": 1492, "next_attempt": None, "service": "", "session_id": 1,
            "state": "up", "version": 1, "writer": "pppoed"}


def wait_file(path, pred, timeout=5):
    deadline = time.monotonic() + timeout
    text = None
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read()
            if pred(text):
                return text
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"{path}: not as expected after {timeout}s: {text!r}")


def test_resolv_follows_the_wan(tmp_path):
    """hgwctl resolv keeps a resolv.conf of the WAN's DNS servers for dnsmasq:
    written when a session comes up, emptied when it drops, and a document
    that fails its schema changes nothing."""
    state = str(tmp_path)
    out = os.path.join(state, "resolv.conf")
    need_binary("hgwctl")
    p = subprocess.Popen([os.path.join(BIN, "hgwctl"), "--state-dir", state, "resolv", out],
                         stderr=subprocess.PIPE, text=True)
    try:
        wait_file(out, lambda t: "no WAN link is up" in t)
        publish(state, "pppoe.json", PPPOE_UP)
        text = wait_file(out, lambda t: "nameserver" in t)
        assert [l for l in text.splitlines() if not l.startswith("#")] == \
            ["nameserver 192.0.2.53", "nameserver 192.0.2.54"]
        bad = dict(PPPOE_UP, ipv4=dict(PPPOE_UP["ipv4"], dns=["not-an-address"]))
        publish(state, "pppoe.json", bad)
        publish(state, "lte.json", LTE)  # a change to wake it; LTE has no DNS here
        time.sleep(0.3)
        with open(out) as f:
            assert "nameserver 192.0.2.53" in f.read()  # last good pppoe.json kept
        publish(state, "pppoe.json", dict(PPPOE_UP, state="down", ipv4=None))
        wait_file(out, lambda t: "nameserver" not in t)
    finally:
        p.terminate()
        err = p.communicate(timeout=5)[1]
    assert "192.0.2.53 192.0.2.54" in err  # one journal line per change
