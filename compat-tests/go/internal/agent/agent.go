// Package agent builds a go2sky tracer from the same SW_* environment variables the official
// agents read, so the Go programs here are configured like every other service in the tests.
package agent

import (
	"fmt"
	"os"
	"time"

	"github.com/SkyAPM/go2sky"
	"github.com/SkyAPM/go2sky/reporter"
)

// Env returns the variable's value, or def when it is unset or empty.
func Env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// NewTracer connects a gRPC reporter to SW_AGENT_COLLECTOR_BACKEND_SERVICES and names the
// service SW_AGENT_NAME (default def) and the instance SW_AGENT_INSTANCE.
func NewTracer(def string) (*go2sky.Tracer, go2sky.Reporter, error) {
	addr := Env("SW_AGENT_COLLECTOR_BACKEND_SERVICES", "127.0.0.1:11800")
	opts := []reporter.GRPCReporterOption{
		reporter.WithCheckInterval(2 * time.Second),
		reporter.WithInstanceProps(map[string]string{"test.role": def}),
	}
	if token := os.Getenv("SW_AGENT_AUTHENTICATION"); token != "" {
		opts = append(opts, reporter.WithAuthentication(token))
	}
	r, err := reporter.NewGRPCReporter(addr, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("reporter to %s: %w", addr, err)
	}
	name := Env("SW_AGENT_NAME", def)
	instance := Env("SW_AGENT_INSTANCE", name+"-instance")
	t, err := go2sky.NewTracer(name, go2sky.WithReporter(r), go2sky.WithInstance(instance))
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	return t, r, nil
}
