// Package envpath holds the PATH a process gets when nothing sets one, in
// one place for the images the engine makes, the containers it creates
// and the runtime's executable lookup, so that they cannot drift apart.
package envpath

import "strings"

// Default is Docker's PATH for a container whose image sets none (moby's
// oci.DefaultPathEnv); the images the engine makes start with it too.
const Default = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Of returns the PATH that env (KEY=value entries) sets, the last one
// winning as in a process's environment, or Default when it sets none.
func Of(env []string) string {
	path := Default
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	return path
}
