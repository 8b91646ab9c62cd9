#!/bin/bash
# Smallest guest script: proves the harness round trip (used by test_harness.py).
. "$(dirname "$0")/lib.sh"
c_root_overlay() {
	check "host root visible" test -x "$HGW_ROOT/tests/vm/vmharness.py"
	touch /etc/hgw-vm-write-test || fail "overlay is not writable"
	note "kernel $(uname -r), $(nproc) cpus"
}
c_fail() { fail "deliberate failure"; }
c_skip() { skip "deliberate skip"; }
run_case root_overlay c_root_overlay
[ "${1:-}" = all ] && { run_case fail c_fail; run_case skip c_skip; run_case exit3 false; }
[ "${1:-}" = hang ] && sleep 1000
exit 0
