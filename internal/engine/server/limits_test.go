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

package server

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// TestConnectionCap: with --max-connections=3 the decision API serves three open connections,
// and a fourth (and fifth, sixth) waits, its request unanswered, until one of the three closes;
// at no moment does the server hold more than three. The counting listener sits under the cap
// (the server wraps it), so it sees exactly the connections the server accepted.
func TestConnectionCap(t *testing.T) {
	g := NewWithT(t)
	ts := newTestServer(t, true)
	const capped = 3
	g.Expect(ts.srv.SetLimits(Limits{MaxInFlight: 256, MaxBytesInFlight: wire.MaxBodyBytes, MaxConnections: capped})).To(Succeed())
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	api := &countingListener{Listener: inner}
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ctx, api, ops) }()
	defer func() {
		cancel()
		g.Expect(<-done).To(Succeed())
	}()

	// Three keep-alive connections, each answered once and left open.
	var open []*clientConn
	for range capped {
		c := dial(t, inner.Addr().String())
		defer c.Close()
		c.send(t)
		g.Expect(c.answer()).To(Equal(http.StatusOK))
		open = append(open, c)
	}
	// Three more connect (the kernel completes the handshake) and send a request each.
	answered := make(chan int, capped)
	for range capped {
		c := dial(t, inner.Addr().String())
		defer c.Close()
		c.send(t)
		go func() {
			code, err := c.answer()
			if err != nil {
				code = -1
			}
			answered <- code
		}()
	}
	// The open connections are still served, and the waiting ones are not.
	for _, c := range open {
		c.send(t)
		g.Expect(c.answer()).To(Equal(http.StatusOK))
	}
	g.Expect(answered).NotTo(Receive())
	g.Expect(api.counts()).To(Equal([2]int{capped, capped}), "accepted, open")

	// Each close lets one waiting connection in; all three are answered.
	for _, c := range open {
		g.Expect(c.Close()).To(Succeed())
	}
	for range capped {
		g.Expect(<-answered).To(Equal(http.StatusOK))
	}
	g.Expect(api.counts()).To(Equal([2]int{2 * capped, capped}), "accepted, open")
	g.Expect(api.peakOpen()).To(Equal(capped))
}

func TestLimitsValidateConnections(t *testing.T) {
	for _, tt := range []struct {
		connections int
		want        string
	}{
		{0, ""}, // no cap
		{1, ""},
		{1024, ""},
		{-1, "--max-connections must be at least 1, or 0 for no cap, got -1"},
	} {
		l := DefaultLimits
		l.MaxConnections = tt.connections
		if err := l.Validate(); (err == nil) != (tt.want == "") || (err != nil && err.Error() != tt.want) {
			t.Errorf("MaxConnections %d: Validate() = %v, want %q", tt.connections, err, tt.want)
		}
	}
	if DefaultLimits.MaxConnections != 1024 {
		t.Errorf("DefaultLimits.MaxConnections = %d, want 1024 (docs/decision-engine.md)", DefaultLimits.MaxConnections)
	}
}

// clientConn is a raw keep-alive HTTP/1.1 connection to the decision API.
type clientConn struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *clientConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return &clientConn{Conn: c, r: bufio.NewReader(c)}
}

// send writes one decision request.
func (c *clientConn) send(t *testing.T) {
	t.Helper()
	req := "POST " + DecisionsPath + " HTTP/1.1\r\nHost: engine\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(goodBody)) + "\r\n\r\n" + goodBody
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
}

// answer reads one response and returns its status code.
func (c *clientConn) answer() (int, error) {
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// countingListener counts the connections it accepted and those not closed yet.
type countingListener struct {
	net.Listener
	mu                   sync.Mutex
	accepted, open, peak int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted++
	l.open++
	l.peak = max(l.peak, l.open)
	return &countedConn{Conn: c, l: l}, nil
}

func (l *countingListener) counts() [2]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return [2]int{l.accepted, l.open}
}

func (l *countingListener) peakOpen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.peak
}

type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		defer c.l.mu.Unlock()
		c.l.open--
	})
	return err
}
