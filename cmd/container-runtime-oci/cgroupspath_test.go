package main

import (
	"errors"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestSystemdCgroupsPath(t *testing.T) {
	valid := []struct{ in, want string }{
		{"", ""},
		{"system.slice:docker:abc", "/system.slice/docker-abc.scope"},
		{":containerd:abc", "/system.slice/containerd-abc.scope"},
		{"kubepods-besteffort-pod1.slice:cri-containerd:abc",
			"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope"},
		{"-.slice:p:n", "/p-n.scope"},
		{"machine.slice::n", "/machine.slice/n.scope"},
		{"system.slice:p:my.slice", "/system.slice/my.slice"},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			got, err := systemdCgroupsPath(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("systemdCgroupsPath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	invalid := []string{"/docker/abc", "a:b", "a:b:c:d", "system:docker:abc", "a--b.slice:p:n",
		"a-.slice:p:n", ".slice:p:n", "system.slice:p:", "system.slice:p:a/b", "a/b.slice:p:n"}
	for _, in := range invalid {
		t.Run("invalid "+in, func(t *testing.T) {
			got, err := systemdCgroupsPath(in)
			if err == nil {
				t.Fatalf("systemdCgroupsPath(%q) = %q, want an error", in, got)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %v is not ErrInvalidArgument", err)
			}
		})
	}
}
