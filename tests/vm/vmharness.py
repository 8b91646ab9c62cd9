#!/usr/bin/env python3
"""Boots Debian's kernel under QEMU (TCG) to run one guest test script.

The guest sees the host's root filesystem read-only over 9p with a tmpfs
overlay on top, so every host binary (pppd, pppoe-server, tcpdump, iproute2,
hgw's own build output) and /lib/modules are usable unchanged; writes stay in
guest RAM.  A second, writable 9p share (the run directory on the host) brings
results back: one "CASE name PASS|FAIL|SKIP reason" line per case in
results.txt, plus whatever logs and pcaps the guest leaves there.

The initramfs is built here from host files (busybox-static, the kernel's own
modules for virtio/9p/overlay) and cached in BUILD/vm keyed by its inputs;
nothing binary is committed.  A VM that does not power off in time is killed
and reported as failed with the tail of its console log.

Library use (tests/vm/test_*.py):
    r = vmharness.run("tests/vm/guest/kernel.sh", name="kernel")
    r.cases -> {name: (status, reason)}, r.out_dir, r.console, r.error
Command line:
    tests/vm/vmharness.py [--build DIR] [--timeout S] GUEST_SCRIPT [ARGS...]
prints the case lines and the run directory; exit status 0 if no case failed.
"""
import argparse
import glob
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GUEST_DIR = os.path.join(HERE, "guest")
INIT_SCRIPT = os.path.join(HERE, "initrd-init.sh")
STAGE2 = os.path.join(GUEST_DIR, "boot.sh")

# Modules the initramfs needs before the host root is mounted; the guest loads
# everything else itself with modprobe from the host's /lib/modules.
INITRD_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]
BUSYBOX_CANDIDATES = ["/bin/busybox", "/usr/bin/busybox"]
QEMU = "qemu-system-x86_64"
CASE_LINE = re.compile(r"^CASE (\S+) (PASS|FAIL|SKIP)\b ?(.*)$")

# Host-side hard limit for one boot.  TCG on a loaded 2-core machine is slow
# and varies; the guest script's own limit (job timeout) is shorter, so a
# script that overruns still reports what it has.
DEFAULT_TIMEOUT = int(os.environ.get("HGW_VM_TIMEOUT", "300"))


class VMUnavailable(Exception):
    """The VM cannot run on this machine (missing kernel, qemu, busybox)."""


def build_dir():
    return os.path.abspath(os.environ.get("HGW_BUILD", os.path.join(ROOT, "build")))


def find_kernel():
    """The newest /boot/vmlinuz-* whose modules are installed: (version, path)."""
    override = os.environ.get("HGW_VM_KERNEL")
    cands = [override] if override else glob.glob("/boot/vmlinuz-*")
    found = []
    for path in cands:
        kver = os.path.basename(path)[len("vmlinuz-"):]
        if os.path.isdir(f"/lib/modules/{kver}/kernel") and os.access(path, os.R_OK):
            found.append((kver, path))
    if not found:
        raise VMUnavailable("no readable /boot/vmlinuz-* with /lib/modules/<version>/kernel "
                            "(linux-image-amd64 is installed by scripts/deps)")

    def key(kv):
        return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", kv[0])]
    found.sort(key=key)
    return found[-1]


def _module_files(kver):
    """Module files (in load order, deduplicated) for INITRD_MODULES."""
    files = []
    for m in INITRD_MODULES:
        p = subprocess.run(["modprobe", "-S", kver, "--show-depends", m],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise VMUnavailable(f"modprobe -S {kver} --show-depends {m}: {p.stderr.strip()}")
        for line in p.stdout.splitlines():
            f = line.split()
            if f and f[0] == "insmod" and f[1] not in files:
                files.append(f[1])
            # "builtin X" lines need nothing.
    return files


def _busybox():
    for b in BUSYBOX_CANDIDATES:
        if os.access(b, os.X_OK):
            return os.path.realpath(b)
    raise VMUnavailable("no busybox (busybox-static is installed by scripts/deps)")


def build_initrd(bdir=None):
    """Builds (or reuses) the initramfs; returns its path."""
    bdir = bdir or build_dir()
    kver, _ = find_kernel()
    bb = _busybox()
    if shutil.which("cpio") is None:
        raise VMUnavailable("no cpio (installed by scripts/deps)")
    mods = _module_files(kver)
    h = hashlib.sha256()
    for f in [bb, INIT_SCRIPT] + mods:
        st = os.stat(f)
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    with open(INIT_SCRIPT, "rb") as f:
        h.update(f.read())
    out_dir = os.path.join(bdir, "vm")
    os.makedirs(out_dir, exist_ok=True)
    initrd = os.path.join(out_dir, f"initrd-{kver}-{h.hexdigest()[:12]}.cpio.gz")
    if os.path.exists(initrd):
        return initrd
    stage = tempfile.mkdtemp(prefix="initrd-", dir=out_dir)
    try:
        for d in ("bin", "proc", "sys", "dev", "lower", "rw", "newroot"):
            os.makedirs(os.path.join(stage, d))
        shutil.copy2(bb, os.path.join(stage, "bin", "busybox"))
        shutil.copy2(INIT_SCRIPT, os.path.join(stage, "init"))
        os.chmod(os.path.join(stage, "init"), 0o755)
        with open(os.path.join(stage, "modules.list"), "w") as ml:
            for m in mods:
                dst = stage + m
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(m, dst)
                ml.write(m + "\n")
        tmp = initrd + ".tmp"
        with open(tmp, "wb") as out:
            find = subprocess.Popen(["find", "."], cwd=stage, stdout=subprocess.PIPE)
            cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet"], cwd=stage,
                                    stdin=find.stdout, stdout=subprocess.PIPE)
            find.stdout.close()
            gz = subprocess.Popen(["gzip", "-1"], stdin=cpio.stdout, stdout=out)
            cpio.stdout.close()
            if gz.wait() or cpio.wait() or find.wait():
                raise RuntimeError("building the initramfs with find|cpio|gzip failed")
        os.rename(tmp, initrd)
        # Older initrds of this build dir are stale now.
        for old in glob.glob(os.path.join(out_dir, "initrd-*.cpio.gz")):
            if old != initrd:
                os.unlink(old)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return initrd


class VMResult:
    def __init__(self, name, out_dir):
        self.name = name
        self.out_dir = out_dir
        self.cases = {}          # name -> (status, reason), in guest order
        self.extra_lines = []    # lines in results.txt that did not parse
        self.console = ""
        self.error = None        # why the run as a whole failed, or None
        self.wall = None         # seconds, qemu start to exit
        self.stage2_uptime = None  # guest uptime when stage 2 started
        self.boot_wall = None    # seconds from qemu start to stage 2 (host clock)
        self.guest_rc = None

    def path(self, rel):
        return os.path.join(self.out_dir, rel)

    def read(self, rel):
        try:
            with open(self.path(rel), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def console_tail(self, n=60):
        return "\n".join(self.console.splitlines()[-n:])

    def summary(self):
        boot = f"{self.boot_wall:.1f}s" if self.boot_wall is not None else "never"
        s = (f"VM run '{self.name}': wall {self.wall:.1f}s, guest script started after {boot} "
             f"(guest uptime {self.stage2_uptime}s), guest rc {self.guest_rc}")
        if self.error:
            s += f"; ERROR: {self.error}"
        return s


def run(script, name=None, args=(), timeout=None, guest_timeout=None, bdir=None,
        memory=1024, smp=None, keep=True):
    """Boots the VM, runs the guest script (a path on the host, seen at the
    same path in the guest), and returns a VMResult.  Never raises for a
    failing guest: problems are in result.error (VMUnavailable is raised when
    the VM cannot be started at all)."""
    bdir = bdir or build_dir()
    script = os.path.abspath(script)
    name = name or os.path.splitext(os.path.basename(script))[0]
    timeout = timeout or DEFAULT_TIMEOUT
    smp = smp or int(os.environ.get("HGW_VM_SMP", "2"))
    guest_timeout = guest_timeout or max(10, timeout - 40)
    if shutil.which(QEMU) is None:
        raise VMUnavailable(f"{QEMU} not installed (qemu-system-x86 from scripts/deps)")
    kver, kernel = find_kernel()
    initrd = build_initrd(bdir)

    runs = os.path.join(bdir, "vm", "runs")
    os.makedirs(runs, exist_ok=True)
    out_dir = os.path.join(runs, name)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    os.chmod(out_dir, 0o777)
    env_lines = {
        "HGW_SCRIPT": script, "HGW_TIMEOUT": str(guest_timeout), "HGW_ROOT": ROOT,
        "HGW_BUILD": bdir, "HGW_KVER": kver,
        "HGW_VM_TRACE": os.environ.get("HGW_VM_TRACE", "0"),
    }
    with open(os.path.join(out_dir, "job.env"), "w") as f:
        for k, v in env_lines.items():
            f.write(f"{k}={shlex.quote(v)}\n")
        f.write("HGW_ARGS=(" + " ".join(shlex.quote(a) for a in args) + ")\n")

    console_path = os.path.join(out_dir, "console.log")
    cmd = [QEMU, "-accel", "tcg", "-cpu", "max", "-m", str(memory), "-smp", str(smp),
           "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
           "-serial", "stdio", "-monitor", "none",
           "-kernel", kernel, "-initrd", initrd,
           "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,"
                      "multidevs=remap",
           "-virtfs", f"local,path={out_dir},mount_tag=outshare,security_model=none",
           "-append", f"console=ttyS0 panic=-1 quiet loglevel=4 hgw.stage2={STAGE2}"]
    res = VMResult(name, out_dir)
    t0 = time.monotonic()
    t0_wall = time.time()
    with open(console_path, "wb") as con:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=con,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
    res.wall = time.monotonic() - t0
    res.console = res.read("console.log") or ""
    up = res.read("stage2-uptime")
    res.stage2_uptime = float(up) if up and up.strip() else None
    if res.stage2_uptime is not None:
        res.boot_wall = os.stat(res.path("stage2-uptime")).st_mtime - t0_wall
    grc = res.read("guest-rc")
    res.guest_rc = int(grc) if grc and grc.strip().lstrip("-").isdigit() else None

    for line in (res.read("results.txt") or "").splitlines():
        m = CASE_LINE.match(line.strip())
        if m:
            res.cases[m.group(1)] = (m.group(2), m.group(3).strip())
        elif line.strip():
            res.extra_lines.append(line)

    if rc is None:
        res.error = f"VM did not power off within {timeout}s and was killed"
    elif "HGW-INIT-FAIL" in res.console:
        res.error = "initramfs failed: " + res.console.split("HGW-INIT-FAIL:")[1].splitlines()[0]
    elif res.stage2_uptime is None:
        res.error = f"the VM exited (qemu status {rc}) before the guest script started"
    elif res.guest_rc is None:
        res.error = "the guest script did not finish (no guest-rc)"
    elif res.guest_rc == 124 or res.guest_rc == 137:
        res.error = f"the guest script overran its {guest_timeout}s limit and was stopped"
    if not keep and not res.error:
        shutil.rmtree(out_dir, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=None, help="build dir (default $HGW_BUILD or build)")
    ap.add_argument("--timeout", type=int, default=None, help="host-side hard limit, seconds")
    ap.add_argument("--name", default=None)
    ap.add_argument("script")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    bdir = os.path.abspath(a.build) if a.build else None
    try:
        r = run(a.script, name=a.name, args=a.args, timeout=a.timeout, bdir=bdir)
    except VMUnavailable as e:
        print(f"vm: cannot run: {e}", file=sys.stderr)
        return 2
    for c, (st, why) in r.cases.items():
        print(f"CASE {c} {st} {why}")
    print(r.summary())
    print(f"results in {r.out_dir}")
    if r.error:
        print("---- console tail\n" + r.console_tail())
    failed = r.error or any(st == "FAIL" for st, _ in r.cases.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
