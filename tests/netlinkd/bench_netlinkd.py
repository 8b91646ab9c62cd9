#!/usr/bin/env python3
"""netlinkd benchmark (not a test): cold apply and one-input changes with 8
LAN interfaces and 32 port forwards, against the real kernel in a network
namespace.  Numbers come from netlinkd's own "reconciled (#N) in X ms: ...
N netlink messages" log line (time inside the reconcile: inputs, dump, diff,
apply), plus the wall time from writing a state file to netlinkd.json
showing the result (inotify and coalescing included).

Usage (root): tests/netlinkd/bench_netlinkd.py [--build build] [--rounds 5]
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

NOW = int(time.time())
LINE = re.compile(r"reconciled \(#(\d+)\) in ([0-9.]+) ms: (\d+) changes, (\d+) netlink messages, "
                  r"(\d+) failures")


def sh(*cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {p.stderr}")
    return p.stdout


def write_state(d, name, doc):
    tmp = os.path.join(d, "." + name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.rename(tmp, os.path.join(d, name))


def dhcp6(prefix):
    return {"version": 1, "writer": "dhcp6c", "interface": "tun0", "state": "bound",
            "prefixes": [{"prefix": prefix, "preferred_until": NOW + 3600,
                          "valid_until": NOW + 7200}],
            "addresses": [{"address": "2001:db8:300::5", "preferred_until": NOW + 3600,
                           "valid_until": NOW + 7200}]}


LTE = {"version": 1, "writer": "lte-modemd", "state": "connected", "interface": "wwan0",
       "ipv6": "2001:db8:100::2/64", "gateway6": "2001:db8:100::1"}
PPPOE = {"version": 1, "writer": "pppoed", "state": "up", "interface": "ppp0", "mtu": 1492,
         "ipv4": {"address": "198.51.100.2", "peer": "198.51.100.1"},
         "ipv6": {"local": "fe80::2", "peer": "fe80::1"}}
HYBRID = {"version": 1, "writer": "hybridd", "state": "bonded", "interface": "tun0",
          "tunnels": {"lte": {"state": "up"}, "dsl": {"state": "up"}}}
DHCP4 = {"version": 1, "writer": "dhcp4c", "interface": "tun0", "state": "bound",
         "address": "203.0.113.5/32"}


def last_line(log_path, after):
    with open(log_path) as f:
        for line in reversed(f.read().splitlines()):
            m = LINE.search(line)
            if m and int(m.group(1)) > after:
                return int(m.group(1)), float(m.group(2)), int(m.group(3)), int(m.group(4))
    return None


def wait_line(log_path, after, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = last_line(log_path, after)
        if r:
            return r
        time.sleep(0.002)
    raise RuntimeError("no reconcile")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    ns, peer = f"nlbench-{os.getpid()}", f"nlbenchp-{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="nlbench-")
    state = os.path.join(tmp, "state")
    os.makedirs(state)
    proc = None
    try:
        for n in (ns, peer):
            sh("ip", "netns", "add", n)
        for i in range(8):
            sh("ip", "link", "add", f"lan{i}", "netns", ns, "type", "veth", "peer", "name",
               f"p{i}", "netns", peer)
        sh("ip", "link", "add", "wwan0", "netns", ns, "type", "veth", "peer", "name", "pw",
           "netns", peer)
        for t in ("tun0", "ppp0"):
            sh("ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", t, "mode", "tun")
        cfg = {"netlinkd": {
            "lan": [{"name": f"lan{i}", "addresses": [f"192.168.{i}.1/24", "fe80::1/64",
                                                       f"fd00:{i}::1/64"]} for i in range(8)],
            "firewall": {"port_forwards": [{"proto": "tcp" if i % 2 else "udp",
                                            "port": 10000 + i, "to": f"192.168.{i % 8}.{10 + i}"}
                                           for i in range(32)]},
            "wan": {"lte": {"mptcp": "backup"}, "dsl": {"mptcp": "on"}},
        }}
        cfg_path = os.path.join(tmp, "hgw.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        write_state(state, "lte.json", LTE)
        write_state(state, "pppoe.json", PPPOE)
        write_state(state, "hybrid.json", HYBRID)
        write_state(state, "dhcp4.tun0.json", DHCP4)
        write_state(state, "dhcp6.tun0.json", dhcp6("2001:db8:200::/56"))
        log = os.path.join(tmp, "netlinkd.log")
        t0 = time.monotonic()
        proc = subprocess.Popen(["ip", "netns", "exec", ns,
                                 os.path.join(a.build, "bin", "netlinkd"), "-c", cfg_path,
                                 "--state-dir", state, "--data-dir", os.path.join(tmp, "data"),
                                 "-v"], stdout=open(log, "w"), stderr=subprocess.STDOUT)
        run, ms, changes, msgs = wait_line(log, 0)
        wall = (time.monotonic() - t0) * 1e3
        print(f"cold apply: {ms:.2f} ms in the reconcile ({wall:.0f} ms from exec to done), "
              f"{changes} changes, {msgs} netlink messages")
        time.sleep(0.5)  # let the events our own changes cause settle
        run = last_line(log, 0)[0]

        def change(label, fn, revert):
            nonlocal run
            rows = []
            for _ in range(a.rounds):
                for f, tag in ((fn, label), (revert, label + " (back)")):
                    t = time.monotonic()
                    f()
                    r = wait_line(log, run)
                    rows.append((tag, r[1], r[2], r[3], (time.monotonic() - t) * 1e3))
                    time.sleep(0.4)  # kernel events of our own changes
                    run = last_line(log, 0)[0]
            fwd = [x for x in rows if not x[0].endswith("(back)")]
            print(f"{label}: reconcile median {statistics.median(x[1] for x in fwd):.2f} ms, "
                  f"file-to-done median {statistics.median(x[4] for x in fwd):.1f} ms, "
                  f"{fwd[0][2]} changes, {fwd[0][3]} netlink messages")

        change("prefix change /56",
               lambda: write_state(state, "dhcp6.tun0.json", dhcp6("2001:db8:400::/56")),
               lambda: write_state(state, "dhcp6.tun0.json", dhcp6("2001:db8:200::/56")))
        change("PPP drops",
               lambda: write_state(state, "pppoe.json", dict(PPPOE, state="lcp", interface=None)),
               lambda: write_state(state, "pppoe.json", PPPOE))
        change("unrelated input change (LTE DNS)",
               lambda: write_state(state, "lte.json", dict(LTE, dns=["2001:db8::53"])),
               lambda: write_state(state, "lte.json", LTE))
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
        for n in (ns, peer):
            sh("ip", "netns", "del", n, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
