package main

import (
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// healthView is Docker's State.Health: {{.State.Health.Status}},
// {{.State.Health.FailingStreak}}, {{range .State.Health.Log}}{{.ExitCode}}{{end}}.
type healthView struct {
	Status        string
	FailingStreak int
	Log           []healthLogView
}

// healthLogView is one check of Docker's State.Health.Log.
type healthLogView struct {
	Start    string
	End      string
	ExitCode int
	Output   string
}

// healthConfigView is Docker's Config.Healthcheck (durations in
// nanoseconds in JSON, as Docker's).
type healthConfigView struct {
	Test          []string      `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

func newHealthView(h *api.Health) *healthView {
	if h == nil {
		return nil
	}
	v := &healthView{Status: h.Status, FailingStreak: h.FailingStreak, Log: []healthLogView{}}
	for _, l := range h.Log {
		v.Log = append(v.Log, healthLogView{Start: dockerTime(l.Start), End: dockerTime(l.End), ExitCode: l.ExitCode, Output: l.Output})
	}
	return v
}

func newHealthConfigView(h *api.HealthConfig) *healthConfigView {
	if h == nil {
		return nil
	}
	return &healthConfigView{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
		StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
}
