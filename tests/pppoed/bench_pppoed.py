#!/usr/bin/python3
"""pppoed benchmark (not part of `make test`): session set-up time against
the lab AC, userspace data-plane throughput and packet rate in both
directions against a plain veth, pppoed CPU per Gbit/s and RSS.

  /usr/bin/python3 tests/pppoed/bench_pppoed.py [--build build/pppoed]

TUN->Ethernet: iperf3 -u (unlimited rate) through ppp0; what pppoed puts on
the wire is counted on the AC's veth (the Python AC itself is far slower and
is not in the measured path).  Ethernet->TUN: blast.c repeats one PPPoE
session frame from the AC side; what pppoed writes into the TUN is counted
on ppp0.  Baseline: the same generators over a plain veth pair.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))


def sh(*a, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(a)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError(f"{cmd}: {p.stderr}")
    return p.stdout


def stats(ns, ifname):
    j = json.loads(sh("ip", "-j", "-s", "link", "show", ifname, ns=ns))[0]["stats64"]
    return j["rx"]["bytes"], j["rx"]["packets"], j["tx"]["bytes"], j["tx"]["packets"]


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


def iperf_udp(ns_c, dst, length, secs, bind=None):
    args = ["iperf3", "-c", dst, "-u", "-b", "0", "-l", str(length), "-t", str(secs), "-J"]
    subprocess.run(["ip", "netns", "exec", ns_c] + args, capture_output=True, text=True,
                   timeout=secs + 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--secs", type=int, default=4)
    a = ap.parse_args()
    os.environ["HGW_BUILD"] = os.path.abspath(a.build)
    import hgwtest
    hgwtest.BUILD = os.environ["HGW_BUILD"]
    hgwtest.BIN = os.path.join(hgwtest.BUILD, "bin")
    sys.path.insert(0, HERE)
    import pppoelab

    tmp = tempfile.mkdtemp(prefix="pppoed-bench-")
    blast = os.path.join(tmp, "blast")
    subprocess.run(["gcc", "-O2", "-o", blast, os.path.join(HERE, "blast.c")], check=True)
    net, daemons = hgwtest.Net(), hgwtest.Daemons(tmp)
    res = {}
    lab = None
    iperf_srv = []
    try:
        lab = pppoelab.Lab(net, daemons, tmp)
        lab.ac()
        pw = pppoelab.secret_file(tmp)
        # set-up time: 5 sessions, from the first PADI to "up" in pppoed's log
        setups = []
        for i in range(5):
            # keepalive relaxed: the Python AC answers echoes late under a flood
            d = lab.client(pw, ipv6=False, echo_interval_ms=10000)
            doc = pppoelab.wait_up(d)
            lines = d.log().splitlines()

            def ts(pat):
                line = next(ln for ln in lines if pat in ln)
                t = line.split()[0]
                return time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + t[19:23])
            setups.append((ts("-> up") - ts("down -> discovery")) * 1000)
            if i < 4:
                d.stop()
                daemons.running.remove(d)
                time.sleep(0.3)
        res["setup_ms"] = sorted(setups)
        pid = d.proc.pid  # ip netns exec execs pppoed: same pid
        v4 = doc["ipv4"]
        sh("ip", "-n", lab.ns_c, "addr", "add", v4["address"], "peer", v4["peer"], "dev", "ppp0")
        sh("ip", "-n", lab.ns_c, "link", "set", "ppp0", "up")
        sh("ip", "-n", lab.ns_a, "addr", "add", v4["peer"], "peer", v4["address"], "dev", "acppp")
        sh("ip", "-n", lab.ns_a, "link", "set", "acppp", "up")
        srv = subprocess.Popen(["ip", "netns", "exec", lab.ns_a, "iperf3", "-s"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        iperf_srv.append(srv)
        time.sleep(0.5)
        res["rss_kib_idle"] = rss_kib(pid)

        def tun_to_eth(length):
            b0 = stats(lab.ns_a, "ac0")
            c0, t0 = cpu_s(pid), time.monotonic()
            iperf_udp(lab.ns_c, v4["peer"], length, a.secs)
            b1 = stats(lab.ns_a, "ac0")
            c1, t1 = cpu_s(pid), time.monotonic()
            dt = t1 - t0
            return {"mbit_s": (b1[0] - b0[0]) * 8 / dt / 1e6, "pps": (b1[1] - b0[1]) / dt,
                    "cpu": (c1 - c0) / dt}

        res["tun_to_eth_1400"] = tun_to_eth(1400)
        res["tun_to_eth_64B_ip"] = tun_to_eth(36)   # 20 IP + 8 UDP + 36 = 64-byte packets
        res["rss_kib_loaded"] = rss_kib(pid)

        # Ethernet -> TUN: a PPPoE frame carrying IPv4/UDP to a non-local
        # address (counted on ppp0, then dropped: no forwarding).
        cmac = json.loads(sh("ip", "-j", "link", "show", "dsl0", ns=lab.ns_c))[0]["address"]
        amac = doc["ac_mac"]
        sid = doc["session_id"]

        def frame(payload_len):
            import struct
            udp = struct.pack("!HHHH", 9, 9, 8 + payload_len, 0) + bytes(payload_len)
            iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                              bytes([198, 51, 100, 1]), bytes([203, 0, 113, 1]))
            s = sum(struct.unpack("!10H", iph))
            s = (s & 0xffff) + (s >> 16)
            s = (s & 0xffff) + (s >> 16)
            iph = iph[:10] + struct.pack("!H", ~s & 0xffff) + iph[12:]
            ppp = b"\x00\x21" + iph + udp
            return (bytes.fromhex(cmac.replace(":", "")) + bytes.fromhex(amac.replace(":", "")) +
                    b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, sid, len(ppp)) + ppp).hex()

        def eth_to_tun(payload_len, count):
            b0 = stats(lab.ns_c, "ppp0")
            c0, t0 = cpu_s(pid), time.monotonic()
            out = sh(blast, "ac0", str(count), frame(payload_len), ns=lab.ns_a)
            time.sleep(0.3)
            b1 = stats(lab.ns_c, "ppp0")
            c1 = cpu_s(pid)
            sent, secs = out.split()
            secs = float(secs) + 0.3
            got = b1[1] - b0[1]
            return {"sent": int(sent), "delivered": got, "pps": got / secs,
                    "mbit_s": (b1[0] - b0[0]) * 8 / secs / 1e6, "cpu": (c1 - c0) / secs}

        res["eth_to_tun_1400"] = eth_to_tun(1372, 200000)
        res["eth_to_tun_64B_ip"] = eth_to_tun(36, 400000)

        # baseline: plain veth, same generators
        b1, b2 = net.ns("b1"), net.ns("b2")
        net.veth(b1, "v1", b2, "v2")
        sh("ip", "-n", b1, "addr", "add", "10.9.0.1/24", "dev", "v1")
        sh("ip", "-n", b2, "addr", "add", "10.9.0.2/24", "dev", "v2")
        srv2 = subprocess.Popen(["ip", "netns", "exec", b2, "iperf3", "-s"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        iperf_srv.append(srv2)
        time.sleep(0.5)
        r0, t0 = stats(b2, "v2"), time.monotonic()
        iperf_udp(b1, "10.9.0.2", 1400, a.secs)
        r1, t1 = stats(b2, "v2"), time.monotonic()
        res["veth_1400"] = {"mbit_s": (r1[0] - r0[0]) * 8 / (t1 - t0) / 1e6,
                            "pps": (r1[1] - r0[1]) / (t1 - t0)}
        r0, t0 = stats(b2, "v2"), time.monotonic()
        iperf_udp(b1, "10.9.0.2", 36, a.secs)
        r1, t1 = stats(b2, "v2"), time.monotonic()
        res["veth_64B_ip"] = {"pps": (r1[1] - r0[1]) / (t1 - t0)}
        for k in ("tun_to_eth_1400", "eth_to_tun_1400"):
            g = res[k]["mbit_s"] / 1000
            res[k]["ratio_to_veth"] = res[k]["mbit_s"] / res["veth_1400"]["mbit_s"]
            res[k]["cpu_per_gbit_s"] = res[k]["cpu"] / g if g else None
        res["load_avg"] = open("/proc/loadavg").read().split()[:3]
    finally:
        for p in iperf_srv:
            p.kill()
        try:
            daemons.cleanup()
        except AssertionError:
            pass
        if lab:
            lab.cleanup()
        net.cleanup()
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
