package security

import (
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestSeccomp_DockerBlockedSyscalls guards the system calls Docker's
// default seccomp profile refuses to a container with the default
// capabilities, each a known way out or a host-wide effect: new user or
// mount namespaces (the first step of many kernel exploits), setns,
// mount and the new mount API, umount2, pivot_root, the kernel keyring
// (keyctl, add_key, request_key: not namespaced), bpf, perf_event_open,
// userfaultfd (the usual helper of kernel races), kexec_load and
// kexec_file_load, module loading, reboot, swapon/swapoff, acct, setting
// the clocks, syslog, quotactl, open_by_handle_at ("shocker"), vhangup,
// clone3 (ENOSYS, so that libc falls back to clone, whose namespace flags
// the profile checks) and, on x86, iopl, ioperm, uselib and the obsolete
// ones.
//
// The attacker calls each with harmless arguments as root, in run and in
// exec; each must fail with EPERM (refused) or ENOSYS. With
// --security-opt seccomp=unconfined, some of the same calls get other
// answers: the attacker can tell refused from allowed.
func TestSeccomp_DockerBlockedSyscalls(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	dir := buildAttacker(t, "")
	mount := attackerMount(dir)
	args := append([]string{"run", "-d", "--name", "sys"}, mount...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	run := append(append([]string{"run", "--rm"}, mount...), img, attackerPath, "syscalls")
	for name, args := range map[string][]string{
		"run":  run,
		"exec": {"exec", "sys", attackerPath, "syscalls"},
	} {
		t.Run(name, func(t *testing.T) {
			out := d.OK(t, args...)
			calls := attackerLines(out, "sys")
			if len(calls) < 30 {
				t.Fatalf("the attacker tried only %d system calls:\n%s", len(calls), out)
			}
			for _, f := range calls {
				if got := f[len(f)-1]; got != "EPERM" && got != "ENOSYS" {
					t.Errorf("%s answered %s in the container: not refused by the seccomp profile", strings.Join(f[:len(f)-1], " "), got)
				}
			}
		})
	}
	t.Run("unconfined-control", func(t *testing.T) {
		unconfined := append(append([]string{"run", "--rm", "--security-opt", "seccomp=unconfined"}, mount...), img, attackerPath, "syscalls")
		out := d.OK(t, unconfined...)
		allowed := 0
		for _, f := range attackerLines(out, "sys") {
			if got := f[len(f)-1]; got != "EPERM" && got != "ENOSYS" {
				allowed++
			}
		}
		if allowed < 3 {
			t.Errorf("without seccomp only %d calls got another answer than EPERM or ENOSYS: the check cannot tell\n%s", allowed, out)
		}
	})
}

// TestShocker_OpenByHandleAt guards the 2014 "shocker" breakout of Docker
// 0.11: open_by_handle_at, given a descriptor of any file on a host file
// system bind-mounted into the container (/etc/hosts, a volume) and a
// forged handle for inode 2, opens the root directory of the host's file
// system. The capability it needs (CAP_DAC_READ_SEARCH) is not among
// Docker's defaults and the seccomp profile refuses the call: it must
// fail, through /etc/hosts and through a -v volume, in run and exec.
func TestShocker_OpenByHandleAt(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	dir := buildAttacker(t, "")
	mount := attackerMount(dir)
	args := append([]string{"run", "-d", "--name", "shock"}, mount...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	for _, anchor := range []string{"/etc/hosts", attackerPath} {
		for name, prefix := range map[string][]string{
			"run":  append(append([]string{"run", "--rm"}, mount...), img),
			"exec": {"exec", "shock"},
		} {
			t.Run(name+anchor, func(t *testing.T) {
				out := d.OK(t, append(prefix, attackerPath, "shocker", anchor)...)
				res := attackerLines(out, "shocker")
				if len(res) == 0 {
					t.Fatalf("the attacker did not try:\n%s", out)
				}
				if res[0][0] == "ok" {
					t.Errorf("shocker: open_by_handle_at through %s opened the host's root:\n%s", anchor, out)
				}
			})
		}
	}
}
