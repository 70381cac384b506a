/*
Copyright 2026 The Ethos Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command decision-engine serves personalization decisions for one Campaign from its
// compiled decision document (SPEC §6):
//
//	decision-engine --config /etc/ethos/decision.json --listen :8080 --ops-listen :8081
//
// POST /v1/decisions on --listen; /healthz, /readyz and /metrics on --ops-listen. The
// document is reloaded when the file changes; SIGTERM drains and stops.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "decision-engine:", err)
		os.Exit(1)
	}
}

// setMemoryLimit gives the Go runtime a soft memory limit below the container's, so the
// garbage collector works harder before the kernel OOM-kills the pod. GOMEMLIMIT, when
// set, wins (the runtime already applied it).
func setMemoryLimit(log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit, ok, err := containerMemoryLimit()
	if err != nil {
		log.Warn("Cannot read the container memory limit, no Go memory limit set", "error", err)
		return
	}
	if ok {
		debug.SetMemoryLimit(goMemoryLimit(limit))
		log.Info("Set the Go memory limit", "containerLimitBytes", limit, "goMemoryLimitBytes", goMemoryLimit(limit))
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("decision-engine", flag.ContinueOnError)
	config := fs.String("config", "/etc/ethos/"+document.FileName, "path of the compiled decision document")
	listen := fs.String("listen", ":8080", "address of the decision API")
	opsListen := fs.String("ops-listen", ":8081", "address of /healthz, /readyz and /metrics")
	reload := fs.Duration("reload-interval", 2*time.Second, "how often the document file is checked for changes")
	logLevel := fs.String("log-level", "info",
		"debug, info, warn or error (debug logs each decision with a keyed visitor hash)")
	maxInFlight := fs.Int("max-in-flight", server.DefaultLimits.MaxInFlight,
		"most decision requests answered at once; more are answered 503 with Retry-After: 1")
	maxBytesInFlight := fs.Int64("max-bytes-in-flight", server.DefaultLimits.MaxBytesInFlight,
		"most request-body bytes read at once (each request reserves its Content-Length, or 1 MiB); more are answered 503 with Retry-After: 1")
	maxConnections := fs.Int("max-connections", server.DefaultLimits.MaxConnections,
		"most open connections to the decision API; more wait in the listen queue until one closes (0: no cap)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("failed to parse --log-level: %w", err)
	}
	if *reload <= 0 {
		return fmt.Errorf("--reload-interval must be positive")
	}
	limits := server.Limits{MaxInFlight: *maxInFlight, MaxBytesInFlight: *maxBytesInFlight, MaxConnections: *maxConnections}
	if err := limits.Validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	setMemoryLimit(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	store := server.NewStore(*config, log)
	// ETHOS_LOG_HASH_KEY keeps visitor hashes comparable across replicas and restarts;
	// without it each process draws its own key.
	logKey := []byte(os.Getenv("ETHOS_LOG_HASH_KEY"))
	srv := server.NewServer(store, server.NewMetrics(), log, time.Now, logKey)
	if err := srv.SetLimits(limits); err != nil {
		return err
	}
	store.LoadInitial()
	go store.Watch(ctx, *reload)

	api, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("failed to listen on %s: %w", *listen, err)
	}
	ops, err := net.Listen("tcp", *opsListen)
	if err != nil {
		_ = api.Close()
		return fmt.Errorf("failed to listen on %s: %w", *opsListen, err)
	}
	return srv.Serve(ctx, api, ops)
}
