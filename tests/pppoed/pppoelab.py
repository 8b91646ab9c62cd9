"""Shared set-up for pppoed's integration tests: two namespaces joined by a
veth pair, the lab access concentrator (lab/pppoe-ac/ac.py, independent of
pppoed's code) in one, pppoed in the other."""
import json
import os
import signal
import subprocess
import time

from hgwtest import ROOT, wait_state

AC = os.path.join(ROOT, "lab", "pppoe-ac", "ac.py")


class AccessConcentrator:
    def __init__(self, ns, iface, log_path, args):
        self.log_path = log_path
        self.logf = open(log_path, "w")
        cmd = ["ip", "netns", "exec", ns, "/usr/bin/python3", "-u", AC, "--iface", iface] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT)
        self.wait_event("ready", timeout=10)

    def events(self, kind=None):
        out = []
        with open(self.log_path, errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if kind is None or e.get("event") == kind:
                    out.append(e)
        return out

    def wait_event(self, kind, timeout=10, pred=lambda e: True, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            evs = [e for e in self.events(kind) if pred(e)]
            if len(evs) >= count:
                return evs[count - 1]
            if self.proc.poll() is not None:
                raise AssertionError(f"AC exited ({self.proc.returncode}):\n{self.log()}")
            time.sleep(0.05)
        raise AssertionError(f"no AC event {kind} (x{count}) within {timeout}s:\n{self.log()}")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.logf.close()


def secret_file(tmp_path, password="secret", mode=0o600):
    p = os.path.join(str(tmp_path), f"pw-{time.monotonic_ns()}")
    with open(p, "w") as f:
        f.write(password + "\n")
    os.chmod(p, mode)
    return p


def client_config(pwfile, **over):
    cfg = {
        "interface": "dsl0",
        "ifname": "ppp0",
        "mode": "userspace",
        "username": "alice",
        "password_file": pwfile,
        "padi_initial_ms": 300,
        "padi_max_ms": 2000,
        "padr_timeout_ms": 500,
        "restart_ms": 300,
        "echo_interval_ms": 300,
        "echo_failures": 3,
        "auth_timeout_ms": 3000,
        "reconnect_initial_ms": 200,
        "reconnect_max_ms": 1000,
        "auth_retry_initial_ms": 5000,
        "auth_retry_max_ms": 60000,
    }
    cfg.update(over)
    return {"pppoed": cfg}


class Lab:
    """ns_c: client side (dsl0), ns_a: AC side (ac0)."""

    def __init__(self, net, daemons, tmp_path):
        self.net, self.daemons, self.tmp = net, daemons, str(tmp_path)
        self.ns_c = net.ns("c")
        self.ns_a = net.ns("a")
        net.veth(self.ns_c, "dsl0", self.ns_a, "ac0")
        self.acs = []

    def ac(self, *args, tun="acppp", iface="ac0"):
        n = len(self.acs)
        extra = ["--tun", tun] if tun else []
        ac = AccessConcentrator(self.ns_a, iface, os.path.join(self.tmp, f"ac{n}.log"),
                                list(args) + extra)
        self.acs.append(ac)
        return ac

    def client(self, pwfile, **over):
        return self.daemons.start("pppoed", client_config(pwfile, **over), ns=self.ns_c)

    def cleanup(self):
        for ac in self.acs:
            ac.kill()


def wait_up(d, timeout=15, pred=lambda doc: True):
    return wait_state(d.state_dir, "pppoe.json",
                      lambda doc: doc.get("state") == "up" and pred(doc), timeout, daemon=d)
