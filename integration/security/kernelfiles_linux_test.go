package security

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// kernelFilesScript tries, as root in a container, to write the kernel
// interfaces Docker makes read-only and to read those it masks. Each
// write puts back what the file already holds (or "h", sysrq's help), so
// that an attack that succeeds changes nothing on the host. Lines:
// "write NAME WRITTEN|denied|absent", "read PATH BYTES|absent",
// "list PATH ENTRIES|absent".
const kernelFilesScript = `
wb() {
	[ -e "$2" ] || { echo "write $1 absent"; return; }
	v=$(cat "$2" 2>/dev/null)
	if { printf '%s\n' "$v" > "$2"; } 2>/dev/null; then echo "write $1 WRITTEN"; else echo "write $1 denied"; fi
}
try() {
	name=$1; shift
	if "$@" 2>/dev/null; then echo "write $name WRITTEN"; else echo "write $name denied"; fi
}
wb core_pattern /proc/sys/kernel/core_pattern
wb modprobe /proc/sys/kernel/modprobe
wb panic_on_oom /proc/sys/vm/panic_on_oom
wb hostname-sysctl /proc/sys/kernel/hostname
wb uevent_helper /sys/kernel/uevent_helper
if { echo h > /proc/sysrq-trigger; } 2>/dev/null; then echo "write sysrq-trigger WRITTEN"; else echo "write sysrq-trigger denied"; fi
try sys-create touch /sys/crt-probe
try cgroup-mkdir mkdir /sys/fs/cgroup/crt-probe
try cgroup-pids-mkdir mkdir /sys/fs/cgroup/pids/crt-probe
try remount-proc-sys mount -o remount,rw /proc/sys
try remount-sys mount -o remount,rw /sys
try umount-kcore umount /proc/kcore
try umount-firmware umount /sys/firmware
for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats /proc/interrupts; do
	if [ -e $p ]; then echo "read $p $(head -c 4096 $p 2>/dev/null | wc -c)"; else echo "read $p absent"; fi
done
for p in /sys/firmware /proc/acpi /proc/scsi /proc/asound /sys/devices/virtual/powercap; do
	if [ -d $p ]; then echo "list $p $(ls -A $p 2>/dev/null | wc -l)"; else echo "list $p absent"; fi
done
`

// hostKernelFiles are host files the script writes back to, compared
// before and after.
var hostKernelFiles = []string{"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe", "/proc/sys/vm/panic_on_oom"}

// TestKernelFiles_ReadOnlyAndMasked guards the host's kernel interfaces
// that a container's procfs and sysfs expose: writes to /proc/sys (such
// as kernel.core_pattern, whose pipe handler runs as root on the host),
// /proc/sysrq-trigger and /sys must fail, remounting them writable or
// unmounting a mask must fail, and the masked paths (/proc/kcore,
// /proc/keys, /proc/timer_list, /sys/firmware, /proc/acpi, /proc/scsi and
// the rest of Docker's list) must read empty, in run and in exec.
func TestKernelFiles_ReadOnlyAndMasked(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := map[string]string{}
	for _, p := range hostKernelFiles {
		b, _ := os.ReadFile(p)
		before[p] = string(b)
	}
	logHostSizes(t)

	d.OK(t, "run", "-d", "--name", "kf", img, "sleep", "1000")
	for name, args := range map[string][]string{
		"run":  {"run", "--rm", img, "sh", "-c", kernelFilesScript},
		"exec": {"exec", "kf", "sh", "-c", kernelFilesScript},
	} {
		t.Run(name, func(t *testing.T) {
			out := d.OK(t, args...)
			checkKernelFiles(t, out)
			t.Logf("what the container got:\n%s", out)
		})
	}
	for _, p := range hostKernelFiles {
		if b, _ := os.ReadFile(p); string(b) != before[p] {
			t.Errorf("host %s changed: %q, was %q", p, b, before[p])
		}
	}
}

// checkKernelFiles fails the test for each attempt of kernelFilesScript
// that succeeded.
func checkKernelFiles(t *testing.T, out string) {
	t.Helper()
	writes := attackerLines(out, "write")
	if len(writes) < 10 {
		t.Fatalf("the script did not run through:\n%s", out)
	}
	for _, f := range writes {
		if f[1] == "WRITTEN" {
			t.Errorf("%s: the container could write or remount it", f[0])
		}
	}
	for _, word := range []string{"read", "list"} {
		for _, f := range attackerLines(out, word) {
			if f[1] == "absent" {
				continue
			}
			if n, err := strconv.Atoi(f[1]); err != nil || n != 0 {
				t.Errorf("masked %s is not empty in the container: %s %s", f[0], word, f[1])
			}
		}
	}
}

// logHostSizes logs which masked paths hold something on this host: the
// read checks prove something only for those.
func logHostSizes(t *testing.T) {
	var held []string
	for _, p := range []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/interrupts"} {
		if f, err := os.Open(p); err == nil {
			b := make([]byte, 1)
			if n, _ := f.Read(b); n > 0 {
				held = append(held, p)
			}
			f.Close()
		}
	}
	for _, p := range []string{"/sys/firmware", "/proc/acpi", "/proc/scsi", "/proc/asound", "/sys/devices/virtual/powercap"} {
		if es, err := os.ReadDir(p); err == nil && len(es) > 0 {
			held = append(held, p)
		}
	}
	t.Logf("masked paths with content on this host: %s", strings.Join(held, " "))
}
