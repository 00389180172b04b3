package container

import "os"

// The log drivers (--log-driver): json-file and local are both the
// container's own bounded log file (the CRI format the monitor writes);
// none keeps no log: the monitor writes to /dev/null, and logs refuses,
// as Docker's does.

// runLog is the log file, rotation size and number of files a run's
// monitor is given. With the driver none the file is /dev/null and one
// file is kept: the monitor's rotation then only truncates the file it
// has open (which /dev/null ignores) and never renames it.
func (s *Service) runLog(r *record) (path string, maxSize int64, maxFiles int) {
	if r.Config.LogDriver == "none" {
		return os.DevNull, r.Config.Log.MaxSize, 1
	}
	return s.logPath(r.ID), r.Config.Log.MaxSize, r.Config.Log.MaxFiles
}

// inspectLogPath is the LogPath inspect shows: none for a container
// without a log, as Docker.
func (s *Service) inspectLogPath(r *record) string {
	if r.Config.LogDriver == "none" {
		return ""
	}
	return s.logPath(r.ID)
}
