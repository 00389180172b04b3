package main

import "testing"

func TestDockerReused(t *testing.T) {
	const cachedBuildKit = `#3 [internal] load metadata for docker.io/library/base:latest
#3 DONE 0.0s

#4 [1/4] FROM docker.io/library/base
#4 CACHED

#6 [2/4] COPY app /app
#6 CACHED

#7 [3/4] RUN echo built > /app/built.txt
#7 CACHED

#8 [4/4] RUN mkdir -p /data && cp /app/server.js /data/
#8 DONE 0.3s
`
	const cachedLegacy = `Step 1/5 : FROM base
 ---> ef298a7f979e
Step 2/5 : COPY app /app
 ---> Using cache
 ---> 61444a242201
Step 3/5 : RUN echo built > /app/built.txt
 ---> Running in 20cf4d6a3710
`
	tests := []struct {
		name     string
		buildkit bool
		out      string
		want     int
	}{
		{"BuildKit, FROM not counted", true, cachedBuildKit, 2},
		{"legacy", false, cachedLegacy, 1},
		{"empty", true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &dockerBuild{buildkit: tt.buildkit}
			if got := b.reused(tt.out); got != tt.want {
				t.Errorf("reused = %d, want %d", got, tt.want)
			}
		})
	}
}
