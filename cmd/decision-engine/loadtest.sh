#!/usr/bin/env bash
# Load test of the decision engine over HTTP on loopback (docs/benchmarks.md).
# The engine runs on one core (GOMAXPROCS=1, pinned with taskset to CPU ${ENGINE_CPU:-1});
# the load generators run on the other CPU. Needs wrk (apt-get install wrk) and vegeta
# (go install github.com/tsenart/vegeta/v12@v12.12.0). Bounded: 127.0.0.1 only, 10 s per step.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE_CPU=${ENGINE_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
DURATION=${DURATION:-10s}
RATES=${RATES-"2000 5000 10000 20000 30000"}
VEGETA=${VEGETA:-$(command -v vegeta || echo "$(go env GOPATH)/bin/vegeta")}
FIXTURES=internal/engine/server/testdata/load
BIN=$(mktemp -d)/decision-engine
go build -o "$BIN" ./cmd/decision-engine

GOMAXPROCS=1 taskset -c "$ENGINE_CPU" "$BIN" --config "$FIXTURES/decision.json" \
  --listen 127.0.0.1:18080 --ops-listen 127.0.0.1:18081 --log-level warn &
ENGINE=$!
trap 'kill -TERM $ENGINE; wait $ENGINE' EXIT
# utime+stime of the engine, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$ENGINE/stat"; }
# Decisions answered so far, from the engine's own histogram.
served() { curl -fs 127.0.0.1:18081/metrics | awk '/^ethos_decision_duration_seconds_count/ {print $2}'; }
for _ in $(seq 50); do curl -fs 127.0.0.1:18081/readyz >/dev/null && break; sleep 0.1; done

# Baseline: a bare net/http server answering a constant body, same pinning, so the figures
# below can be read against what this machine can do at all right now.
BASE=$(mktemp -d)
cat > "$BASE/main.go" <<'GO'
package main

import (
	"io"
	"net/http"
)

func main() {
	_ = http.ListenAndServe("127.0.0.1:18090", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
}
GO
printf 'module baseline\ngo 1.26\n' > "$BASE/go.mod"
(cd "$BASE" && go build -o srv .)

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for req in request-small.json request-50-candidates.json; do
  echo "== $req: closed loop, wrk -t1 -c32 -d$DURATION"
  cat > /tmp/ethos-wrk.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$PWD/$FIXTURES/$req"); wrk.body = f:read("*a"); f:close()
LUA
  GOMAXPROCS=1 taskset -c "$ENGINE_CPU" "$BASE/srv" & BASEPID=$!
  sleep 0.3
  echo "-- baseline (bare net/http, same body):"
  b0=$(awk '{print $14 + $15}' "/proc/$BASEPID/stat")
  taskset -c "$LOAD_CPU" wrk -t1 -c32 -d"$DURATION" -s /tmp/ethos-wrk.lua http://127.0.0.1:18090/ > /tmp/ethos-base.txt
  b1=$(awk '{print $14 + $15}' "/proc/$BASEPID/stat"); kill "$BASEPID"
  grep 'Requests/sec' /tmp/ethos-base.txt
  awk -v t=$((b1 - b0)) -v hz="$(getconf CLK_TCK)" '/^Requests\/sec/ {n = $2} /requests in/ {c = $1} END { printf "baseline CPU per request: %.1f us\n", t / hz / c * 1e6 }' /tmp/ethos-base.txt
  echo "-- decision engine:"
  # Engine CPU time per answered request: on a shared machine this, not wall-clock
  # throughput, says what one dedicated core can do (1 s / CPU per request).
  before=$(cpu_ticks); served_before=$(served)
  taskset -c "$LOAD_CPU" wrk -t1 -c32 -d"$DURATION" --latency -s /tmp/ethos-wrk.lua http://127.0.0.1:18080/v1/decisions \
    | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' || true
  after=$(cpu_ticks); served_after=$(served)
  awk -v t=$((after - before)) -v n=$((served_after - served_before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { us = t / hz / n * 1e6; printf "engine CPU per decision: %.1f us over %d decisions => %.0f decisions/s per dedicated core\n", us, n, 1e6 / us }'
  echo "== $req: open loop, vegeta constant rate"
  for rate in $RATES; do
    printf 'POST http://127.0.0.1:18080/v1/decisions\nContent-Type: application/json\n@%s\n' "$FIXTURES/$req" > /tmp/ethos-targets
    taskset -c "$LOAD_CPU" "$VEGETA" attack -targets /tmp/ethos-targets -rate "$rate" -duration "$DURATION" -keepalive=true -max-workers 256 \
      | "$VEGETA" report -type text | awk -v r="$rate" '/Latencies|Success|Throughput|Requests/ {print "rate " r ": " $0}'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
