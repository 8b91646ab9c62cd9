#!/bin/bash
# The harness checking itself (tests/vm/test_harness.py): every verdict a case
# can have, the host root and overlay, and (with argument "hang") a case that
# never ends, which the guest-side timeout must stop and report as FAIL.
. "$(dirname "$0")/lib.sh"
c_root_overlay() {
	check "host root visible at the same path" test -f "$HGW_ROOT/tests/vm/vmharness.py"
	check "kernel modules of the running kernel" test -d "/lib/modules/$(uname -r)/kernel"
	touch /etc/hgw-vm-write-test || fail "overlay is not writable"
	touch "$HGW_ROOT/hgw-vm-write-test" 2>/dev/null
	echo hello > "$HGW_OUT/smoke-file.txt" || fail "result share is not writable"
	note "kernel $(uname -r), $(nproc) cpus"
}
c_fail() { fail "deliberate failure"; }
c_skip() { skip "deliberate skip"; }
c_hang() { sleep 1000; }
run_case root_overlay c_root_overlay
run_case deliberate_fail c_fail
run_case deliberate_skip c_skip
run_case deliberate_false false
[ "${1:-}" = hang ] && run_case deliberate_hang c_hang
exit 0
