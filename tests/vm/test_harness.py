"""The VM harness checks itself: a guest case's verdicts reach pytest as
they were given, results and files come back through the share, a guest
script that hangs is stopped and its case reported as failed, and a VM that
does not power off is killed by the host with its console log kept."""
import os

import pytest

import vmcase
import vmharness

# Guest limit short enough that the hanging case is cut after a few seconds.
SMOKE = vmcase.GuestScript("smoke.sh", ["root_overlay", "deliberate_fail", "deliberate_skip",
                                        "deliberate_false", "deliberate_hang"],
                           args=["hang"], timeout=120, guest_timeout=20)


def boot(script, **kw):
    try:
        return vmharness.run(os.path.join(vmharness.GUEST_DIR, script), **kw)
    except vmharness.VMUnavailable as e:
        pytest.skip(f"VM cannot run here: {e}")


@pytest.fixture(scope="module")
def smoke():
    return SMOKE.boot().res


def test_verdicts_reach_host(smoke):
    c = smoke.cases
    assert c["root_overlay"][0] == "PASS", (c, smoke.read("root_overlay.log"))
    assert c["deliberate_fail"][0] == "FAIL"
    assert c["deliberate_fail"][1].startswith("deliberate failure ["), c["deliberate_fail"]
    assert c["deliberate_skip"][0] == "SKIP" and "deliberate skip" in c["deliberate_skip"][1]
    assert c["deliberate_false"][0] == "FAIL" and "status 1" in c["deliberate_false"][1]


def test_files_come_back_and_host_root_stays_read_only(smoke):
    assert smoke.read("smoke-file.txt") == "hello\n"
    assert "FAIL: deliberate failure" in smoke.read("deliberate_fail.log")
    assert not os.path.exists(os.path.join(vmharness.ROOT, "hgw-vm-write-test"))
    assert smoke.stage2_uptime is not None and smoke.stage2_uptime < 60


def test_hanging_case_is_stopped_and_failed(smoke):
    st, why = smoke.cases["deliberate_hang"]
    assert st == "FAIL" and "stopped after 20s" in why, why
    assert "overran" in (smoke.error or ""), smoke.error
    assert "HGW-VM: guest script exited 124" in smoke.console


def test_hung_vm_is_killed_with_console():
    # 3 s is not enough to boot under TCG: the host must kill qemu.
    r = boot("smoke.sh", name="smoke-kill", timeout=3)
    assert r.error and "did not power off within 3s" in r.error, r.error
    assert r.wall < 15
    assert r.cases == {}
    assert os.path.exists(r.path("console.log"))
