# The VM suite: boot every collected module's VM at once (see vmcase.py).
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmcase  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _boot_all_vms():
    # HGW_VM_SERIAL=1 boots one VM at a time (for timing a single module).
    if os.environ.get("HGW_VM_SERIAL") != "1":
        vmcase.start_all()
    yield
