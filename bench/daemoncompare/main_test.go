package main

import "testing"

func TestConfigCheck(t *testing.T) {
	good := config{n: 1, warmup: 0, seq: 1, seqRounds: 1, mem: 1, conc: 1, ps: 2, stats: 2, stop: 1, health: 1,
		parts: allParts}
	tests := []struct {
		name    string
		mod     func(*config)
		wantErr bool
	}{
		{"defaults", func(*config) {}, false},
		{"zero runs", func(c *config) { c.n = 0 }, true},
		{"negative warm-up", func(c *config) { c.warmup = -1 }, true},
		{"zero memory containers", func(c *config) { c.mem = 0 }, true},
		{"zero concurrent clients", func(c *config) { c.conc = 0 }, true},
		{"more stats than ps", func(c *config) { c.stats = 3 }, true},
		{"zero stopped", func(c *config) { c.stop = 0 }, true},
		{"unknown part", func(c *config) { c.parts = []string{"run", "bogus"} }, true},
		{"one part", func(c *config) { c.parts = []string{"net"} }, false},
		{"new parts", func(c *config) { c.parts = []string{"conc", "exec", "phases"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.mod(&c)
			if err := c.check(); (err != nil) != tt.wantErr {
				t.Errorf("check() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
	if c := (config{parts: []string{"mem"}}); !c.part("mem") || c.part("run") {
		t.Error("part() does not follow parts")
	}
}
