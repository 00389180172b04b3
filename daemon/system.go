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
		if du.VolumesSize, err = s.cfg.Volumes.DiskUsage(r.Context()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, du)
	return nil
}

// systemPrune removes the stopped containers, then the dangling images,
// the build cache and the layers left unreferenced, and sums it up. Every
// step runs even when an earlier one failed; the errors are joined.
func (s *Server) systemPrune(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var total api.PruneReport
	var errs []error
	add := func(rep api.PruneReport, err error) {
		total.Deleted = append(total.Deleted, rep.Deleted...)
		total.SpaceReclaimed += rep.SpaceReclaimed
		errs = append(errs, err)
	}
	add(s.cfg.Containers.Prune(ctx))
	add(s.cfg.Images.PruneBuildCache(ctx))
	add(s.cfg.Images.Prune(ctx, false))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, total)
	return nil
}
