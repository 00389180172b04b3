package envpath

import "testing"

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"none", []string{"HOME=/root"}, Default},
		{"set", []string{"PATH=/bin", "HOME=/"}, "/bin"},
		{"last wins", []string{"PATH=/bin", "PATH=/opt/bin"}, "/opt/bin"},
		{"empty", []string{"PATH="}, ""},
		{"prefix only", []string{"PATHX=/x"}, Default},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.env); got != tc.want {
				t.Errorf("Of(%q) = %q, want %q", tc.env, got, tc.want)
			}
		})
	}
}
