#!/usr/bin/env python3
"""Runs hgw's benchmarks and prints their results with the commands behind
them, for docs/benchmarks.md.  Usage: bench/run.py --build DIR"""
import argparse
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    benches = [
        ("state-file propagation (tmpfs)", [f"{a.build}/bench/state_latency", "500", "/dev/shm/hgw-bench"]),
        ("state-file propagation (/tmp)", [f"{a.build}/bench/state_latency", "500"]),
        ("netlinkd reconcile", ["/usr/bin/python3", "tests/netlinkd/bench_netlinkd.py",
                                "--build", a.build, "--rounds", "7"]),
        ("pppoed userspace data plane vs veth", ["/usr/bin/python3", "tests/pppoed/bench_pppoed.py",
                                                 "--build", a.build]),
        ("hybridd data plane vs veth", ["/usr/bin/python3", "bench/hybridd_bench.py",
                                        "--build", a.build, "--seconds", "5"]),
        ("netdumpd capture under load", ["/usr/bin/python3", "tests/netdumpd/bench_netdumpd.py",
                                         "--build", a.build]),
    ]
    rc = 0
    for title, cmd in benches:
        if cmd[0].endswith("state_latency") and len(cmd) > 2:
            os.makedirs(cmd[2], exist_ok=True)
        print(f"## {title}\n$ {' '.join(cmd)}", flush=True)
        r = subprocess.run(cmd)
        rc |= r.returncode
        print()
    return rc


if __name__ == "__main__":
    sys.exit(main())
