// Package host looks after what tests and benchmarks change on the host
// outside their own directories, and puts it back: mounts left under a
// directory, cgroups made for containers, paths a peer daemon creates in
// /run and /opt, and the firewall a peer daemon could rewrite.
//
// Functions return errors instead of failing a test, so that bench
// commands use them as the tests do.
package host
