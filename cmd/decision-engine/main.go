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

func run(args []string) error {
	fs := flag.NewFlagSet("decision-engine", flag.ContinueOnError)
	config := fs.String("config", "/etc/ethos/"+document.FileName, "path of the compiled decision document")
	listen := fs.String("listen", ":8080", "address of the decision API")
	opsListen := fs.String("ops-listen", ":8081", "address of /healthz, /readyz and /metrics")
	reload := fs.Duration("reload-interval", 2*time.Second, "how often the document file is checked for changes")
	logLevel := fs.String("log-level", "info",
		"debug, info, warn or error (debug logs each decision with a keyed visitor hash)")
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
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	store := server.NewStore(*config, log)
	// ETHOS_LOG_HASH_KEY keeps visitor hashes comparable across replicas and restarts;
	// without it each process draws its own key.
	logKey := []byte(os.Getenv("ETHOS_LOG_HASH_KEY"))
	srv := server.NewServer(store, server.NewMetrics(), log, time.Now, logKey)
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
