//go:build faults

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

package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/server"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
	"github.com/ethos-operator/ethos/internal/testenv"
)

// The burst of issue 19: before the in-flight bounds, 128 concurrent 1 MiB requests pushed an
// engine to 283 MB resident, over the default 256Mi container limit.
const (
	memoryLimit = 256 << 20 // the engine's default container memory limit (resources.DefaultResources)
	concurrency = 128
	rounds      = 4
)

// engine is a running decision-engine process.
type engine struct {
	cmd       *exec.Cmd
	api, ops  string
	exited    chan error
	stderrLog *bytes.Buffer
}

// startEngine builds cmd/decision-engine and runs it on loopback with the fixture document
// and the Go memory limit it would set itself from a 256 MiB cgroup limit (90%, memlimit.go):
// GOMEMLIMIT is the equivalent, since the test cannot give itself a cgroup.
func startEngine(t *testing.T) *engine {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "decision-engine")
	build := exec.Command("go", "build", "-o", bin, "./cmd/decision-engine")
	build.Dir = testenv.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("failed to build the engine: %v\n%s", err, out)
	}
	doc := filepath.Join(dir, document.FileName)
	if err := os.WriteFile(doc, enginetest.DocumentJSON(enginetest.Campaign(), enginetest.Policy(), true), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", doc, "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--log-level", "info")
	cmd.Env = append(os.Environ(), "GOMEMLIMIT="+strconv.Itoa(memoryLimit*9/10))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e := &engine{cmd: cmd, exited: make(chan error, 1), stderrLog: &bytes.Buffer{}}
	addrs := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			e.stderrLog.Write(append(line, '\n'))
			var rec struct{ Msg, Address, OpsAddress string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "Serving decisions" {
				addrs <- [2]string{rec.Address, rec.OpsAddress}
			}
		}
		e.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-e.exited
	})
	select {
	case a := <-addrs:
		e.api, e.ops = "http://"+a[0], "http://"+a[1]
	case err := <-e.exited:
		t.Fatalf("the engine exited at start: %v\n%s", err, e.stderrLog)
	case <-time.After(time.Minute):
		t.Fatalf("the engine did not log its addresses within a minute")
	}
	return e
}

// gated reads rest only once release is closed.
type gated struct {
	release chan struct{}
	rest    io.Reader
}

func (g *gated) Read(p []byte) (int, error) {
	<-g.release
	return g.rest.Read(p)
}

// peakRSS is the process's resident high-water mark (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// megabyteBody is a valid decision request of exactly wire.MaxBodyBytes bytes (the largest
// the engine reads): the fixture's request with a padded attribute.
func megabyteBody() []byte {
	head := `{"visitor":{"id":"anon-7f3a"},"consent":{"personalization":"granted"},"zone":"home_hero","attributes":{"pad":"`
	tail := `"}}`
	return []byte(head + strings.Repeat("x", wire.MaxBodyBytes-len(head)-len(tail)) + tail)
}

// TestBurstOfLargeRequests fires rounds of 128 concurrent 1 MiB requests at the real engine
// binary (issue 19) and checks that its peak RSS stays under the 256 MiB container limit,
// that the requests past its in-flight bounds got 503 with Retry-After, that nothing failed
// otherwise, and that the engine is alive and answers afterwards.
func TestBurstOfLargeRequests(t *testing.T) {
	e := startEngine(t)
	body := megabyteBody()
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}

	// Each request sends its headers and first KiB at once and the rest only once the round
	// is released, so the requests the engine admits hold their byte reservations while the
	// others arrive: exactly admitted of each round are answered 200, the rest 503, whatever
	// the scheduling. The round is released once all the others have had their 503.
	admitted := int(server.DefaultLimits.MaxBytesInFlight / (wire.MaxBodyBytes + 1))
	var mu sync.Mutex
	counts := map[int]int{}
	failed, sent, noRetryAfter := 0, 0, 0
	for range rounds {
		var wg sync.WaitGroup
		release := make(chan struct{})
		rejected := make(chan struct{}, concurrency)
		for range concurrency {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, e.api+"/v1/decisions",
					io.MultiReader(bytes.NewReader(body[:1024]), &gated{release: release, rest: bytes.NewReader(body[1024:])}))
				if err != nil {
					panic(err)
				}
				req.ContentLength = int64(len(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				mu.Lock()
				defer mu.Unlock()
				sent++
				if err != nil {
					failed++
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				counts[resp.StatusCode]++
				if resp.StatusCode == http.StatusServiceUnavailable {
					if resp.Header.Get("Retry-After") != "1" {
						noRetryAfter++
					}
					rejected <- struct{}{}
				}
			})
		}
		for range concurrency - admitted {
			<-rejected
		}
		close(release)
		wg.Wait()
	}
	peak := peakRSS(t, e.cmd.Process.Pid)
	t.Logf("burst: sent %d (%d rounds of %d concurrent %d-byte requests): 200: %d, 400: %d, 503: %d, other: %d, failed: %d; peak RSS (VmHWM) %.1f MiB of the %d MiB limit",
		sent, rounds, concurrency, len(body), counts[200], counts[400], counts[503],
		sent-failed-counts[200]-counts[400]-counts[503], failed, float64(peak)/(1<<20), memoryLimit>>20)

	if peak >= memoryLimit {
		t.Errorf("peak RSS %d bytes, want under the %d-byte container limit", peak, memoryLimit)
	}
	if failed != 0 || counts[200]+counts[503] != sent {
		t.Errorf("want every request answered 200 or 503; got %v and %d failed", counts, failed)
	}
	if counts[200] != rounds*admitted || counts[503] != rounds*(concurrency-admitted) {
		t.Errorf("want %d answered 200 and %d 503 (%d admitted of each %d); got %v",
			rounds*admitted, rounds*(concurrency-admitted), admitted, concurrency, counts)
	}
	if noRetryAfter != 0 {
		t.Errorf("%d answers 503 without Retry-After: 1", noRetryAfter)
	}

	// Alive, and answering, afterwards.
	select {
	case err := <-e.exited:
		t.Fatalf("the engine exited: %v\n%s", err, e.stderrLog)
	default:
	}
	resp, err := client.Post(e.api+"/v1/decisions", "application/json", strings.NewReader(enginetest.GoodBody))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	// The fixture's schedule is around enginetest.Now, so a real clock gets the fallback
	// (OutsideSchedule): any answer of the Campaign shows the engine serves.
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"campaign":"shop/spring-running"`)) {
		t.Errorf("after the burst: %d %s, want 200 with an answer of shop/spring-running", resp.StatusCode, answer)
	}
	resp, err = client.Get(e.ops + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz after the burst: %d", resp.StatusCode)
	}
}
