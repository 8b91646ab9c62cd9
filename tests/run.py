#!/usr/bin/env python3
"""hgw's test runner: every component's unit tests (cmocka, TAP output) and
integration tests (pytest in tests/<component>/), one summary line at the end:
"N passed, N failed, N skipped".  Skips are listed by name with the reason.

Usage: tests/run.py --build DIR [--only COMPONENT] [--unit-only]
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

COMPONENTS = ["common", "netlinkd", "dhcp", "pppoed", "lte-modemd", "hybridd",
              "netdumpd", "vm", "lab"]
# Run only when asked for (make test-image): it needs the image built first.
EXTRA_COMPONENTS = ["image"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT_TIMEOUT = 300
PYTEST_TIMEOUT = 1500

TAP_LINE = re.compile(r"^(not ok|ok) (\d+)(?: -)? ?(.*)$")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = []
        self.skipped = []

    def summary(self):
        return f"{self.passed} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"


def run_unit(binary, comp, tally):
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    name = os.path.basename(binary)
    try:
        p = subprocess.run([binary], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=UNIT_TIMEOUT)
        out, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        rc = None
    seen_fail = False
    for line in out.splitlines():
        m = TAP_LINE.match(line.strip())
        if not m:
            continue
        status, _, rest = m.groups()
        test = f"{comp}/{name}:{rest.replace('# SKIP', '').strip(' -')}"
        if "# SKIP" in rest:
            tally.skipped.append(test)
        elif status == "ok":
            tally.passed += 1
        else:
            tally.failed.append(test)
            seen_fail = True
    if rc is None:
        tally.failed.append(f"{comp}/{name}: timed out after {UNIT_TIMEOUT}s")
    elif rc != 0 and not seen_fail:
        # A crash or sanitizer abort ends the binary before it reports.
        tally.failed.append(f"{comp}/{name}: exited with status {rc}")
    if rc != 0:
        sys.stdout.write(out[-6000:] + "\n")
    print(f"  {comp}/{name}: rc={rc}")


def run_pytest(comp, build, tally):
    tdir = os.path.join(ROOT, "tests", comp)
    os.makedirs(os.path.join(build, "test-results"), exist_ok=True)
    xml = os.path.join(build, "test-results", f"{comp}.xml")
    if os.path.exists(xml):
        os.unlink(xml)
    env = dict(os.environ, HGW_BUILD=os.path.abspath(build), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
           f"--junitxml={xml}", tdir]
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, timeout=PYTEST_TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = None
    if not os.path.exists(xml):
        tally.failed.append(f"{comp}: pytest produced no report (rc={rc})")
        return
    root = ET.parse(xml).getroot()
    for case in root.iter("testcase"):
        test = f"{comp}/{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            tally.failed.append(test)
        elif case.find("skipped") is not None:
            reason = case.find("skipped").get("message", "")
            tally.skipped.append(f"{test} ({reason})")
        else:
            tally.passed += 1
    if rc is None:
        tally.failed.append(f"{comp}: pytest timed out after {PYTEST_TIMEOUT}s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only")
    ap.add_argument("--unit-only", action="store_true")
    a = ap.parse_args()
    if a.only and a.only not in COMPONENTS + EXTRA_COMPONENTS:
        print(f"unknown component '{a.only}'; known: {' '.join(COMPONENTS + EXTRA_COMPONENTS)}",
              file=sys.stderr)
        return 2
    tally = Tally()
    empty = []
    for comp in [a.only] if a.only else COMPONENTS:
        units = sorted(b for b in glob.glob(os.path.join(a.build, "test", comp, "test_*"))
                       if os.access(b, os.X_OK) and not b.endswith((".o", ".d")))
        has_py = (not a.unit_only) and glob.glob(os.path.join(ROOT, "tests", comp, "test_*.py"))
        if not units and not has_py:
            empty.append(comp)
            continue
        print(f"== {comp}", flush=True)
        for b in units:
            run_unit(b, comp, tally)
        if has_py:
            run_pytest(comp, a.build, tally)
    if empty:
        print(f"no tests yet for: {' '.join(empty)} (not built yet, see README)")
    for s in tally.skipped:
        print(f"SKIPPED {s}")
    for f in tally.failed:
        print(f"FAILED {f}")
    print(tally.summary())
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
