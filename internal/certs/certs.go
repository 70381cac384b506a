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

// Package certs gives the manager's webhook server a serving certificate without cert-manager.
//
// It wraps github.com/open-policy-agent/cert-controller (the rotator Gatekeeper uses): the
// manager keeps a self-signed CA and a serving certificate in one Secret of its own namespace,
// renews them well before they expire, and writes the CA into the caBundle of its
// ValidatingWebhookConfiguration. The kubelet projects the Secret into the pod (a Secret volume
// mounted at the webhook server's certificate directory); the webhook server starts only once
// the certificate files are there, and the readiness check fails until then, so a pod never
// receives admission traffic it cannot serve.
//
//	          ┌──────────── Secret ethos-webhook-server-cert ◄── rotator writes CA + serving cert
//	kubelet ◄─┘                                                  │
//	   │ (Secret volume)                                          └─► caBundle of the
//	   ▼                                                              ValidatingWebhookConfiguration
//	CertDir/tls.crt, tls.key ──► webhook server starts ──► /readyz passes
//
// When cert-manager provides the certificate instead (config/certmanager), the manager runs with
// --disable-cert-rotation and this package does nothing.
package certs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/open-policy-agent/cert-controller/pkg/rotator"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

// The manager's permissions for certificate rotation (see docs/security.md). The Secret rules are
// namespaced (a Role in ethos-system, never a ClusterRole). list/watch cannot be narrowed by name:
// the rotator's informers list the namespace's Secrets and all webhook configurations; every
// write is limited to the one named object. The webhook configuration rules are cluster-scoped,
// so they live in their own ClusterRole, config/rbac/webhook_configuration_role.yaml, bound
// cluster-wide in both RBAC modes (the generated manager-role holds namespaced rules only).
// +kubebuilder:rbac:groups="",namespace=ethos-system,resources=secrets,verbs=list;watch
// +kubebuilder:rbac:groups="",namespace=ethos-system,resources=secrets,verbs=update,resourceNames=ethos-webhook-server-cert

// Rotation periods. The rotator checks every RotationCheckInterval, and also whenever the Secret
// or the webhook configuration changes (so a deleted or emptied Secret is repaired at once).
// A certificate is renewed when it would expire within RenewBefore; renewing the serving
// certificate keeps the CA, so callers that trust the CA bundle never see a gap.
const (
	// CAValidity is how long the self-signed CA is valid (renewed 90 days before, ~every 9.75 years).
	CAValidity = 10 * 365 * 24 * time.Hour
	// ServerCertValidity is how long a serving certificate is valid (renewed ~every 9 months).
	ServerCertValidity = 365 * 24 * time.Hour
	// RenewBefore is how long before expiry a certificate is replaced.
	RenewBefore = 90 * 24 * time.Hour
	// RotationCheckInterval is how often the certificates are checked.
	RotationCheckInterval = 1 * time.Hour
)

// Defaults of the flags; they match the names config/default renders (namePrefix "ethos-").
const (
	DefaultSecretName        = "ethos-webhook-server-cert"
	DefaultServiceName       = "ethos-webhook-service"
	DefaultWebhookConfigName = "ethos-validating-webhook-configuration"
)

// Options configures certificate rotation.
type Options struct {
	// Disabled turns rotation off: the certificate files are provided by someone else
	// (cert-manager, or envtest in tests).
	Disabled bool
	// Namespace is the manager's namespace, where the Secret lives (POD_NAMESPACE when empty).
	Namespace string
	// SecretName is the Secret holding the CA and the serving certificate. It must exist
	// (the install manifests ship it empty); the rotator fills it.
	SecretName string
	// ServiceName is the webhook Service; the certificate is issued for
	// <service>.<namespace>.svc and <service>.<namespace>.svc.cluster.local.
	ServiceName string
	// DNSNames overrides the names derived from ServiceName (tests use "localhost").
	DNSNames []string
	// WebhookConfigName is the ValidatingWebhookConfiguration whose caBundle is kept current.
	WebhookConfigName string
	// CertDir, CertName and KeyName locate the certificate files the webhook server reads: the
	// mount point of the Secret volume. Defaults: controller-runtime's certificate directory,
	// tls.crt and tls.key.
	CertDir, CertName, KeyName string
}

// BindFlags registers the rotation flags on fs.
func (o *Options) BindFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.Disabled, "disable-cert-rotation", false,
		"Do not generate and rotate the webhook certificate; use the files in --webhook-cert-path as they are "+
			"(for example provided by cert-manager).")
	fs.StringVar(&o.SecretName, "cert-secret-name", DefaultSecretName,
		"Secret, in the manager's namespace, holding the webhook CA and serving certificate.")
	fs.StringVar(&o.ServiceName, "webhook-service-name", DefaultServiceName,
		"Service in front of the webhook server; the serving certificate is issued for its DNS names.")
	fs.StringVar(&o.WebhookConfigName, "webhook-config-name", DefaultWebhookConfigName,
		"ValidatingWebhookConfiguration whose caBundle the manager keeps current.")
}

// Rotation is the certificate rotation of one manager. Create it with New before the manager
// (its webhook server must be wrapped by WrapServer), then call Setup.
type Rotation struct {
	opts  Options
	ready chan struct{}
}

// New returns the rotation for opts, filling in defaults.
func New(opts Options) *Rotation {
	if opts.Namespace == "" {
		opts.Namespace = os.Getenv("POD_NAMESPACE")
	}
	if opts.CertDir == "" {
		// The same default as controller-runtime's webhook server.
		opts.CertDir = filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs")
	}
	if opts.CertName == "" {
		opts.CertName = "tls.crt"
	}
	if opts.KeyName == "" {
		opts.KeyName = "tls.key"
	}
	if len(opts.DNSNames) == 0 {
		svc := fmt.Sprintf("%s.%s.svc", opts.ServiceName, opts.Namespace)
		opts.DNSNames = []string{svc, svc + ".cluster.local"}
	}
	return &Rotation{opts: opts, ready: make(chan struct{})}
}

// Setup adds the rotator to mgr and registers the certificate expiry metric. It adds no
// rotator when rotation is disabled (the metric then reports cert-manager's certificate).
func (r *Rotation) Setup(mgr ctrl.Manager) error {
	registerExpiry(r.opts.CertDir, r.opts.CertName)
	if r.opts.Disabled {
		return nil
	}
	if r.opts.Namespace == "" {
		return errors.New("failed to set up certificate rotation: the manager's namespace is unknown " +
			"(set POD_NAMESPACE, or --disable-cert-rotation)")
	}
	err := rotator.AddRotator(mgr, &rotator.CertRotator{
		SecretKey:      types.NamespacedName{Namespace: r.opts.Namespace, Name: r.opts.SecretName},
		CertDir:        r.opts.CertDir,
		CertName:       r.opts.CertName,
		KeyName:        r.opts.KeyName,
		CAName:         "ethos-ca",
		CAOrganization: "ethos",
		DNSName:        r.opts.DNSNames[0],
		ExtraDNSNames:  r.opts.DNSNames[1:],
		IsReady:        r.ready,
		Webhooks: []rotator.WebhookInfo{
			{Name: r.opts.WebhookConfigName, Type: rotator.Validating},
		},
		// Every replica serves the webhook, so every replica needs the certificate: rotation
		// must not wait for leadership. Concurrent writers are safe (optimistic concurrency).
		RequireLeaderElection:  false,
		CaCertDuration:         CAValidity,
		ServerCertDuration:     ServerCertValidity,
		LookaheadInterval:      RenewBefore,
		RotationCheckFrequency: RotationCheckInterval,
		FieldOwner:             "ethos-cert-rotator",
	})
	if err != nil {
		return fmt.Errorf("failed to set up certificate rotation: %w", err)
	}
	return nil
}

// Ready returns a channel closed once the certificate files are in CertDir and the CA bundle is
// in the webhook configuration. It is closed at once when rotation is disabled.
func (r *Rotation) Ready() <-chan struct{} {
	if r.opts.Disabled {
		c := make(chan struct{})
		close(c)
		return c
	}
	return r.ready
}

// ReadyCheck is a readiness check that fails until Ready is closed.
func (r *Rotation) ReadyCheck(_ *http.Request) error {
	select {
	case <-r.Ready():
		return nil
	default:
		return errors.New("webhook certificate not ready yet: waiting for the Secret to be mounted and the CA bundle injected")
	}
}

var _ healthz.Checker = (&Rotation{}).ReadyCheck

// WrapServer returns a webhook server that starts srv only once Ready is closed: the
// controller-runtime server reads its certificate files when it starts and fails without them.
// The manager does not wait for webhook servers to start, so the wait blocks nothing else.
func (r *Rotation) WrapServer(srv webhook.Server) webhook.Server {
	if r.opts.Disabled {
		return srv
	}
	return &waitingServer{Server: srv, ready: r.ready}
}

// waitingServer is a webhook.Server whose Start waits for the certificate.
type waitingServer struct {
	webhook.Server
	ready <-chan struct{}
}

// Start waits for the certificate, then runs the wrapped server.
func (s *waitingServer) Start(ctx context.Context) error {
	log := ctrl.LoggerFrom(ctx).WithName("webhook-certs")
	log.Info("Waiting for the webhook certificate before serving")
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil
	}
	log.Info("Webhook certificate ready; starting webhook server")
	return s.Server.Start(ctx)
}
