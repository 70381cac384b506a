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

package controller

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// BenchmarkControllerScale creates ETHOS_SCALE_CAMPAIGNS Campaigns (default 1,000) against the
// suite's envtest with the manager running, and reports:
//   - converge-s: seconds from the first create until every Campaign has been reconciled
//     (observedGeneration == generation and a config hash in status);
//   - writes/campaign: the manager's writes (owned objects and status) per Campaign for that
//     first reconcile;
//   - resync-writes/campaign: its writes per Campaign when every Campaign is reconciled again
//     with nothing changed;
//   - policy-writes: writes to the one ConsentPolicy meanwhile (its boundCampaigns count);
//   - peak-heap-MiB and peak-rss-MiB of the test process, which is the manager plus a thin
//     client; kube-apiserver-peak-rss-MiB and etcd-peak-rss-MiB of the control plane's own
//     processes (VmHWM since they started, i.e. for the whole test binary's run).
//
// Run it with `make bench-scale` (`make bench-scale SCALE_CAMPAIGNS=10000` for another count);
// it is not part of `make test`.
func BenchmarkControllerScale(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("ETHOS_SCALE_CAMPAIGNS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		runScale(b, n)
	}
}

func runScale(b *testing.B, n int) {
	ctx := context.Background()
	if reports != nil {
		ensureReportCRD(b)
	}
	ns := newNamespace(b)
	if err := k8s.Create(ctx, samplePolicy(b, ns)); err != nil {
		b.Fatal(err)
	}
	// Let the policy's own reconcile (finalizer, status) finish before counting.
	time.Sleep(2 * time.Second)

	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	})

	before, policyBefore := writes.Load(), policyWrites.Load()
	requestsBefore := requestCounts()
	cpuBefore := cpuSeconds()
	start := time.Now()
	names := make(chan string)
	var creators sync.WaitGroup
	for range 8 {
		creators.Go(func() {
			for name := range names {
				c := sampleCampaign(b, ns)
				c.Name = name
				if err := k8s.Create(ctx, c); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		names <- fmt.Sprintf("c%04d", i)
	}
	close(names)
	creators.Wait()
	created := time.Since(start)

	for {
		var list ethosv1alpha1.CampaignList
		// Poll the manager's cache, not the API server: the measurement must not compete with
		// the controller for the API server's CPU.
		if err := cached.List(ctx, &list, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		done := 0
		for i := range list.Items {
			c := &list.Items[i]
			if c.Status.ObservedGeneration == c.Generation && c.Status.Engine != nil && c.Status.Engine.ConfigHash != "" {
				done++
			}
		}
		if done == n {
			break
		}
		if limit := convergeLimit(n); time.Since(start) > limit {
			b.Fatalf("only %d of %d Campaigns converged after %s", done, n, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
	converged := time.Since(start)
	cpuConverged := cpuSeconds()
	if reports != nil {
		b.ReportMetric(waitForReports(b, ns, n, start).Seconds(), "reports-s")
		b.ReportMetric(testutil.ToFloat64(reportWrites.WithLabelValues("apply")), "report-applies")
	}
	// Let reconciles triggered by the last writes (owned-object events) drain before counting.
	time.Sleep(5 * time.Second)
	firstWrites := writes.Load() - before
	policyFirstWrites := policyWrites.Load() - policyBefore
	firstRequests := requestsSince(requestsBefore)

	before = writes.Load()
	for i := range n {
		req := ctrl.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: fmt.Sprintf("c%04d", i)}}
		if _, err := campaigns.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	resyncWrites := writes.Load() - before
	resyncRequests := requestsSince(firstRequests.at)
	close(stop)
	sampler.Wait()

	b.ReportMetric(converged.Seconds(), "converge-s")
	b.ReportMetric(created.Seconds(), "create-s")
	b.ReportMetric(float64(firstWrites)/float64(n), "writes/campaign")
	b.ReportMetric(float64(resyncWrites)/float64(n), "resync-writes/campaign")
	b.ReportMetric(float64(policyFirstWrites), "policy-writes")
	b.ReportMetric(float64(firstRequests.campaign)/float64(n), "requests/campaign")
	b.ReportMetric(float64(firstRequests.events)/float64(n), "event-requests/campaign")
	b.ReportMetric(float64(resyncRequests.campaign)/float64(n), "resync-requests/campaign")
	b.Logf("requests while converging (method resource: count): %v", firstRequests.by)
	for who, sec := range cpuConverged {
		b.ReportMetric(sec-cpuBefore[who], who+"-cpu-s")
	}
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(peakRSSMiB("self"), "peak-rss-MiB")
	for who, pid := range controlPlane() {
		b.ReportMetric(peakRSSMiB(strconv.Itoa(pid)), who+"-peak-rss-MiB")
	}
}

// convergeLimit is how long n Campaigns may take to converge before the benchmark gives up: 10
// minutes, or 100 ms per Campaign above 6,000 (10,000 converge in about 5 minutes here).
func convergeLimit(n int) time.Duration {
	return max(10*time.Minute, time.Duration(n)*100*time.Millisecond)
}

// requestDelta is what the manager asked the API server between two snapshots: by method and
// resource, and summed: campaign is every request but Events, OpenReports Reports and the
// ConsentPolicy controller's (those are reported on their own).
type requestDelta struct {
	at               map[string]int64
	by               map[string]int64
	campaign, events int64
}

func requestsSince(before map[string]int64) requestDelta {
	d := requestDelta{at: requestCounts(), by: map[string]int64{}}
	for k, v := range d.at {
		n := v - before[k]
		if n == 0 {
			continue
		}
		d.by[k] = n
		switch resource := k[strings.Index(k, " ")+1:]; {
		case resource == "events":
			d.events += n
		case strings.HasPrefix(resource, "reports"), strings.HasPrefix(resource, "consentpolicies"), resource == "leases", resource == "discovery":
		default:
			d.campaign += n
		}
	}
	return d
}

// cpuSeconds is the CPU time (user and system) used so far by this process (the manager) and by
// its child processes kube-apiserver and etcd, read from /proc; empty where /proc is missing.
func cpuSeconds() map[string]float64 {
	out := map[string]float64{}
	procs := controlPlane()
	procs["manager"] = os.Getpid()
	for who, pid := range procs {
		if _, f := procStat(pid); len(f) >= 13 {
			utime, _ := strconv.ParseFloat(f[11], 64)
			stime, _ := strconv.ParseFloat(f[12], 64)
			out[who] = (utime + stime) / 100 // clock ticks: USER_HZ is 100 on Linux
		}
	}
	return out
}

// controlPlane finds this process's children kube-apiserver and etcd (envtest starts them):
// name → pid; empty where /proc is missing.
func controlPlane() map[string]int {
	out := map[string]int{}
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, f := procStat(pid)
		if len(f) > 1 && f[1] == strconv.Itoa(self) && (comm == "kube-apiserver" || comm == "etcd") {
			out[comm] = pid
		}
	}
	return out
}

// procStat is the command name in /proc/<pid>/stat and the fields after it (state, ppid, ...:
// utime and stime are [11] and [12]), or nothing.
func procStat(pid int) (string, []string) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", nil
	}
	rest := string(data)
	open, closing := strings.Index(rest, "("), strings.LastIndex(rest, ")")
	if open < 0 || closing < open {
		return "", nil
	}
	return rest[open+1 : closing], strings.Fields(rest[closing+1:])
}

// peakRSSMiB is the peak resident set size (VmHWM) of the process proc ("self" or a pid), or 0
// where /proc is missing.
func peakRSSMiB(proc string) float64 {
	data, err := os.ReadFile("/proc/" + proc + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
