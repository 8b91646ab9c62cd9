#!/bin/busybox sh
# /init of the hgw test VM's initramfs (copied in by vmharness.build_initrd).
# Its only job: load the virtio/9p/overlay modules listed in /modules.list,
# mount the host's root (9p tag "hostroot") read-only under a tmpfs overlay,
# mount the writable result share (9p tag "outshare") at /run/hgw-out, and
# switch_root into the stage-2 script named by hgw.stage2= on the kernel
# command line.  Everything else lives on the host and is seen through 9p.
/bin/busybox --install -s /bin
export PATH=/bin
fail() {
	echo "HGW-INIT-FAIL: $*"
	poweroff -f
	sleep 5
}
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r m; do
	insmod "$m" || echo "HGW-INIT: insmod $m failed"
done < /modules.list
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower ||
	fail "9p mount of the host root failed"
mount -t tmpfs -o size=768m rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	fail "overlay mount failed"
mount -t tmpfs -o mode=0755 run /newroot/run
mkdir -p /newroot/run/hgw-out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 outshare /newroot/run/hgw-out ||
	fail "9p mount of the result share failed"
STAGE2=$(sed -n 's/.*hgw\.stage2=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$STAGE2" ] || fail "no hgw.stage2= on the kernel command line"
[ -e "/newroot$STAGE2" ] || fail "stage 2 $STAGE2 not found on the host root"
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$STAGE2"
