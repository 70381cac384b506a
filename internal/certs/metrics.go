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

package certs

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// ExpiryMetricName is the gauge the EthosWebhookCertificateExpiringSoon alert reads.
const ExpiryMetricName = "ethos_webhook_certificate_expiry_timestamp_seconds"

var expiryDesc = prometheus.NewDesc(ExpiryMetricName,
	"When the webhook serving certificate this replica serves expires, in Unix seconds "+
		"(read from the certificate file at scrape time; self-rotated or from cert-manager).",
	nil, nil)

// ExpiryCollector reports the expiry of the certificate file at Path. It reads the file at
// scrape time, so it follows rotations and works whoever writes the file. Before the file
// exists (the first seconds of a pod) it reports nothing.
type ExpiryCollector struct {
	Path string
}

// Describe implements prometheus.Collector.
func (c ExpiryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- expiryDesc }

// Collect implements prometheus.Collector.
func (c ExpiryCollector) Collect(ch chan<- prometheus.Metric) {
	notAfter, err := certificateNotAfter(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		ch <- prometheus.NewInvalidMetric(expiryDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(expiryDesc, prometheus.GaugeValue, float64(notAfter.Unix()))
}

// certificateNotAfter returns the NotAfter of the first certificate of a PEM file: the leaf.
func certificateNotAfter(path string) (time.Time, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return time.Time{}, fmt.Errorf("%s holds no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return time.Time{}, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	return cert.NotAfter, nil
}

var registerExpiryOnce sync.Once

// registerExpiry adds the expiry gauge to controller-runtime's registry (served by the manager's
// metrics endpoint). Only the first manager of the process registers.
func registerExpiry(certDir, certName string) {
	registerExpiryOnce.Do(func() {
		err := metrics.Registry.Register(ExpiryCollector{Path: filepath.Join(certDir, certName)})
		if _, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); err != nil && !ok {
			panic(err)
		}
	})
}
