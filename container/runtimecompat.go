package container

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"os"

	"github.com/container-runtime/container-runtime/internal/monitor"
	"github.com/container-runtime/container-runtime/runtime"
)

// createOptions are the runtime's options for one start of a container:
// the init process is launched by the monitor (so that it is the
// monitor's child), runs the image's startup commands before the target
// and reports each one's result as a JSON line to report.
//
// This is the one place that names the runtime's Launcher and
// startup-command options.
func createOptions(bundle string, spec *specs.Spec, mon *monitor.Monitor, console string, startup [][]string, report *os.File, init bool) runtime.CreateOptions {
	return runtime.CreateOptions{
		Bundle:          bundle,
		Spec:            spec,
		ConsoleSocket:   console,
		Launcher:        mon,
		StartupCommands: startup,
		StartupReport:   report,
		Init:            init,
	}
}
