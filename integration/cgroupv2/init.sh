#!/bin/sh
# The cgroupv2 guest's init (PID 1), run by busybox sh from the initramfs.
#
# Stage 1 copies the root into a tmpfs and switch_roots there: the
# initramfs itself is the kernel's rootfs, which pivot_root cannot move
# (EINVAL), and the runtime always pivots into a container's root.
# Stage 2 mounts the kernel filesystems and cgroup2 alone, enables the
# controllers, runs the guest tests and prints the marker line
#   CGROUPV2-GUEST-EXIT <code>
# that the host waits for, then powers off. Any setup failure prints the
# marker with a nonzero code too, so the host never waits for nothing.
export PATH=/usr/bin:/bin

finish() {
	echo "CGROUPV2-GUEST-EXIT $1"
	# Let the serial port drain the last lines before the power goes.
	sleep 1
	poweroff -f
	# If poweroff fails, init exits: the kernel panics, and with panic=-1
	# and QEMU's -no-reboot that ends QEMU as well.
	exit "$1"
}

step() {
	"$@" || { echo "cgroupv2-guest: setup failed: $*"; finish 100; }
}

if [ "$1" != stage2 ]; then
	step mount -t tmpfs -o mode=0755 root /newroot
	for f in /*; do
		[ "$f" = /newroot ] || step cp -a "$f" /newroot/
	done
	exec switch_root /newroot /init stage2
	echo "cgroupv2-guest: switch_root failed"
	finish 101
fi

step mount -t proc proc /proc
step mount -t sysfs sysfs /sys
step mount -t devtmpfs devtmpfs /dev
step mkdir -p /dev/pts /dev/shm
step mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
step mount -t tmpfs -o mode=1777 shm /dev/shm
step mount -t tmpfs -o mode=0755 run /run
step mount -t tmpfs -o mode=1777 tmp /tmp
step mount -t cgroup2 cgroup2 /sys/fs/cgroup
step ip link set lo up
for c in memory cpu pids io cpuset; do
	step sh -c "echo +$c > /sys/fs/cgroup/cgroup.subtree_control"
done
echo "cgroupv2-guest: kernel $(uname -r), $(nproc) CPUs, cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

cd /tmp
CI=true "/cgroupv2-guest.test" -test.v -test.timeout 5m 2>&1
finish $?
