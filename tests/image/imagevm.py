"""Boots hgw's Raspberry Pi image under qemu-system-aarch64 -M virt (TCG).

The image's own kernel, initrd and root file system run; only the machine is
QEMU's "virt" board instead of a Pi (no Pi model boots Debian's kernel in
QEMU 7.2).  The kernel command line is the image's cmdline.txt with the Pi's
serial console swapped for virt's.

Network, all inside one namespace made for the run:
  LAN  (MAC 52:54:00:00:01:01)  QEMU user networking on 192.168.1.0/24 with
       host forwards 127.0.0.1:10022 -> 192.168.1.1:22 (admin sshd) and
       127.0.0.1:12222 -> 192.168.1.1:2222 (netdumpd): a LAN client's view.
  DSL  (MAC 52:54:00:00:01:02)  a TAP device, imgwan, with the lab's PPPoE
       access concentrator (lab/pppoe-ac, independent of pppoed) on it: the
       WAN side, from which SSH must not answer.

The card is a sparse copy of the image grown by DATA_MIB, as a bigger SD
card would be: the first boot makes /data there.  Files are put on and read
from the boot partition with mtools while QEMU is not running.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAN_MAC, WAN_MAC = "52:54:00:00:01:01", "52:54:00:00:01:02"
SSH_PORT, DUMP_PORT = 10022, 12222
PPP_LOCAL, PPP_PEER = "198.51.100.1", "198.51.100.2"
PPP_USER, PPP_PASSWORD = "alice@lab", "lab-secret"
DATA_MIB = 384


def sh(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, capture_output=True, text=True, **kw)


class ImageVM:
    def __init__(self, image, work):
        self.image, self.work = image, work
        os.makedirs(work, exist_ok=True)
        self.card = os.path.join(work, "card.img")
        self.ns = f"hgwimg{os.getpid()}"
        self.key = os.path.join(work, "id_ed25519")
        self.known = os.path.join(work, "known_hosts")
        self.qemu = self.ac = None
        self.boots = 0
        self.console = None

    # ------------------------------------------------------------ the card
    def make_card(self):
        shutil.copyfile(self.image, self.card)  # Python copies sparse files sparsely enough
        with open(self.card, "r+b") as f:
            f.truncate(os.path.getsize(self.image) + DATA_MIB * 1048576)
        parts = json.loads(sh("sfdisk", "-J", self.card).stdout)["partitiontable"]["partitions"]
        self.fat = f"{self.card}@@{parts[0]['start'] * 512}"
        if not os.path.exists(self.key):
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hgw-image-test", "-f", self.key)

    def fat_ls(self):
        out = sh("mdir", "-b", "-i", self.fat, "::").stdout
        return sorted(os.path.basename(line.strip().rstrip("/")) for line in out.splitlines()
                      if line.strip())

    def fat_put(self, name, data):
        src = os.path.join(self.work, "put-" + name)
        with open(src, "w") as f:
            f.write(data)
        sh("mcopy", "-o", "-i", self.fat, src, "::" + name)

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
        sh("ip", "netns", "add", self.ns)
        self.nsexec("ip", "link", "set", "lo", "up")

    def nsexec(self, *cmd, **kw):
        return sh("ip", "netns", "exec", self.ns, *cmd, **kw)

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
        lan = (f"user,id=lan,net=192.168.1.0/24,host=192.168.1.2,dhcpstart=192.168.1.100,"
               f"ipv6=off,hostfwd=tcp:127.0.0.1:{SSH_PORT}-192.168.1.1:22,"
               f"hostfwd=tcp:127.0.0.1:{DUMP_PORT}-192.168.1.1:2222")
        cmd = ["ip", "netns", "exec", self.ns, "qemu-system-aarch64", "-M", "virt",
               "-cpu", "cortex-a72", "-accel", "tcg,thread=multi", "-smp", "2", "-m", "1024",
               "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
               "-drive", f"file={self.card},format=raw,if=none,id=hd0,cache=unsafe",
               "-device", "virtio-blk-pci,drive=hd0",
               "-netdev", lan, "-device", f"virtio-net-pci,netdev=lan,mac={LAN_MAC}",
               "-netdev", "tap,id=wan,ifname=imgwan,script=no,downscript=no",
               "-device", f"virtio-net-pci,netdev=wan,mac={WAN_MAC}",
               "-display", "none", "-serial", f"file:{self.console}", "-no-reboot"]
        t0 = time.monotonic()
        self.qemu = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while self.nsexec("ip", "link", "show", "imgwan", check=False).returncode != 0:
            if self.qemu.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"QEMU did not start: {self.qemu.stderr.read().decode()}")
            time.sleep(0.05)
        self.start_ac(os.path.join(self.work, "pppoe-ac.log"))
        return t0

    def ssh_args(self, port=SSH_PORT, user="root", timeout=10):
        return ["ip", "netns", "exec", self.ns, "ssh", "-F", "/dev/null", "-p", str(port),
                "-i", self.key, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=accept-new",
                "-o", f"UserKnownHostsFile={self.known}", "-o", f"ConnectTimeout={timeout}",
                "-l", user, "127.0.0.1"]

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
        if self.ac and self.ac.poll() is None:
            self.ac.terminate()
            try:
                self.ac.wait(5)
            except subprocess.TimeoutExpired:
                self.ac.kill()
        self.ac = None

    def close(self):
        if self.qemu and self.qemu.poll() is None:
            os.killpg(self.qemu.pid, signal.SIGKILL)
            self.qemu.wait()
        self.stop_ac()
        sh("ip", "netns", "del", self.ns, check=False)
