package cgroup

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/opencontainers/cgroups"
	// The devices package registers the v1 and v2 device-rule writers into
	// the library (cgroups.DevicesSetV1/V2) from its init(). Without this
	// import the library does not fail on an empty rule list: it skips the
	// devices controller and the container can open every device of the
	// host. TestDeviceWritersRegistered guards it.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// cgroupRoot is where every cgroup hierarchy is mounted (the library
// assumes it too).
const cgroupRoot = "/sys/fs/cgroup"

// manager implements Manager over the library's fs (v1 and hybrid) or fs2
// (v2) manager.
type manager struct {
	// name is the cgroup's path below the hierarchies' roots, for messages.
	name   string
	layout Layout
	lib    cgroups.Manager
	// res is what Apply sets: the resources given to New, converted. Nil
	// after Load.
	res *cgroups.Resources
	// unified is linux.resources.unified given to New. The v1 manager does
	// not take it; on a hybrid host it is written to the cgroup2 hierarchy.
	unified map[string]string
	// hybridRoot is the cgroup2 mount point of a hybrid host.
	hybridRoot string
	// kernelTCP is linux.resources.memory.kernelTCP given to New, written
	// by Apply on a v1 memory controller (see setKernelTCP).
	kernelTCP *int64
}

// New validates r, converts it for this host and returns a manager for the
// container's cgroup: cgroupsPath is spec.Linux.CgroupsPath ("" gives
// /container-runtime/<id>; see resolvePath for the other forms). Nothing is
// created on disk until Apply.
func New(id, cgroupsPath string, r *specs.LinuxResources) (Manager, error) {
	if err := Validate(r); err != nil {
		return nil, err
	}
	inner, err := resolvePath(id, cgroupsPath)
	if err != nil {
		return nil, err
	}
	layout := Mode()
	res, err := toResources(r, layout)
	if err != nil {
		return nil, err
	}
	m := &manager{name: inner, layout: layout, res: res, hybridRoot: filepath.Join(cgroupRoot, "unified"), kernelTCP: kernelTCPOf(r)}
	if r != nil && layout == Hybrid {
		m.unified = maps.Clone(r.Unified)
	}
	// The library keeps cg and reads cg.Resources in Apply (cpuset, rt
	// scheduling); give it a copy so set() may hand res over freely.
	cg := &cgroups.Cgroup{Path: inner, Resources: copyResources(res)}
	if layout == Unified {
		m.lib, err = fs2.NewManager(cg, filepath.Join(cgroupRoot, inner))
	} else if mounts := v1Mounts.get(); mounts != nil {
		paths := make(map[string]string, len(mounts))
		for ctrl, mnt := range mounts {
			paths[ctrl] = mnt + inner
		}
		m.lib, err = fs.NewManager(cg, paths)
	} else {
		// Finds each controller's mount point (reads only).
		m.lib, err = fs.NewManager(cg, nil)
		if err == nil {
			v1Mounts.learn(m.lib.GetPaths(), inner)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("preparing cgroup %s: %w", inner, tag(err))
	}
	return m, nil
}

// v1Mounts keeps where each v1 controller's hierarchy is mounted, as the
// library found it for the first New: it looks them up in
// /proc/self/mountinfo at every New otherwise (0.2 ms of every start),
// and the hierarchies of a host do not move under a running daemon.
var v1Mounts mountCache

type mountCache struct {
	mu     sync.Mutex
	mounts map[string]string // controller -> mount point
}

func (c *mountCache) get() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mounts
}

// learn takes the mount points from the paths the library gave for the
// cgroup inner (an absolute path: each is mount point + inner), unless
// one of them is not of that form.
func (c *mountCache) learn(paths map[string]string, inner string) {
	mounts := make(map[string]string, len(paths))
	for ctrl, p := range paths {
		mnt, ok := strings.CutSuffix(p, inner)
		if !ok || !strings.HasPrefix(inner, "/") || mnt == "" {
			return
		}
		mounts[ctrl] = mnt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mounts = mounts
}

// newUnifiedAt returns a v2 manager for the cgroup directory dir, which may
// be anywhere (tests point it at a fake tree).
func newUnifiedAt(dir string, res *cgroups.Resources) (*manager, error) {
	lib, err := fs2.NewManager(&cgroups.Cgroup{Resources: copyResources(res)}, dir)
	if err != nil {
		return nil, err
	}
	return &manager{name: dir, layout: Unified, lib: lib, res: res}, nil
}

// Load returns the manager of an existing cgroup from the paths saved from
// Paths. The paths must be cgroup directories of this host's layout.
func Load(paths map[string]string) (Manager, error) {
	layout := Mode()
	if err := checkPaths(paths, layout); err != nil {
		return nil, err
	}
	m := &manager{name: describe(paths), layout: layout, hybridRoot: filepath.Join(cgroupRoot, "unified")}
	cg := &cgroups.Cgroup{Resources: &cgroups.Resources{}}
	var err error
	if layout == Unified {
		m.lib, err = fs2.NewManager(cg, paths[""])
	} else {
		m.lib, err = fs.NewManager(cg, maps.Clone(paths))
	}
	if err != nil {
		return nil, fmt.Errorf("loading cgroup %s: %w", m.name, tag(err))
	}
	return m, nil
}

// checkPaths refuses saved paths that cannot be this host's cgroup
// directories, so that a corrupt state file cannot make Destroy remove
// other directories, or a whole hierarchy's root.
func checkPaths(paths map[string]string, layout Layout) error {
	if len(paths) == 0 {
		return fmt.Errorf("loading cgroup: no paths: %w", errdefs.ErrInvalidArgument)
	}
	if _, ok := paths[""]; layout == Unified && (!ok || len(paths) != 1) {
		return fmt.Errorf("loading cgroup %s: a cgroup v2 host needs exactly one path, keyed \"\": %w",
			describe(paths), errdefs.ErrInvalidArgument)
	}
	// v1 paths are <root>/<hierarchy>/<cgroup...>; v2 ones <root>/<cgroup...>.
	minDepth := 2
	if layout == Unified {
		minDepth = 1
	}
	for key, p := range paths {
		rel, ok := strings.CutPrefix(p, cgroupRoot+"/")
		if !ok || filepath.Clean(p) != p || len(strings.Split(rel, "/")) < minDepth {
			return fmt.Errorf("loading cgroup: path %q of controller %q is not a cgroup below %s: %w",
				p, key, cgroupRoot, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}

func (m *manager) Apply(pid int) error {
	if pid <= 0 {
		return fmt.Errorf("placing pid %d into a cgroup: %w", pid, errdefs.ErrInvalidArgument)
	}
	if err := m.Create(); err != nil {
		return err
	}
	return m.join(pid)
}

func (m *manager) Create() error {
	if m.res == nil {
		// Loaded: the cgroup exists and has its limits (exec joins it).
		return nil
	}
	// Pid -1 makes the library create every directory without joining.
	if err := m.lib.Apply(-1); err != nil {
		err = fmt.Errorf("creating cgroup %s: %w", m.name, tag(err))
		return errors.Join(err, m.Destroy())
	}
	res := m.res
	if m.layout != Unified && !res.SkipDevices {
		// The library would reorder the device rules; they are written
		// in the spec's order below (see writeDeviceRulesV1).
		res = copyResources(res)
		res.SkipDevices = true
	}
	if err := m.set(res, m.unified); err != nil {
		return errors.Join(err, m.Destroy())
	}
	if res != m.res {
		if err := writeDeviceRulesV1(m.lib.Path("devices"), m.res.Devices); err != nil {
			return errors.Join(fmt.Errorf("cgroup %s: %w", m.name, tag(err)), m.Destroy())
		}
	}
	if m.kernelTCP != nil && m.layout != Unified {
		if err := setKernelTCP(m.lib.Path("memory"), *m.kernelTCP); err != nil {
			return errors.Join(fmt.Errorf("cgroup %s: %w", m.name, tag(err)), m.Destroy())
		}
	}
	return nil
}

// join moves pid into the cgroup of every hierarchy. The cgroup exists:
// only its cgroup.procs files are written. The library's Apply would also
// make the directories (and copy cpuset settings) first, which for an exec
// racing with the container's removal would make them again after the
// removal, and costs the daemon a few hundred microseconds per exec.
func (m *manager) join(pid int) error {
	seen := map[string]bool{}
	for _, p := range m.lib.GetPaths() {
		if p == "" || seen[p] {
			continue // not mounted; or mounted with another controller
		}
		seen[p] = true
		if err := cgroups.WriteCgroupProc(p, pid); err != nil {
			return fmt.Errorf("placing pid %d into cgroup %s: %w", pid, m.name, tag(err))
		}
	}
	return nil
}

func (m *manager) Set(r *specs.LinuxResources) error {
	if err := Validate(r); err != nil {
		return err
	}
	res, err := toResources(r, m.layout)
	if err != nil {
		return err
	}
	// An update without device rules keeps the current ones, rather than
	// denying every device.
	res.SkipDevices = r == nil || r.Devices == nil
	var unified map[string]string
	if r != nil && m.layout == Hybrid {
		unified = r.Unified
	}
	if err := m.set(res, unified); err != nil {
		return err
	}
	if tcp := kernelTCPOf(r); tcp != nil && m.layout != Unified {
		if err := setKernelTCP(m.lib.Path("memory"), *tcp); err != nil {
			return fmt.Errorf("cgroup %s: %w", m.name, tag(err))
		}
	}
	return nil
}

// set writes res (and, on a hybrid host, the unified entries) to the
// cgroup's files.
func (m *manager) set(res *cgroups.Resources, unified map[string]string) error {
	// The library may modify what it is given (memory swap when the limit
	// is -1); keep res as it was for a later Apply.
	res = copyResources(res)
	var hugetlb []*cgroups.HugepageLimit
	if m.layout == Hybrid && m.lib.Path("hugetlb") == "" {
		// hugetlb is not a v1 controller here; the library would refuse
		// the limits ("cannot set hugetlb limit"), so they go to cgroup2.
		hugetlb, res.HugetlbLimit = res.HugetlbLimit, nil
	}
	if err := m.checkBlkioWeight(res); err != nil {
		return fmt.Errorf("setting limits of cgroup %s: %w", m.name, err)
	}
	if err := m.lib.Set(res); err != nil {
		return fmt.Errorf("setting limits of cgroup %s: %w", m.name, tag(err))
	}
	if len(hugetlb) > 0 || len(unified) > 0 {
		dir := m.lib.Path("")
		if dir == "" {
			return fmt.Errorf("setting limits of cgroup %s: hugetlb or unified limits need the cgroup2 hierarchy, which it has not joined: %w",
				m.name, errdefs.ErrUnavailable)
		}
		if err := setV2Files(m.hybridRoot, dir, hugetlb, unified); err != nil {
			return fmt.Errorf("setting limits of cgroup %s: %w", m.name, err)
		}
	}
	return nil
}

func (m *manager) Pids() ([]int, error) {
	pids, err := m.lib.GetAllPids()
	if err != nil {
		return nil, fmt.Errorf("listing processes of cgroup %s: %w", m.name, tag(err))
	}
	slices.Sort(pids)
	return pids, nil
}

func (m *manager) OOMKillCount() (uint64, error) {
	n, err := m.lib.OOMKillCount()
	if err != nil {
		return 0, fmt.Errorf("reading OOM kill count of cgroup %s: %w", m.name, tag(err))
	}
	return n, nil
}

func (m *manager) Freeze() error {
	if err := m.lib.Freeze(cgroups.Frozen); err != nil {
		return fmt.Errorf("freezing cgroup %s: %w", m.name, tag(err))
	}
	return nil
}

func (m *manager) Thaw() error {
	if err := m.lib.Freeze(cgroups.Thawed); err != nil {
		return fmt.Errorf("thawing cgroup %s: %w", m.name, tag(err))
	}
	return nil
}

func (m *manager) Destroy() error {
	paths := slices.Sorted(maps.Values(m.lib.GetPaths()))
	errs := make([]error, len(paths))
	// RemovePath removes sub-cgroups first, and retries rmdir on EBUSY
	// with backoff (1 ms doubling, ten times: about a second). One
	// goroutine per hierarchy, so that a cgroup that stays busy costs that
	// second once rather than once per hierarchy (ten on v1).
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Go(func() {
			if err := cgroups.RemovePath(p); err != nil {
				errs[i] = fmt.Errorf("removing cgroup %s: %w", p, tag(err))
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (m *manager) Paths() map[string]string {
	return maps.Clone(m.lib.GetPaths())
}

// describe names a cgroup by one of its paths: the devices one on v1 (every
// container has it), the unified one on v2.
func describe(paths map[string]string) string {
	for _, key := range []string{"devices", ""} {
		if p, ok := paths[key]; ok {
			return p
		}
	}
	return fmt.Sprint(paths)
}

// copyResources returns a shallow copy of res: enough, as the library
// changes only scalar fields of what it is given.
func copyResources(res *cgroups.Resources) *cgroups.Resources {
	c := *res
	return &c
}
