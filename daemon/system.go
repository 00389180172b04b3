package daemon

import (
	"errors"
	"io"
	"net/http"
	"os"
	goruntime "runtime"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/version"
)

func (s *Server) ping(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", contentText)
	w.Header().Set("Api-Version", api.Version)
	io.WriteString(w, "OK")
	return nil
}

// versionInfo describes this build.
func versionInfo() api.VersionInfo {
	return api.VersionInfo{
		Version:     version.Version,
		APIVersion:  api.Version,
		GoVersion:   goruntime.Version(),
		OS:          goruntime.GOOS,
		Arch:        goruntime.GOARCH,
		RuntimeSpec: version.Spec,
	}
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, versionInfo())
	return nil
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) error {
	counts, err := s.cfg.Containers.Counts(r.Context())
	if err != nil {
		return err
	}
	images, err := s.cfg.Images.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.Info{
		Containers:        counts.Total,
		ContainersRunning: counts.Running,
		ContainersStopped: counts.Stopped,
		Images:            len(images),
		Root:              s.cfg.Root,
		CgroupLayout:      s.cfg.CgroupLayout,
		Kernel:            kernelRelease(),
		DaemonPid:         os.Getpid(),
		DaemonRSS:         selfRSS(),
	})
	return nil
}

func (s *Server) diskUsage(w http.ResponseWriter, r *http.Request) error {
	du, err := s.cfg.Images.DiskUsage(r.Context())
	if err != nil {
		return err
	}
	cu, err := s.cfg.Containers.DiskUsage(r.Context())
	if err != nil {
		return err
	}
	du.ContainersSize, du.LogsSize = cu.ContainersSize, cu.LogsSize
	if s.cfg.Volumes != nil {
		if du.Volumes, err = s.cfg.Volumes.DiskUsage(r.Context()); err != nil {
			return err
		}
		for _, v := range du.Volumes {
			du.VolumesSize += max(v.Size, 0)
		}
	}
	writeJSON(w, http.StatusOK, du)
	return nil
}

// systemPrune is POST /v1/system/prune?all=1&volumes=1, Docker's `system
// prune` in one call: the stopped containers, then the networks no
// container is on, with volumes=1 the anonymous volumes no container uses,
// the build cache, and the dangling images (every unused image with
// all=1) with the layers left unreferenced. Every step runs even when an
// earlier one failed; the errors are joined.
func (s *Server) systemPrune(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := newQuery(r)
	all, volumes := q.bool("all", false), q.bool("volumes", false)
	if q.err != nil {
		return q.err
	}
	var total api.PruneReport
	var errs []error
	add := func(rep api.PruneReport, err error) {
		total.Deleted = append(total.Deleted, rep.Deleted...)
		total.SpaceReclaimed += rep.SpaceReclaimed
		errs = append(errs, err)
	}
	add(s.cfg.Containers.Prune(ctx))
	if ns, err := s.networks(); err == nil {
		rep, err := ns.Prune(ctx, nil)
		add(api.PruneReport{Deleted: rep.NetworksDeleted}, err)
	}
	if volumes {
		vs, err := s.volumeService()
		if err != nil {
			return err
		}
		add(vs.Prune(ctx, api.VolumePruneOptions{}))
	}
	add(s.cfg.Images.PruneBuildCache(ctx))
	add(s.cfg.Images.Prune(ctx, all))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, total)
	return nil
}
