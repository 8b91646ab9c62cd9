"""Real DHCP servers (Kea, dnsmasq) and a MAC-less TUN link for the dhcp tests.

The TUN link: a TUN device in each of two namespaces and a relay (this
process, a thread) that copies every packet read from one TUN fd into the
other.  That is a point-to-point layer-3 link with no MAC address on either
side, like the Telekom bonding tunnel, ip6gre or PPP.
"""
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import threading
import time

from hgwtest import sh

import ctypes

_libc = ctypes.CDLL(None, use_errno=True)
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def _open_tun_in_ns(ns, name):
    """Opens /dev/net/tun attached to device name inside namespace ns."""
    # setns for this thread only would affect the whole process' later
    # calls; open the fd in a child that passes it back over a socketpair.
    import socket
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        try:
            a.close()
            fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
            if _libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
                os._exit(2)
            t = os.open("/dev/net/tun", os.O_RDWR)
            fcntl.ioctl(t, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
            socket.send_fds(b, [b"t"], [t])
            os._exit(0)
        except BaseException:
            os._exit(1)
    b.close()
    _, fds, _, _ = socket.recv_fds(a, 1, 1)
    os.waitpid(pid, 0)
    a.close()
    if not fds:
        raise RuntimeError(f"could not open TUN {name} in {ns}")
    return fds[0]


class TunLink:
    """Two TUN devices (tname in ns1, sname in ns2) joined by a relay."""

    def __init__(self, ns1, if1, ns2, if2):
        sh("ip", "-n", ns1, "tuntap", "add", "dev", if1, "mode", "tun")
        sh("ip", "-n", ns2, "tuntap", "add", "dev", if2, "mode", "tun")
        self.fd1 = _open_tun_in_ns(ns1, if1)
        self.fd2 = _open_tun_in_ns(ns2, if2)
        self.stopped = False
        self.paused = False
        self.count = 0
        rd, self._wake = os.pipe()
        self._wake_rd = rd
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        pair = {self.fd1: self.fd2, self.fd2: self.fd1}
        while not self.stopped:
            r, _, _ = select.select([self.fd1, self.fd2, self._wake_rd], [], [], 0.5)
            for fd in r:
                if fd == self._wake_rd:
                    continue
                try:
                    pkt = os.read(fd, 65536)
                except OSError:
                    continue
                if self.paused:
                    continue
                try:
                    os.write(pair[fd], pkt)
                    self.count += 1
                except OSError:
                    pass

    def close(self):
        self.stopped = True
        os.write(self._wake, b"x")
        self.thread.join(2)
        for fd in (self.fd1, self.fd2, self._wake, self._wake_rd):
            os.close(fd)


def kea6_config(workdir, iface, renew=100, rebind=200, preferred=300, valid=600,
                na=True, pd=True, extra_options=()):
    subnet = {"id": 1, "subnet": "2001:db8:1::/64", "interface": iface,
              "option-data": [{"name": "dns-servers", "data": "2001:db8:1::53"},
                              {"name": "domain-search", "data": "example.net"},
                              {"name": "aftr-name", "data": "aftr.example.net"},
                              {"name": "sntp-servers", "data": "2001:db8:1::123"},
                              # a site option published raw (like NTT's 201)
                              {"name": "site-201", "code": 201, "data": "DEADBEEF",
                               "always-send": True},
                              *extra_options]}
    if na:
        subnet["pools"] = [{"pool": "2001:db8:1::100-2001:db8:1::1ff"}]
    if pd:
        subnet["pd-pools"] = [{"prefix": "2001:db8:100::", "prefix-len": 40,
                               "delegated-len": 56}]
    return {"Dhcp6": {
        "interfaces-config": {"interfaces": [iface]},
        "data-directory": workdir,
        # A MAC-less link gives Kea nothing to build a DUID-LLT from.
        "server-id": {"type": "EN", "enterprise-id": 2495, "identifier": "0a0b0c0d0e"},
        "lease-database": {"type": "memfile", "persist": True,
                           "name": os.path.join(workdir, "kea-leases6.csv"), "lfc-interval": 0},
        "preferred-lifetime": preferred, "valid-lifetime": valid,
        "renew-timer": renew, "rebind-timer": rebind,
        "option-def": [{"name": "site-201", "code": 201, "type": "binary", "space": "dhcp6"}],
        "subnet6": [subnet],
        "loggers": [{"name": "kea-dhcp6", "severity": "DEBUG", "debuglevel": 40,
                     "output_options": [{"output": os.path.join(workdir, "kea6.log")}]}],
    }}


def kea4_config(workdir, iface, pool="192.0.2.100-192.0.2.150", renew=100, rebind=200,
                valid=300, subnet="192.0.2.0/24"):
    return {"Dhcp4": {
        "interfaces-config": {"interfaces": [iface], "dhcp-socket-type": "raw"},
        "lease-database": {"type": "memfile", "persist": True,
                           "name": os.path.join(workdir, "kea-leases4.csv"), "lfc-interval": 0},
        "valid-lifetime": valid, "renew-timer": renew, "rebind-timer": rebind,
        "authoritative": True,
        "subnet4": [{"id": 1, "subnet": subnet, "interface": iface,
                     "pools": [{"pool": pool}],
                     "option-data": [{"name": "routers", "data": "192.0.2.1"},
                                     {"name": "domain-name-servers", "data": "192.0.2.53"},
                                     {"name": "domain-name", "data": "example.net"}]}],
        "loggers": [{"name": "kea-dhcp4", "severity": "DEBUG", "debuglevel": 40,
                     "output_options": [{"output": os.path.join(workdir, "kea4.log")}]}],
    }}


class Server:
    def __init__(self, ns, cmd, workdir, log, env=None):
        self.ns, self.workdir, self.logpath = ns, workdir, log
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], stdout=open(log, "a"),
                                     stderr=subprocess.STDOUT, env=env)

    def log(self):
        out = ""
        for name in os.listdir(self.workdir):
            if name.endswith(".log"):
                with open(os.path.join(self.workdir, name), errors="replace") as f:
                    out += f"--- {name}\n" + f.read()[-6000:]
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_kea(ns, workdir, cfg, v=6):
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, f"kea{v}.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    env = dict(os.environ, KEA_LOCKFILE_DIR=workdir, KEA_PIDFILE_DIR=workdir)
    s = Server(ns, [f"kea-dhcp{v}", "-c", path], workdir, os.path.join(workdir, "kea-out.log"),
               env=env)
    # Kea logs DHCP{4,6}_STARTED once its sockets are open.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if f"DHCP{v}_STARTED" in s.log():
            return s
        if s.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"kea-dhcp{v} did not start:\n{s.log()}")


def start_dnsmasq(ns, workdir, iface, rng="192.0.2.100,192.0.2.150,255.255.255.0,2m",
                  extra=()):
    os.makedirs(workdir, exist_ok=True)
    log = os.path.join(workdir, "dnsmasq.log")
    cmd = ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
           f"--interface={iface}", "--bind-interfaces", f"--dhcp-range={rng}",
           "--dhcp-option=option:router,192.0.2.1", "--dhcp-option=option:dns-server,192.0.2.53",
           "--dhcp-option=option:domain-name,example.net",
           "--dhcp-option=121,10.9.0.0/16,192.0.2.1",
           f"--dhcp-leasefile={os.path.join(workdir, 'dnsmasq.leases')}",
           f"--pid-file={os.path.join(workdir, 'dnsmasq.pid')}", "--user=root",
           "--log-dhcp", "--log-facility=-", "--no-ping", *extra]
    s = Server(ns, cmd, workdir, log)
    time.sleep(0.2)
    if s.proc.poll() is not None:
        raise RuntimeError(f"dnsmasq did not start:\n{s.log()}")
    return s
