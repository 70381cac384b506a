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

package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// WebhookConfiguration reads config/webhook/manifests.yaml (what `make manifests` generates
// from the webhook markers), names it name and points every webhook at https://localhost:port,
// where a test's webhook server listens instead of behind the Service. It has no CA bundle: the
// certificate rotator (internal/certs) injects it.
func WebhookConfiguration(name string, port int) (*admissionregistrationv1.ValidatingWebhookConfiguration, error) {
	data, err := os.ReadFile(filepath.Join(RepoRoot(), "config", "webhook", "manifests.yaml"))
	if err != nil {
		return nil, fmt.Errorf("failed to read webhook manifests: %w", err)
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, []byte("---\n")), vwc); err != nil {
		return nil, fmt.Errorf("failed to decode webhook manifests: %w", err)
	}
	vwc.Name = name
	for i := range vwc.Webhooks {
		path := ptr.Deref(vwc.Webhooks[i].ClientConfig.Service.Path, "")
		vwc.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{
			URL: ptr.To(fmt.Sprintf("https://localhost:%d%s", port, path)),
		}
	}
	return vwc, nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("failed to find a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ReadSample decodes config/samples/<name> into into.
func ReadSample(name string, into any) error {
	data, err := os.ReadFile(filepath.Join(RepoRoot(), "config", "samples", name))
	if err != nil {
		return fmt.Errorf("failed to read sample: %w", err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("failed to decode sample %s: %w", name, err)
	}
	return nil
}
