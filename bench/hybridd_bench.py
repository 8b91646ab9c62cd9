#!/usr/bin/python3
"""hybridd data-plane benchmark, in one run against a plain-veth baseline.

Builds the lab of tests/hybridd (router, lab HAAP, internet host in network
namespaces), brings the bond up and measures with iperf3:
  - TCP throughput over a plain veth (router -> HAAP, no bond): the baseline
  - TCP throughput through the bond, upstream and downstream; ratio to baseline
  - the same with one path delayed by 30 ms (reorder buffer at work)
  - loss and gap when the DSL link is cut during a steady stream
  - hybridd's CPU time per Gbit/s and its RSS
The lab HAAP is Python (lab/haap/haap.py): its data plane is the expected
ceiling of the bonded numbers, and the report says so.

Usage: bench/hybridd_bench.py --build DIR [--seconds N]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "hybridd"))


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def iperf(ns_cli, server, seconds, reverse=False, extra=()):
    cmd = ["ip", "netns", "exec", ns_cli, "iperf3", "-c", server, "-t", str(seconds), "-J",
           "-O", "1", *extra]
    if reverse:
        cmd.append("-R")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    j = json.loads(r.stdout)
    if "error" in j:
        raise RuntimeError(j["error"])
    return j["end"]["sum_received"]["bits_per_second"] / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=5)
    a = ap.parse_args()
    os.environ["HGW_BUILD"] = os.path.abspath(a.build)
    import hgwtest
    import hyblab
    hgwtest.BIN = os.path.join(os.environ["HGW_BUILD"], "bin")
    hgwtest.sweep_stale_namespaces()
    tmp = tempfile.mkdtemp(prefix="hybridd-bench-")
    net = hgwtest.Net()
    daemons = hgwtest.Daemons(tmp)
    servers = []
    lab = None
    try:
        lab = hyblab.Lab(net, tmp)
        # reorder bound 200 ms: the Python HAAP's own delay queue jitters
        # well beyond the 30 ms it is asked for once it is CPU-bound
        lab.start_haap(timers={"max_reorder": 200})
        lab.links_up()
        d = lab.start_hybridd(daemons, mtu=1400, reorder_max_ms=250)
        lab.wait(hyblab.bonded, timeout=10, daemon=d)
        lab.address_tun()
        pid = int(subprocess.run(["pgrep", "-P", str(d.proc.pid)], capture_output=True,
                                 text=True).stdout.split()[0]) if False else d.proc.pid
        # ip netns exec execs hybridd in place, so the Popen pid is hybridd
        for ns in (lab.h, lab.i):
            servers.append(subprocess.Popen(["ip", "netns", "exec", ns, "iperf3", "-s"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)
        s = a.seconds
        res = {}
        print(f"$ iperf3 -c 2001:db8:1::1 -t {s}   (router -> HAAP over the plain lte0 veth)")
        res["veth"] = iperf(lab.r, "2001:db8:1::1", s)
        print(f"baseline veth TCP: {res['veth']:.0f} Mbit/s")
        # the bond moves one MTU-sized packet per system call; a veth that
        # does the same is the like-for-like comparison (ethtool is not
        # installed: gso_max_segs 1 makes every skb one segment)
        for ns, dev in ((lab.r, "lte0"), (lab.h, "hl")):
            net.ip(ns, "link", "set", "dev", dev, "gso_max_segs", "1")
        res["veth_1seg"] = iperf(lab.r, "2001:db8:1::1", s, extra=("-M", "1348"))
        print(f"$ ip link set dev lte0/hl gso_max_segs 1; iperf3 -c 2001:db8:1::1 -t {s} -M 1348")
        print(f"baseline veth TCP, one MTU-sized segment per packet: {res['veth_1seg']:.0f} Mbit/s")
        for ns, dev in ((lab.r, "lte0"), (lab.h, "hl")):
            net.ip(ns, "link", "set", "dev", dev, "gso_max_segs", "65535")
        c0 = cpu_s(pid)
        t0 = time.monotonic()
        res["up"] = iperf(lab.r, "198.51.100.2", s)
        c1 = cpu_s(pid)
        el = time.monotonic() - t0
        print(f"$ iperf3 -c 198.51.100.2 -t {s}   (router -> internet host through the bond)")
        print(f"bond TCP upstream: {res['up']:.0f} Mbit/s  ratio {res['up'] / res['veth']:.3f}, "
              f"{res['up'] / res['veth_1seg']:.3f} to the one-segment veth")
        gbit = res["up"] * el / 1000.0
        print(f"hybridd CPU: {c1 - c0:.2f} s for {gbit:.2f} Gbit = "
              f"{(c1 - c0) / max(gbit, 1e-9):.2f} CPU-s per Gbit")
        res["down"] = iperf(lab.r, "198.51.100.2", s, reverse=True)
        print(f"$ iperf3 -c 198.51.100.2 -t {s} -R")
        print(f"bond TCP downstream: {res['down']:.0f} Mbit/s  ratio {res['down'] / res['veth']:.3f}, "
              f"{res['down'] / res['veth_1seg']:.3f} to the one-segment veth")
        lab.hook(cmd="delay", tunnel="lte", ms=30)
        time.sleep(5)  # a few Hellos measure the new RTT difference
        res["down_delay"] = iperf(lab.r, "198.51.100.2", s, reverse=True, extra=("-C", "cubic"))
        print(f"$ iperf3 -c 198.51.100.2 -t {s} -R -C cubic   (HAAP delays LTE by 30 ms, alternates packets)")
        print(f"bond TCP downstream, LTE path +30 ms, cubic: {res['down_delay']:.0f} Mbit/s")
        res["down_delay_bbr"] = iperf(lab.r, "198.51.100.2", s, reverse=True, extra=("-C", "bbr"))
        print(f"  same with BBR (its min-RTT model sees the DSL half arrive early): "
              f"{res['down_delay_bbr']:.0f} Mbit/s")
        dp = hgwtest.read_state(lab.state_dir, "hybrid.json")
        print("  reorder:", {k: dp["dataplane"][k] for k in ("reorder_timeout_ms", "reordered",
                                                           "lost", "reorder_timeouts", "duplicates")},
              "rtt lte/dsl:", dp["tunnels"]["lte"]["rtt_ms"], dp["tunnels"]["dsl"]["rtt_ms"])
        res["down_delay_100"] = iperf(lab.r, "198.51.100.2", s, reverse=True,
                                      extra=("-b", "100M", "-C", "cubic"))
        dp = hgwtest.read_state(lab.state_dir, "hybrid.json")
        print(f"  same, TCP paced at 100 Mbit/s (HAAP not saturated): "
              f"{res['down_delay_100']:.0f} Mbit/s; lost so far {dp['dataplane']['lost']}")
        lab.hook(cmd="down_sched", mode="lte")
        res["down_lteonly"] = iperf(lab.r, "198.51.100.2", s, reverse=True, extra=("-C", "cubic"))
        print(f"  same, HAAP sending on the delayed LTE only (no reordering needed): "
              f"{res['down_lteonly']:.0f} Mbit/s")
        lab.hook(cmd="down_sched", mode="dsl")
        res["down_dslonly"] = iperf(lab.r, "198.51.100.2", s, reverse=True, extra=("-C", "cubic"))
        print(f"  same, HAAP sending on DSL only (the faster link's rate): {res['down_dslonly']:.0f} Mbit/s")
        lab.hook(cmd="delay", tunnel="lte", ms=0)
        lab.hook(cmd="down_sched", mode="rr")
        # link cut during a steady stream: 500 pings 4 ms apart
        p = subprocess.Popen(["ip", "netns", "exec", lab.r, "ping", "-n", "-q", "-i", "0.004",
                              "-c", "500", "-W", "1", "198.51.100.2"], stdout=subprocess.PIPE,
                             text=True)
        time.sleep(0.7)
        net.ip(lab.r, "link", "set", "dsl0", "down")
        out, _ = p.communicate(timeout=30)
        line = [x for x in out.splitlines() if "transmitted" in x][0]
        sent, recv = int(line.split()[0]), int(line.split()[3])
        print(f"$ ping -i 0.004 -c 500 198.51.100.2; ip link set dsl0 down after 0.7 s")
        print(f"link cut: {sent - recv} of {sent} lost = gap of about {(sent - recv) * 4} ms")
        print(f"hybridd RSS: {rss_kb(pid)} kB")
        return 0
    finally:
        for sv in servers:
            sv.terminate()
        try:
            daemons.cleanup()
        except AssertionError as e:
            print(e)
        if lab:
            lab.close()
        net.cleanup()


if __name__ == "__main__":
    sys.exit(main())
