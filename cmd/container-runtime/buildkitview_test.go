package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestBuildkitView turns the builder's step lines into BuildKit's plain
// progress: numbered steps, stage names once there are two stages, RUN
// output prefixed (split writes joined), CACHED and DONE.
func TestBuildkitView(t *testing.T) {
	var b strings.Builder
	v := &buildkitView{w: &b}
	for _, s := range []string{
		"Step 1/5 : FROM busybox AS build\n", " ---> 1234\n",
		"Step 2/5 : RUN echo hi\n", " ---> cache miss: no earlier build\n", "h", "i\nthere\n", " ---> 5678\n",
		"Step 3/5 : FROM busybox\n", " ---> 1234\n",
		"Step 4/5 : COPY --from=build /a /a\n", " ---> CACHED\n",
		"Step 5/5 : CMD [\"sh\"]\n", " ---> 9abc\n",
		"Successfully built 9abc\n",
	} {
		v.update(api.Progress{Stream: s})
	}
	v.close(true)
	got := regexp.MustCompile(`\d+\.\d+`).ReplaceAllString(b.String(), "T")
	want := `#1 [build 1/5] FROM busybox AS build
#1 DONE Ts
#2 [build 2/5] RUN echo hi
#2 cache miss: no earlier build
#2 T hi
#2 T there
#2 DONE Ts
#3 [stage-1 3/5] FROM busybox
#3 DONE Ts
#4 [stage-1 4/5] COPY --from=build /a /a
#4 CACHED
#5 [stage-1 5/5] CMD ["sh"]
#5 DONE Ts
Successfully built 9abc
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
