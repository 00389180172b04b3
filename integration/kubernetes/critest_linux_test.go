package kubernetes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// critestFocus selects critest's runtime suites: containers, pod
// sandboxes, streaming (exec, attach, port-forward) and security context.
const critestFocus = `\[k8s\.io\] (Container|PodSandbox|Streaming|Security Context)`

// critestTimeout bounds one critest run.
const critestTimeout = 20 * time.Minute

// TestCritest runs critest's runtime suites through the CRI with runc and
// with container-runtime-oci (the crt RuntimeClass handler) and fails for
// each spec that passes with runc and not with ours. The counts of both
// are logged; docs/KUBERNETES.md records them.
//
// The images critest pulls come from a registry on 127.0.0.1 holding the
// busybox image: its default test image is pointed there. Specs that pull
// other images (made for a single test) fail alike for both handlers.
func TestCritest(t *testing.T) {
	critest := criTool(t, "critest")
	reg := registry.Start(t, registry.Credentials{})
	c := startCRI(t, reg)
	image := reg + "/busybox:crt-test"
	ctr := []string{"--address", c.socket, "--namespace", "k8s.io"}
	command.MustRun(t, c.ctr, append(ctr, "images", "tag", busyboxImage, image)...)
	command.MustRun(t, c.ctr, append(ctr, "images", "push", "--plain-http", image)...)
	imagesFile := filepath.Join(c.dir, "critest-images.yaml")
	if err := os.WriteFile(imagesFile, []byte(fmt.Sprintf("defaultTestContainerImage: %s\nwebServerTestImage: %s\n", image, image)), 0o644); err != nil {
		t.Fatal(err)
	}

	results := map[string]map[string]string{}
	for _, handler := range []string{handlerRunc, handlerCRT} {
		start := time.Now()
		results[handler] = c.critest(t, critest, handler, imagesFile, critestFocus)
		counts := map[string]int{}
		for _, state := range results[handler] {
			counts[state]++
		}
		t.Logf("critest %s with handler %s: %d passed, %d failed, %d skipped (outside the focus), %d other, in %v",
			criToolsVersion, handler, counts["passed"], counts["failed"], counts["skipped"],
			len(results[handler])-counts["passed"]-counts["failed"]-counts["skipped"], time.Since(start).Round(time.Second))
	}
	var regressions, onlyOurs []string
	for spec, state := range results[handlerRunc] {
		if ours := results[handlerCRT][spec]; state == "passed" && ours != "passed" {
			regressions = append(regressions, spec)
		}
	}
	for spec, state := range results[handlerCRT] {
		if theirs := results[handlerRunc][spec]; state == "passed" && theirs != "passed" {
			onlyOurs = append(onlyOurs, spec)
		}
	}
	// Some specs race the kernel (the OOM one: the shim's OOM event
	// against the exit). A spec counts against us only when it fails with
	// ours again, alone, in each of critestRetries more runs.
	regressions = c.retryRegressions(t, critest, imagesFile, regressions)
	sort.Strings(regressions)
	sort.Strings(onlyOurs)
	for _, spec := range onlyOurs {
		t.Logf("passes with container-runtime-oci, not with runc: %s", spec)
	}
	if len(regressions) > 0 {
		t.Errorf("%d specs pass with runc and not with container-runtime-oci:\n%s", len(regressions), strings.Join(regressions, "\n"))
	}
}

// critestRetries is how many more times a spec that passed with runc and
// failed with ours runs alone with ours before it counts as a regression.
const critestRetries = 2

// retryRegressions runs each spec of specs alone with our handler, up to
// critestRetries times, and returns those that never passed; a spec that
// passes on a retry is logged as flaky.
func (c *cri) retryRegressions(t *testing.T, critest, imagesFile string, specs []string) []string {
	t.Helper()
	var still []string
	for _, spec := range specs {
		passed := false
		for try := 1; try <= critestRetries && !passed; try++ {
			states := c.critest(t, critest, handlerCRT, imagesFile, regexp.QuoteMeta(spec))
			passed = states[spec] == "passed"
			t.Logf("retry %d of %q with %s: %s", try, spec, handlerCRT, states[spec])
		}
		if passed {
			t.Logf("flaky with %s (failed once, then passed alone): %s", handlerCRT, spec)
			continue
		}
		still = append(still, spec+": failed")
	}
	return still
}

// critest runs the suites matching focus with handler and returns each
// spec's state ("passed", "failed", "skipped", ...) by its full text.
func (c *cri) critest(t *testing.T, critest, handler, imagesFile, focus string) map[string]string {
	t.Helper()
	report := filepath.Join(c.dir, "critest-"+handler+".json")
	ctx, cancel := context.WithTimeout(context.Background(), critestTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, critest,
		"--runtime-endpoint", "unix://"+c.socket, "--image-endpoint", "unix://"+c.socket,
		"--runtime-handler", handler, "--test-images-file", imagesFile,
		"--ginkgo.focus", focus, "--ginkgo.no-color", "--ginkgo.json-report", report)
	cmd.Dir = c.dir
	r := command.RunCmd(t, cmd)
	if r.Code == -1 {
		t.Fatalf("critest with %s did not end within %v:\n%s", handler, critestTimeout, tailLines(r.Stdout, 40))
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("critest with %s wrote no report (%v): %v", handler, err, r)
	}
	var suites []struct {
		SpecReports []struct {
			ContainerHierarchyTexts []string
			LeafNodeText            string
			LeafNodeType            string
			State                   string
			Failure                 struct{ Message string }
		}
	}
	if err := json.Unmarshal(b, &suites); err != nil {
		t.Fatalf("reading %s: %v", report, err)
	}
	states := map[string]string{}
	failed := 0
	for _, s := range suites {
		for _, spec := range s.SpecReports {
			if spec.LeafNodeType != "It" {
				continue // suite setup nodes
			}
			name := strings.Join(append(spec.ContainerHierarchyTexts, spec.LeafNodeText), " ")
			states[name] = spec.State
			if spec.State == "failed" {
				failed++
				why, _, _ := strings.Cut(strings.TrimSpace(spec.Failure.Message), "\n")
				t.Logf("%s: failed: %s: %.300s", handler, name, why)
			}
		}
	}
	if len(states) == 0 {
		t.Fatalf("critest with %s ran no spec: %v", handler, r)
	}
	// A spec that failed (a timeout, with runc as with ours) may leave its
	// pod behind: critest's cleanup of it did not run. Those pods are
	// removed here, so that the end's check (no pod left) is about the
	// runtime. A pod left by a run in which every spec passed is a leak.
	if left := strings.TrimSpace(c.run(t, "pods", "--quiet").Stdout); left != "" {
		if failed == 0 {
			t.Errorf("critest with %s: every spec passed, yet pods are left: %s", handler, left)
		} else {
			t.Logf("critest with %s: %d failed specs left pods, removed: %s", handler, failed, left)
		}
		c.run(t, "rmp", "--force", "--all")
	}
	return states
}

// tailLines returns the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
