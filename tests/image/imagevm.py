"""Boots hgw's Raspberry Pi image under qemu-system-aarch64 -M virt (TCG).

The image's own kernel, initrd and root file system run; only the machine is
QEMU's "virt" board instead of a Pi (no Pi model boots Debian's kernel in
QEMU 7.2).  The kernel command line is the image's cmdline.txt with the Pi's
serial console swapped for virt's.

Network: two namespaces made for the run, each with one TAP of the guest.
  LAN  (MAC 52:54:00:00:01:01)  TAP imglan in namespace <ns>-lan: a household
       computer that takes its address from the router by DHCP (busybox
       udhcpc) and SLAAC, and reaches it at 192.168.1.1 (admin sshd on 22,
       netdumpd on 2222, DNS).
  DSL  (MAC 52:54:00:00:01:02)  TAP imgwan in namespace <ns>, where QEMU
       runs: the lab's PPPoE access concentrator (lab/pppoe-ac, independent
       of pppoed) and an upstream DNS server (dnsmasq on 192.0.2.53, the
       server the AC hands out): the WAN side, from which SSH must not answer.

The card is a sparse copy of the image grown by DATA_MIB, as a bigger SD
card would be: the first boot makes /data there.  Files are put on and read
from the boot partition with mtools while QEMU is not running.
"""
import json
import os
import shutil
import signal
import subprocess
import time

from hgwtest import NS_PREFIX, sh, stop

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAN_MAC, WAN_MAC = "52:54:00:00:01:01", "52:54:00:00:01:02"
LAN_ADDR = "192.168.1.1"
SSH_PORT, DUMP_PORT = 22, 2222
PPP_LOCAL, PPP_PEER = "198.51.100.1", "198.51.100.2"
UPSTREAM_DNS = "192.0.2.53"  # lab/pppoe-ac's default first DNS server
DNS_NAME, DNS_ANSWER = "www.example.test", "203.0.113.7"
PPP_USER, PPP_PASSWORD = "alice@lab", "lab-secret"
DATA_MIB = 384


class ImageVM:
    def __init__(self, image, work):
        self.image, self.work = image, work
        os.makedirs(work, exist_ok=True)
        self.card = os.path.join(work, "card.img")
        # hgwtest's prefix: a run that dies leaves nothing a later run does
        # not sweep.
        self.ns = f"{NS_PREFIX}{os.getpid()}-img"
        self.lan = self.ns + "-lan"
        self.key = os.path.join(work, "id_ed25519")
        self.known = os.path.join(work, "known_hosts")
        self.qemu = self.ac = self.dns = self.dhcp = None
        self.boots = 0
        self.console = None

    # ------------------------------------------------------------ the card
    def make_card(self, grow_mib=DATA_MIB):
        shutil.copyfile(self.image, self.card)  # Python copies sparse files sparsely enough
        self.grow_card(grow_mib)
        parts = json.loads(sh("sfdisk", "-J", self.card).stdout)["partitiontable"]["partitions"]
        self.fat = f"{self.card}@@{parts[0]['start'] * 512}"
        if not os.path.exists(self.key):
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hgw-image-test", "-f", self.key)

    def grow_card(self, mib):
        """The card is the image plus mib MiB (as a card of that size would be)."""
        with open(self.card, "r+b") as f:
            f.truncate(os.path.getsize(self.image) + mib * 1048576)

    def reflash(self):
        """Writes the image over the card again, as a user updating the
        router does: partition table, boot and root as new; what lies past
        the image (/data) untouched."""
        with open(self.image, "rb") as src, open(self.card, "r+b") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def fat_ls(self):
        out = sh("mdir", "-b", "-i", self.fat, "::").stdout
        return sorted(os.path.basename(line.strip().rstrip("/")) for line in out.splitlines()
                      if line.strip())

    def fat_put(self, name, data):
        src = os.path.join(self.work, "put-" + name)
        with open(src, "w") as f:
            f.write(data)
        sh("mcopy", "-o", "-i", self.fat, src, "::" + name)

    def wait_fat_file(self, name, timeout):
        """Polls the boot partition, read while the guest runs, for a file
        the guest writes (and syncs) there."""
        deadline = time.monotonic() + timeout
        while name not in self.fat_ls():
            if self.qemu.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {name} on the boot partition\n{self.tail()}")
            time.sleep(2)

    def power_cut(self):
        """Pulls the plug: QEMU is killed, nothing is shut down."""
        os.killpg(self.qemu.pid, signal.SIGKILL)
        self.qemu.wait()
        self.stop_ac()
        self.dhcp = stop(self.dhcp)

    def fat_get(self, name):
        dst = os.path.join(self.work, "got-" + name)
        sh("mcopy", "-o", "-n", "-i", self.fat, "::" + name, dst)
        with open(dst) as f:
            return f.read()

    def kernel_files(self):
        names = self.fat_ls()
        kern = [n for n in names if n.startswith("vmlinuz-")]
        initrd = [n for n in names if n.startswith("initrd.img-")]
        assert len(kern) == 1 and len(initrd) == 1, f"boot partition has {names}"
        paths = []
        for n in (kern[0], initrd[0]):
            dst = os.path.join(self.work, n)
            if not os.path.exists(dst):
                sh("mcopy", "-n", "-i", self.fat, "::" + n, dst)
            paths.append(dst)
        cmdline = self.fat_get("cmdline.txt").split()
        cmdline = [w for w in cmdline if not w.startswith("console=")] + ["console=ttyAMA0"]
        return paths[0], paths[1], " ".join(cmdline)

    # ------------------------------------------------------------ network
    def netns_up(self):
        for ns in (self.ns, self.lan):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
        # The WAN side's DNS server, reached over the PPPoE session.
        self.nsexec("ip", "addr", "add", UPSTREAM_DNS + "/32", "dev", "lo")
        self.dns = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
             "--no-resolv", "--no-hosts", f"--listen-address={UPSTREAM_DNS}", "--bind-interfaces",
             f"--address=/{DNS_NAME}/{DNS_ANSWER}", "--pid-file=", "--user=root"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def nsexec(self, *cmd, **kw):
        return sh(*cmd, ns=self.ns, **kw)

    def lanexec(self, *cmd, **kw):
        return sh(*cmd, ns=self.lan, **kw)

    def start_lan(self):
        """Moves the LAN TAP (QEMU keeps its descriptor) to the household's
        namespace and asks the router for an address by DHCP."""
        self.nsexec("ip", "link", "set", "imglan", "netns", self.lan)
        self.lanexec("sysctl", "-qw", "net.ipv6.conf.imglan.accept_ra=2")
        self.lanexec("ip", "link", "set", "imglan", "up")
        script = os.path.join(self.work, "udhcpc.sh")
        self.lease_file = os.path.join(self.work, "lease.txt")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n[ \"$1\" = bound ] || exit 0\n"
                    "ip addr flush dev $interface scope global\n"
                    "ip addr add $ip/$mask dev $interface\n"
                    "ip route replace default via $router\n"
                    f"echo \"$ip $router $dns\" > {self.lease_file}\n")
        os.chmod(script, 0o755)
        if os.path.exists(self.lease_file):
            os.unlink(self.lease_file)
        # Keeps trying (the router needs a minute to boot), answers renewals.
        self.dhcp = subprocess.Popen(
            ["ip", "netns", "exec", self.lan, "busybox", "udhcpc", "-f", "-i", "imglan", "-s", script,
             "-t", "0", "-T", "2", "-A", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def lease(self):
        try:
            with open(self.lease_file) as f:
                return f.read().split()
        except OSError:
            return None

    def start_ac(self, log):
        self.nsexec("ip", "link", "set", "imgwan", "up")
        self.ac_log = open(log, "a")
        self.ac = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "/usr/bin/python3",
             os.path.join(ROOT, "lab", "pppoe-ac", "ac.py"), "--iface", "imgwan", "--auth", "chap",
             "--user", PPP_USER, "--password", PPP_PASSWORD, "--local", PPP_LOCAL, "--peer",
             PPP_PEER, "--tun", "acppp", "--echo-interval", "5"],
            stdout=self.ac_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while self.nsexec("ip", "link", "show", "acppp", check=False).returncode != 0:
            assert time.monotonic() < deadline and self.ac.poll() is None, "PPPoE AC did not start"
            time.sleep(0.1)
        self.nsexec("ip", "link", "set", "acppp", "up")
        self.nsexec("ip", "addr", "add", PPP_LOCAL + "/32", "dev", "acppp")
        self.nsexec("ip", "route", "add", PPP_PEER + "/32", "dev", "acppp")

    # ------------------------------------------------------------ QEMU
    def boot(self):
        """Starts QEMU (and the AC on its TAP); returns the host's start time."""
        kernel, initrd, cmdline = self.kernel_files()
        self.boots += 1
        self.console = os.path.join(self.work, f"console-{self.boots}.log")
        cmd = ["ip", "netns", "exec", self.ns, "qemu-system-aarch64", "-M", "virt",
               "-cpu", "cortex-a72", "-accel", "tcg,thread=multi", "-smp", "2", "-m", "1024",
               "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
               "-drive", f"file={self.card},format=raw,if=none,id=hd0,cache=unsafe",
               "-device", "virtio-blk-pci,drive=hd0",
               "-netdev", "tap,id=lan,ifname=imglan,script=no,downscript=no",
               "-device", f"virtio-net-pci,netdev=lan,mac={LAN_MAC}",
               "-netdev", "tap,id=wan,ifname=imgwan,script=no,downscript=no",
               "-device", f"virtio-net-pci,netdev=wan,mac={WAN_MAC}",
               "-display", "none", "-serial", f"file:{self.console}", "-no-reboot"]
        t0 = time.monotonic()
        self.qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while any(self.nsexec("ip", "link", "show", t, check=False).returncode != 0
                  for t in ("imgwan", "imglan")):
            if self.qemu.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"QEMU did not start: {self.qemu.stderr.read().decode()}")
            time.sleep(0.05)
        self.start_ac(os.path.join(self.work, "pppoe-ac.log"))
        self.start_lan()
        return t0

    def ssh_args(self, port=SSH_PORT, user="root", timeout=10):
        return ["ip", "netns", "exec", self.lan, "ssh", "-F", "/dev/null", "-p", str(port),
                "-i", self.key, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=accept-new",
                "-o", f"UserKnownHostsFile={self.known}", "-o", f"ConnectTimeout={timeout}",
                "-l", user, LAN_ADDR]

    def ssh(self, command, timeout=120, check=True):
        p = subprocess.run(self.ssh_args() + [command], capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise AssertionError(f"ssh {command!r}: rc={p.returncode}\n{p.stderr}\n{self.tail()}")
        return p.stdout

    def wait_ssh(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.qemu.poll() is not None:
                raise AssertionError(f"QEMU exited during boot\n{self.tail()}")
            p = subprocess.run(self.ssh_args(timeout=5) + ["true"], capture_output=True,
                               timeout=30, stdin=subprocess.DEVNULL)
            if p.returncode == 0:
                return time.monotonic()
            time.sleep(2)
        raise AssertionError(f"no SSH on the LAN side after {timeout}s\n{self.tail()}")

    def shutdown(self, how, timeout=120):
        """systemctl reboot|poweroff from the LAN side; the SSH session may
        die with sshd or hang, so it is not waited for.  With -no-reboot QEMU
        exits either way."""
        p = subprocess.Popen(self.ssh_args() + [f"systemctl --no-wall {how}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL)
        try:
            self.wait_exit(timeout)
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()

    def wait_exit(self, timeout):
        try:
            self.qemu.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the guest did not shut down in {timeout}s\n{self.tail()}")
        finally:
            self.stop_ac()
            self.dhcp = stop(self.dhcp)

    def dns_query(self, server, name, timeout=5):
        """One A query from the LAN side; the answer's addresses or an error."""
        code = (
            "import socket,struct,sys\n"
            f"name={name!r}\n"
            "q=struct.pack('!HHHHHH',0x4867,0x0100,1,0,0,0)+b''.join(bytes([len(p)])+p.encode() "
            "for p in name.split('.'))+b'\\0'+struct.pack('!HH',1,1)\n"
            f"s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout({timeout})\n"
            f"s.sendto(q,({server!r},53))\n"
            "try:\n r=s.recv(2048)\nexcept Exception as e:\n print(type(e).__name__);sys.exit()\n"
            "rcode=r[3]&15;an=struct.unpack('!H',r[6:8])[0];i=len(q);out=[]\n"
            "for _ in range(an):\n"
            " i+=2;t,c,ttl,l=struct.unpack('!HHIH',r[i:i+10]);i+=10\n"
            " if t==1: out.append(socket.inet_ntoa(r[i:i+4]))\n"
            " i+=l\n"
            "print(f'rcode={rcode}',*out)\n")
        return self.lanexec("/usr/bin/python3", "-c", code).stdout.strip()

    def tcp_answers(self, host, port, timeout=4):
        """Does anything accept a TCP connection at host:port, seen from the WAN side?"""
        code = (f"import socket,sys\ns=socket.socket()\ns.settimeout({timeout})\n"
                f"try:\n s.connect(('{host}',{port}))\n print('open')\n"
                f"except Exception as e:\n print(type(e).__name__)\n")
        return self.nsexec("/usr/bin/python3", "-c", code).stdout.strip()

    def tail(self, n=60):
        try:
            with open(self.console, errors="replace") as f:
                return "--- console tail ---\n" + "".join(f.readlines()[-n:])
        except (OSError, TypeError):
            return "(no console log)"

    def stop_ac(self):
        self.ac = stop(self.ac)

    def close(self):
        if self.qemu and self.qemu.poll() is None:
            self.power_cut()
        self.stop_ac()
        self.dhcp = stop(self.dhcp)
        self.dns = stop(self.dns)
        for ns in (self.ns, self.lan):
            sh("ip", "netns", "del", ns, check=False)

