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
