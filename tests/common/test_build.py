"""The build's other targets: install honours DESTDIR/PREFIX, and the arm64
cross build (Raspberry Pi) builds every program; hgwctl runs under qemu-user."""
import os
import shutil
import subprocess

import pytest

from hgwtest import BUILD, ROOT


def make(*args, **kw):
    return subprocess.run(["make", "-s", f"BUILD={BUILD}", *args], cwd=ROOT,
                          capture_output=True, text=True, **kw)


def test_install_honours_destdir_and_prefix(tmp_path):
    r = make("install", f"DESTDIR={tmp_path}", "PREFIX=/usr")
    assert r.returncode == 0, r.stderr
    sbin = tmp_path / "usr" / "sbin"
    assert (sbin / "hgwctl").exists() and os.access(sbin / "hgwctl", os.X_OK)
    for prog in os.listdir(os.path.join(BUILD, "bin")):
        assert (sbin / prog).exists(), f"{prog} not installed"
    assert (tmp_path / "usr" / "share" / "doc" / "hgw" / "config.md").exists()
    # Nothing outside DESTDIR: the tree holds only usr/.
    assert sorted(os.listdir(tmp_path)) == ["usr"]


def test_cross_build_arm64_runs_under_qemu(tmp_path):
    if not shutil.which("aarch64-linux-gnu-gcc") or not shutil.which("qemu-aarch64-static"):
        pytest.skip("arm64 toolchain not installed (scripts/deps --cross)")
    build = tmp_path / "arm64"
    r = subprocess.run(["make", "-s", "-j2", "CROSS_COMPILE=aarch64-linux-gnu-", f"BUILD={build}"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    progs = sorted(os.listdir(os.path.join(BUILD, "bin")))
    assert sorted(os.listdir(build / "bin")) == progs  # every program, not just hgwctl
    for p in progs:
        out = subprocess.run(["file", f"{build}/bin/{p}"], capture_output=True, text=True).stdout
        assert "ARM aarch64" in out, out
    state = tmp_path / "state"
    state.mkdir()
    r = subprocess.run(["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu",
                        f"{build}/bin/hgwctl", "--state-dir", str(state), "status"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "no state files" in r.stdout, r.stderr
