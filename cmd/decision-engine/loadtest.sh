#!/usr/bin/env bash
# Load test of the decision engine over HTTP on loopback (docs/benchmarks.md).
# The engine and a bare net/http server run on one core each time (GOMAXPROCS=1, pinned with
# taskset to CPU ${ENGINE_CPU:-1}); the load generator runs pinned on the other CPU. Every
# measurement runs against the bare server too, in the same run, so each figure has its
# baseline: closed loop (wrk) decisions/s and CPU per request, and for every fixed rate of
# the open loop (vegeta and bombardier, two generators to tell their jitter from the
# engine's) the delivered rate, p50, p99 and max, and the engine's p99 over bare's.
# The engine runs with GODEBUG=gctrace=1; its GC pauses under load are summarised at the end.
# Needs wrk (apt-get install wrk), jq, vegeta and bombardier (make load-engine installs both,
# pinned, into bin/). Bounded: 127.0.0.1 only, $DURATION per step.
#
#   ENGINE_GOGC=200 make load-engine    the engine with another GOGC (default: the binary's)
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE_CPU=${ENGINE_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
DURATION=${DURATION:-10s}
RATES=${RATES-"5000 10000"}
REQUESTS=${REQUESTS:-"request-small.json request-50-candidates.json"}
VEGETA=${VEGETA:-$(command -v vegeta || echo "$(go env GOPATH)/bin/vegeta")}
BOMBARDIER=${BOMBARDIER:-$(command -v bombardier || echo "$(go env GOPATH)/bin/bombardier")}
FIXTURES=internal/engine/server/testdata/load
WORK=$(mktemp -d)
BIN=$WORK/decision-engine
go build -o "$BIN" ./cmd/decision-engine

# Baseline: a bare net/http server answering a constant body, same pinning, so the figures
# below can be read against what this machine can do at all right now.
mkdir "$WORK/bare"
cat > "$WORK/bare/main.go" <<'GO'
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
printf 'module baseline\ngo 1.26\n' > "$WORK/bare/go.mod"
(cd "$WORK/bare" && go build -o srv .)

ENGINE_ENV=(GOMAXPROCS=1 GODEBUG=gctrace=1)
[[ -n ${ENGINE_GOGC:-} ]] && ENGINE_ENV+=(GOGC="$ENGINE_GOGC")
env "${ENGINE_ENV[@]}" taskset -c "$ENGINE_CPU" "$BIN" --config "$FIXTURES/decision.json" \
  --listen 127.0.0.1:18080 --ops-listen 127.0.0.1:18081 --log-level warn 2> "$WORK/gctrace.txt" &
ENGINE=$!
GOMAXPROCS=1 taskset -c "$ENGINE_CPU" "$WORK/bare/srv" &
BARE=$!
trap 'kill -TERM $ENGINE $BARE; wait $ENGINE $BARE 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs 127.0.0.1:18081/readyz >/dev/null && curl -fs -o /dev/null -XPOST 127.0.0.1:18090/ && break; sleep 0.1; done

# utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
# gc_mark prints the number of GC cycles in the trace so far.
gc_mark() { grep -c '^gc ' "$WORK/gctrace.txt" || true; }
# gc_summary prints the GC cycles after line $1 of the trace: count, and the stop-the-world
# pauses (the first and third wall-clock phases of each line) as max and sum.
gc_summary() {
  grep '^gc ' "$WORK/gctrace.txt" | tail -n +"$(($1 + 1))" | awk '
    { split($5, p, "+"); pause = p[1] + p[3]; n++; sum += pause; if (pause > max) max = pause }
    END { printf "GC: %d cycles, STW pause max %.3f ms, total %.3f ms\n", n, max, sum }'
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for req in $REQUESTS; do
  body="$PWD/$FIXTURES/$req"
  echo "== $req: closed loop, wrk -t1 -c32 -d$DURATION"
  cat > "$WORK/wrk.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$body"); wrk.body = f:read("*a"); f:close()
LUA
  declare -A rps=()
  for target in bare engine; do
    if [[ $target == bare ]]; then pid=$BARE url=http://127.0.0.1:18090/; else pid=$ENGINE url=http://127.0.0.1:18080/v1/decisions; fi
    t0=$(cpu_ticks "$pid")
    taskset -c "$LOAD_CPU" wrk -t1 -c32 -d"$DURATION" --latency -s "$WORK/wrk.lua" "$url" > "$WORK/wrk.txt"
    t1=$(cpu_ticks "$pid")
    grep -qE 'Non-2xx|Socket errors' "$WORK/wrk.txt" && grep -E 'Non-2xx|Socket errors' "$WORK/wrk.txt"
    rps[$target]=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
    # CPU time per answered request: on a shared machine this, not wall-clock throughput,
    # says what one dedicated core can do (1 s / CPU per request).
    awk -v who="$target" -v t=$((t1 - t0)) -v hz="$HZ" '/^Requests\/sec/ {r = $2} /requests in/ {c = $1} / 99%/ {p = $2}
      END { us = t / hz / c * 1e6; printf "%-6s %9.0f req/s, p99 %s, CPU %.1f us per request => %.0f req/s per dedicated core\n", who, r, p, us, 1e6 / us }' "$WORK/wrk.txt"
  done
  awk -v e="${rps[engine]}" -v b="${rps[bare]}" 'BEGIN { printf "engine / bare decisions/s: %.2fx\n", e / b }'

  echo "== $req: open loop, fixed rates (each against bare and engine; generator on CPU $LOAD_CPU)"
  for rate in $RATES; do
    for gen in vegeta bombardier; do
      declare -A p99=()
      for target in bare engine; do
        if [[ $target == bare ]]; then url=http://127.0.0.1:18090/; else url=http://127.0.0.1:18080/v1/decisions; fi
        mark=$(gc_mark)
        if [[ $gen == vegeta ]]; then
          printf 'POST %s\nContent-Type: application/json\n@%s\n' "$url" "$body" > "$WORK/targets"
          taskset -c "$LOAD_CPU" "$VEGETA" attack -targets "$WORK/targets" -rate "$rate" -duration "$DURATION" -keepalive=true -max-workers 256 \
            | "$VEGETA" report -type json > "$WORK/result.json"
          # Latencies in ns; throughput = successful answers per second.
          line=$(jq -r '[.throughput, .latencies["50th"]/1e6, .latencies["99th"]/1e6, .latencies.max/1e6, .success*100] | @tsv' "$WORK/result.json")
        else
          taskset -c "$LOAD_CPU" "$BOMBARDIER" -c 64 -d "$DURATION" --rate "$rate" -m POST -H 'Content-Type: application/json' \
            -f "$body" -l -o json -p r "$url" > "$WORK/result.json"
          # Latencies in µs; bombardier reports the mean of its per-second rate samples.
          line=$(jq -r '.result | [.rps.mean, .latency.percentiles["50"]/1e3, .latency.percentiles["99"]/1e3, .latency.max/1e3,
            (.req2xx / ([.req1xx, .req2xx, .req3xx, .req4xx, .req5xx, .others] | add) * 100)] | @tsv' "$WORK/result.json")
        fi
        read -r delivered p50 p99v max ok <<< "$line"
        p99[$target]=$p99v
        gc=""
        [[ $target == engine ]] && gc=$(gc_summary "$mark")
        printf 'rate %-5s %-10s %-6s delivered %7.0f/s  p50 %6.3f ms  p99 %7.3f ms  max %7.3f ms  2xx %5.1f%%  %s\n' \
          "$rate" "$gen" "$target" "$delivered" "$p50" "$p99v" "$max" "$ok" "$gc"
      done
      awk -v e="${p99[engine]}" -v b="${p99[bare]}" -v r="$rate" -v g="$gen" 'BEGIN { printf "rate %-5s %-10s engine p99 / bare p99: %.2fx\n", r, g, e / b }'
    done
  done
done
echo "engine GC over the whole run: $(gc_summary 0)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
