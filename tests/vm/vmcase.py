"""pytest glue for VM guest scripts: one boot per test module, one pytest
test per guest case.

    GUEST = vmcase.GuestScript("pppoe.sh", ["pppoe_chap", ...])
    vm = GUEST.fixture()                      # module-scoped fixture

    @pytest.mark.parametrize("case", GUEST.cases)
    def test_guest(vm, case):
        vm.check(case)                        # PASS -> returns, SKIP -> skip, else fail

The case list is declared on the host so pytest knows the tests before the
VM boots; a case the guest never reports fails (with the console tail), and
a case the guest reports that is not declared fails test_run_clean.

Every GuestScript declared by the collected modules boots at the start of the
session (tests/vm/conftest.py calls start_all), HGW_VM_PARALLEL (default 2)
at a time, longest first by the wall time of its previous run: a TCG guest
spends much of its time waiting on protocol timers, so overlapping two boots
roughly halves the suite's wall time on two cores, while more than two make
every guest's timers late.  The module fixture then only waits for its VM.
"""
import os
import threading

import pytest

import vmharness


class VMRun:
    """A finished VM boot as the tests see it."""

    def __init__(self, res, declared):
        self.res = res
        self.declared = declared

    @property
    def out_dir(self):
        return self.res.out_dir

    def path(self, rel):
        return self.res.path(rel)

    def read(self, rel):
        return self.res.read(rel)

    def _context(self, case=None, lines=30, console=False):
        parts = [self.res.summary()]
        if case:
            log = self.res.read(f"{case}.log")
            if log:
                tail = "\n".join(log.splitlines()[-lines:])
                parts.append(f"--- tail of guest {case}.log:\n{tail}")
        if self.res.error or case is None or console:
            parts.append(f"--- console tail ({self.res.path('console.log')}):\n"
                         f"{self.res.console_tail(lines)}")
        parts.append(f"(all guest output in {self.res.out_dir})")
        return "\n".join(parts)

    def check(self, case):
        """Turns the guest's verdict on one case into the pytest outcome."""
        if case not in self.res.cases:
            why = self.res.error or "the guest script ended without reporting it"
            pytest.fail(f"guest case {case} has no result: {why}\n"
                        f"{self._context(case, console=True)}",
                        pytrace=False)
        status, reason = self.res.cases[case]
        if status == "SKIP":
            pytest.skip(f"guest skipped {case}: {reason}")
        if status != "PASS":
            pytest.fail(f"guest case {case} {status}: {reason}\n{self._context(case)}",
                        pytrace=False)
        return reason

    def check_clean(self):
        """The run as a whole: ended normally, every reported case declared."""
        problems = []
        if self.res.error:
            problems.append(self.res.error)
        extra = [c for c in self.res.cases if c not in self.declared]
        if extra:
            problems.append(f"guest reported undeclared cases {extra}: add them to the test module")
        if self.res.extra_lines:
            problems.append(f"unparsable lines in results.txt: {self.res.extra_lines[:5]}")
        if problems:
            pytest.fail("; ".join(problems) + "\n" + self._context(), pytrace=False)


REGISTRY = []
_SLOTS = threading.Semaphore(int(os.environ.get("HGW_VM_PARALLEL", "2")))


class GuestScript:
    def __init__(self, script, cases, args=(), timeout=None, guest_timeout=None):
        self.script = os.path.join(vmharness.GUEST_DIR, script)
        self.name = os.path.splitext(script)[0]
        self.cases = list(cases)
        self.args = list(args)
        self.timeout = timeout
        self.guest_timeout = guest_timeout
        self._thread = None
        self._result = None      # VMResult, or the exception the boot raised
        REGISTRY.append(self)

    def last_wall(self):
        """Wall time of this script's previous run (its summary.txt), else a guess."""
        try:
            with open(os.path.join(vmharness.build_dir(), "vm", "runs", self.name,
                                   "summary.txt")) as f:
                return float(f.read().split("wall ")[1].split("s")[0])
        except (OSError, IndexError, ValueError):
            return 10.0 * len(self.cases)

    def _run(self):
        try:
            with _SLOTS:
                res = vmharness.run(self.script, name=self.name, args=self.args,
                                    timeout=self.timeout, guest_timeout=self.guest_timeout)
            # The timing line ends up in the run dir for the record.
            with open(res.path("summary.txt"), "w") as f:
                f.write(res.summary() + "\n")
            self._result = res
        except Exception as e:   # handed to the module's fixture, reported there
            self._result = e

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"vm-{self.name}",
                                            daemon=True)
            self._thread.start()

    def boot(self):
        self.start()
        self._thread.join()
        r = self._result
        if isinstance(r, vmharness.VMUnavailable):
            pytest.skip(f"VM cannot run here: {r}")
        if isinstance(r, Exception):
            raise r
        return VMRun(r, self.cases)

    def fixture(self):
        @pytest.fixture(scope="module")
        def vm():
            return self.boot()
        return vm


def start_all():
    """Boots every declared guest script in the background.  The initramfs
    is built once first so the parallel runs do not race to build it."""
    if not REGISTRY:
        return
    try:
        vmharness.build_initrd()
    except vmharness.VMUnavailable:
        pass          # each fixture skips with the reason
    for g in sorted(REGISTRY, key=lambda g: -g.last_wall()):
        g.start()
