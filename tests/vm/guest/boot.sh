#!/bin/bash
# Stage 2 of the hgw test VM: PID 1 after switch_root into the host root
# (read-only 9p + tmpfs overlay).  Sets up the mounts a test needs, runs the
# guest script named in /run/hgw-out/job.env under a timeout, and powers off.
# Whatever happens, it ends in poweroff: a PID 1 that exits panics the kernel
# (panic=-1 + qemu -no-reboot also ends the VM, but with a less clear log).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HGW_OUT=/run/hgw-out
read -r up _ < /proc/uptime
echo "$up" > "$HGW_OUT/stage2-uptime"
echo "HGW-VM: stage 2 at uptime ${up}s"

# shellcheck disable=SC1091
. "$HGW_OUT/job.env"
: "${HGW_SCRIPT:?job.env names no HGW_SCRIPT}" "${HGW_TIMEOUT:=120}"
export HGW_SCRIPT HGW_ROOT HGW_BUILD HGW_TIMEOUT HGW_VM_TRACE

# A fresh /tmp for the tests, but the checkout and its build dir may live
# under the host's /tmp (CI clones there): bind those back, or the guest
# would not find its own script.
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs -o mode=1777 tmp /tmp
for p in "$HGW_ROOT" "$HGW_BUILD"; do
	case "$p" in
	/tmp/?*)
		rel=${p#/tmp/}
		if [ -d "/run/host-tmp/$rel" ] && ! mountpoint -q "/tmp/$rel"; then
			mkdir -p "/tmp/$rel" && mount --bind "/run/host-tmp/$rel" "/tmp/$rel"
		fi
		;;
	esac
done
mkdir -p /dev/pts /dev/shm /run/netns /run/lock /var/run
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx 2>/dev/null
mount -t tmpfs shm /dev/shm
hostname hgw-vm
ip link set lo up
# Namespaces created by the tests copy these: no DAD, link-local usable at once.
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.all.accept_dad=0 \
	net.ipv6.conf.default.accept_dad=0

# A guest that overruns its time is stopped here first (its result lines so far
# stay); the host has its own, later, hard timeout for a VM that hangs anyway.
read -r up _ < /proc/uptime
echo "HGW-VM: setup done at uptime ${up}s"
echo "HGW-VM: running $HGW_SCRIPT (timeout ${HGW_TIMEOUT}s)"
timeout -k 5 "$HGW_TIMEOUT" /bin/bash "$HGW_SCRIPT" "${HGW_ARGS[@]}" 2>&1 |
	tee "$HGW_OUT/guest.log"
rc=${PIPESTATUS[0]}
echo "$rc" > "$HGW_OUT/guest-rc"
# A case cut short by the timeout gets its line here (lib.sh notes which ran).
if [ -s "$HGW_OUT/current-case" ]; then
	c=$(cat "$HGW_OUT/current-case")
	echo "CASE $c FAIL guest script stopped after ${HGW_TIMEOUT}s while this case ran" >> "$HGW_OUT/results.txt"
	echo "---- tail of $c.log"; tail -n 30 "$HGW_OUT/$c.log"; echo "----"
fi
read -r up _ < /proc/uptime
echo "HGW-VM: guest script exited $rc at uptime ${up}s"
sync
umount "$HGW_OUT" 2>/dev/null
poweroff -f
