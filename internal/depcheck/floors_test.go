package depcheck

// floors is the map of the module, bottom first. Paths are relative to the
// module. imports lists the module packages an entry may import from its
// own (non-test) files; tests lists what its _test.go files (package x and
// x_test) may import besides. Both are space-separated.
//
// To add a package: put it on the lowest floor above everything it
// imports, and list those imports (go list -f '{{.Imports}}
// {{.TestImports}} {{.XTestImports}}' ./the/package). An import that would
// need a higher floor is a sign that code sits in the wrong package: move
// the code, not the floor.
var floors = []floor{
	{
		name: "wire",
		rule: "api and errdefs are the wire types and error kinds every " +
			"package shares: standard library only",
		pkgs: map[string]allow{
			"api":     {},
			"errdefs": {},
		},
	},
	{
		name: "leaves",
		rule: "helpers with one small job and no module imports " +
			"(internal/healthexec is C run before the Go runtime starts)",
		pkgs: map[string]allow{
			"internal/atomicfile":        {},
			"internal/busyboxfs":         {},
			"internal/envpath":           {},
			"internal/healthexec":        {},
			"internal/logctx":            {},
			"internal/mounttree":         {},
			"internal/quarantine":        {},
			"internal/selfexe":           {},
			"internal/testutil":          {},
			"internal/testutil/command":  {},
			"internal/testutil/host":     {},
			"internal/testutil/registry": {},
			"internal/version":           {},
			"bench/internal/measure":     {},
		},
	},
	{
		name: "helpers",
		rule: "one concern each, below every engine: they never import " +
			"runtime, an engine, container, daemon, client or cmd " +
			"(internal/events: the event bus, api only)",
		pkgs: map[string]allow{
			"internal/archive":      {imports: "errdefs"},
			"internal/boltfile":     {imports: "errdefs"},
			"internal/capabilities": {imports: "errdefs"},
			"internal/cgroup":       {imports: "errdefs"},
			"internal/events":       {imports: "api"},
			"internal/monitor":      {imports: "api errdefs internal/selfexe"},
			"internal/privdir":      {imports: "internal/logctx"},
			"internal/rootfs":       {imports: "errdefs"},
			"internal/rootread":     {imports: "errdefs"},
			"internal/seccomp":      {imports: "errdefs"},
			"internal/signal":       {imports: "errdefs"},
		},
	},
	{
		name: "helpers on helpers",
		rule: "helpers built on another helper; the same limits as helpers",
		pkgs: map[string]allow{
			"internal/passwd": {imports: "errdefs internal/rootread"},
			// C run before the Go runtime starts (the namespace and
			// process stages), and the Go encoder of the process plan,
			// which resolves capability names.
			"internal/nsenter": {imports: "errdefs internal/capabilities", tests: "internal/testutil"},
		},
	},
	{
		name: "runtime",
		rule: "the OCI runtime: the setup helpers only; it knows nothing " +
			"of images, snapshots, networks, containers, the daemon or " +
			"the client",
		pkgs: map[string]allow{
			"runtime": {
				imports: "errdefs internal/atomicfile internal/capabilities internal/cgroup internal/envpath " +
					"internal/logctx internal/nsenter internal/privdir internal/rootfs internal/seccomp internal/selfexe",
				tests: "internal/busyboxfs",
			},
		},
	},
	{
		name: "engines",
		rule: "snapshot mounts layers, network wires containers, volume " +
			"keeps volumes: none imports another engine, container, daemon or client " +
			"(network's tests run processes with runtime)",
		pkgs: map[string]allow{
			"snapshot": {imports: "errdefs internal/mounttree"},
			"volume":   {imports: "errdefs internal/atomicfile internal/logctx internal/privdir"},
			"network": {
				imports: "errdefs internal/atomicfile internal/logctx",
				tests:   "internal/busyboxfs runtime",
			},
		},
	},
	{
		name: "image store",
		rule: "image stores layers and images; never runtime, builder, " +
			"distribution, network, container, daemon or client (its " +
			"tests mount layers with snapshot)",
		pkgs: map[string]allow{
			"image": {
				imports: "errdefs internal/archive internal/atomicfile internal/boltfile internal/envpath " +
					"internal/logctx internal/mounttree internal/privdir internal/quarantine",
				tests: "snapshot",
			},
		},
	},
	{
		name: "engines on images",
		rule: "distribution moves images to and from registries and " +
			"archives, builder builds them; neither imports the other, " +
			"network, container, daemon or client (a FROM that must pull " +
			"gets a function from main)",
		pkgs: map[string]allow{
			"distribution": {
				imports: "errdefs image internal/archive internal/atomicfile",
				tests:   "internal/busyboxfs",
			},
			"builder": {
				imports: "errdefs image internal/logctx internal/mounttree internal/passwd internal/quarantine " +
					"internal/rootread internal/seccomp internal/signal runtime snapshot",
			},
		},
	},
	{
		name: "container service",
		rule: "container owns containers' lifecycle over the engines and " +
			"speaks api; never daemon, client or cmd",
		pkgs: map[string]allow{
			"container": {
				imports: "api errdefs image internal/archive internal/atomicfile internal/boltfile internal/capabilities " +
					"internal/cgroup internal/envpath internal/events internal/healthexec internal/logctx internal/monitor " +
					"internal/mounttree internal/passwd internal/privdir internal/quarantine internal/seccomp " +
					"internal/signal network runtime snapshot volume",
				tests: "internal/busyboxfs",
			},
		},
	},
	{
		name: "HTTP and client",
		rule: "daemon is only HTTP: wire types and small helpers, never " +
			"an engine, runtime, container or a setup helper (the " +
			"services reach it through interfaces filled by main); client " +
			"speaks the wire only",
		pkgs: map[string]allow{
			"daemon": {imports: "api errdefs internal/logctx internal/version", tests: "internal/events"},
			"client": {imports: "api errdefs"},
		},
	},
	{
		name: "Docker Engine API",
		rule: "daemon/docker translates Docker's wire (the pinned " +
			"github.com/moby/moby/api types) to the service interfaces " +
			"daemon declares: HTTP only, like daemon; never an engine, " +
			"runtime, container or a setup helper (files it needs, such " +
			"as a build context, come from a function main gives it)",
		pkgs: map[string]allow{
			"daemon/docker": {imports: "api daemon errdefs internal/logctx internal/version"},
		},
	},
	{
		name: "commands",
		rule: "the binaries and composition roots: container-runtimed " +
			"wires the engines into daemon; the CLI reaches the daemon " +
			"through client only; container-runtime-oci is runtime's CLI; " +
			"container-runtime-init holds only runtime's container stages",
		pkgs: map[string]allow{
			"cmd/container-runtime":      {imports: "api client errdefs internal/archive internal/atomicfile internal/version"},
			"cmd/container-runtime-oci":  {imports: "errdefs internal/cgroup internal/logctx internal/signal internal/version runtime"},
			"cmd/container-runtime-init": {imports: "internal/healthexec runtime"},
			"cmd/container-runtimed": {
				imports: "api builder container daemon daemon/docker distribution errdefs image internal/archive " +
					"internal/atomicfile internal/cgroup internal/events internal/logctx internal/privdir internal/version " +
					"network runtime volume",
			},
		},
	},
	{
		name: "test harness",
		rule: "runs the built binaries (ours through client) and peer " +
			"daemons; for tests, integration/ and bench/ only",
		pkgs: map[string]allow{
			"internal/testutil/daemon": {imports: "api client internal/busyboxfs internal/testutil"},
			"internal/testutil/dockerd": {
				imports: "internal/testutil internal/testutil/command internal/testutil/host",
			},
		},
	},
	{
		name: "tests and benchmarks",
		rule: "integration suites and benchmarks may use any lower " +
			"floor; nothing imports them",
		pkgs: map[string]allow{
			"internal/depcheck":          {},
			"integration/conformance":    {tests: "internal/testutil"},
			"integration/cgroupv2":       {imports: "internal/busyboxfs"},
			"integration/cgroupv2/guest": {tests: "internal/cgroup"},
			"integration/kubernetes": {
				tests: "internal/busyboxfs internal/testutil/command internal/testutil/host internal/testutil/registry",
			},
			"integration/distribution": {
				tests: "distribution image internal/busyboxfs internal/testutil/command " +
					"internal/testutil/dockerd internal/testutil/host internal/testutil/registry snapshot",
			},
			"integration/dockercli":     {tests: "internal/testutil/daemon internal/testutil/host internal/testutil/registry"},
			"integration/dockerclients": {tests: "internal/testutil/daemon"},
			"integration/e2e":           {tests: "api internal/testutil/daemon internal/testutil/host internal/testutil/registry"},
			"integration/network": {
				tests: "api client errdefs internal/busyboxfs internal/testutil/daemon network",
			},
			"integration/ocicompat": {
				tests: "internal/busyboxfs internal/testutil/command internal/testutil/dockerd " +
					"internal/testutil/host",
			},
			"integration/registry": {
				tests: "api errdefs internal/busyboxfs internal/testutil/daemon internal/testutil/registry",
			},
			"integration/security": {
				tests: "api errdefs internal/boltfile internal/busyboxfs internal/testutil/daemon runtime",
			},
			"bench/buildcompare": {
				imports: "bench/internal/measure builder image internal/testutil/dockerd internal/testutil/host runtime",
			},
			"bench/daemoncompare": {
				imports: "api bench/internal/measure client errdefs image internal/testutil/daemon internal/testutil/dockerd " +
					"internal/testutil/host network runtime",
			},
			"bench/clicompare":  {imports: "bench/internal/measure"},
			"bench/ocicompare":  {imports: "bench/internal/measure internal/busyboxfs runtime"},
			"bench/pullcompare": {imports: "bench/internal/measure distribution image"},
		},
	},
}

// testOnly are the test helpers (each with its subpackages): only _test.go
// files, integration/*, bench/* and the helpers themselves may import
// them.
var testOnly = []string{"internal/testutil"}

// everyTest are the packages any package's _test.go files may import
// without listing them: internal/testutil (RequireRoot, RequireTool,
// WaitFor), which every test that needs root or a tool uses. It imports no
// module package, so no floor can be crossed through it.
var everyTest = []string{"internal/testutil"}
