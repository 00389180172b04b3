package container

import "github.com/container-runtime/container-runtime/network"

// etcNames are the files of /etc that each container gets its own copy
// of, bound over the image's. The network package writes them (see
// Network.Configure).
var etcNames = [...]string{"hostname", "hosts", "resolv.conf"}

// etcPaths returns where the container whose directory is dir keeps its
// /etc files, by name.
func etcPaths(dir string) map[string]string {
	f := network.EtcPaths(dir)
	return map[string]string{"hostname": f.Hostname, "hosts": f.Hosts, "resolv.conf": f.ResolvConf}
}
