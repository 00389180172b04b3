package dockerclients

import (
	"os"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

func TestMain(m *testing.M) { os.Exit(daemon.Main(m)) }
