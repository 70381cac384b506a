/*
Copyright 2026.

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

package main

import (
	"context"
	"crypto/tls"
	"flag"
	"os"

	// Client auth plugins (OIDC and others), for `make run` against clusters that need them.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	personalizationv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/certs"
	"github.com/ethos-operator/ethos/internal/controller"
	"github.com/ethos-operator/ethos/internal/resources"
	webhookv1alpha1 "github.com/ethos-operator/ethos/internal/webhook/v1alpha1"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

// defaultEngineImage is the engine image when neither --engine-image nor ETHOS_ENGINE_IMAGE
// is set (make run, local demos): the image `make docker-build` builds by default.
const defaultEngineImage = "ghcr.io/ethos-operator/ethos:dev"

// envOr returns the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))

	utilruntime.Must(personalizationv1alpha1.AddToScheme(scheme))
}

func main() {
	var metricsAddr string
	var metricsCertPath, metricsCertName, metricsCertKey string
	var webhookCertPath, webhookCertName, webhookCertKey string
	var webhookPort int
	var enableLeaderElection bool
	var probeAddr string
	var secureMetrics bool
	var enableHTTP2 bool
	var engineImage string
	var watchNamespaces []string
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "The address the metrics endpoint binds to. "+
		"Use :8443 for HTTPS or :8080 for HTTP, or leave as 0 to disable the metrics service.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.BoolVar(&enableLeaderElection, "leader-elect", true,
		"Enable leader election for controller manager. "+
			"Enabling this will ensure there is only one active controller manager.")
	flag.BoolVar(&secureMetrics, "metrics-secure", true,
		"If set, the metrics endpoint is served securely via HTTPS. Use --metrics-secure=false to use HTTP instead.")
	flag.StringVar(&webhookCertPath, "webhook-cert-path", "", "The directory that contains the webhook certificate.")
	flag.StringVar(&webhookCertName, "webhook-cert-name", "tls.crt", "The name of the webhook certificate file.")
	flag.StringVar(&webhookCertKey, "webhook-cert-key", "tls.key", "The name of the webhook key file.")
	flag.IntVar(&webhookPort, "webhook-port", 9443, "Port the webhook server listens on. "+
		"Defaults to 9443. Set -1 to disable the webhook server.")
	flag.StringVar(&metricsCertPath, "metrics-cert-path", "",
		"The directory that contains the metrics server certificate.")
	flag.StringVar(&metricsCertName, "metrics-cert-name", "tls.crt", "The name of the metrics server certificate file.")
	flag.StringVar(&metricsCertKey, "metrics-cert-key", "tls.key", "The name of the metrics server key file.")
	flag.BoolVar(&enableHTTP2, "enable-http2", false,
		"If set, HTTP/2 will be enabled for the metrics and webhook servers")
	flag.StringVar(&engineImage, "engine-image", envOr("ETHOS_ENGINE_IMAGE", defaultEngineImage),
		"Image of the decision-engine containers (the image that holds /decision-engine). "+
			"Defaults to $ETHOS_ENGINE_IMAGE, which the deployment sets to the manager's own image.")
	flag.Func(controller.FlagWatchNamespaces, "Comma-separated namespaces whose Campaigns and ConsentPolicies the manager "+
		"reconciles, with RBAC in those namespaces only (config/namespaced, docs/security.md). "+
		"Empty (the default): every namespace, with the cluster-wide ClusterRoleBinding.",
		func(v string) (err error) {
			watchNamespaces, err = controller.ParseNamespaces(v)
			return err
		})
	opts := zap.Options{
		Development: true,
	}
	opts.BindFlags(flag.CommandLine)
	var certOpts certs.Options
	certOpts.BindFlags(flag.CommandLine)
	var engineNetwork resources.EngineNetwork
	engineNetwork.BindFlags(flag.CommandLine)
	var engineDefaults resources.Options
	engineDefaults.BindDefaultFlags(flag.CommandLine)
	engineDefaults.Limits.BindFlags(flag.CommandLine)
	flag.Parse()
	if _, err := engineDefaults.EngineResources(); err != nil {
		setupLog.Error(err, "Invalid engine defaults")
		os.Exit(2)
	}

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))

	// `make run` sets ENABLE_WEBHOOKS=false: no webhook server, no certificate rotation.
	webhooksEnabled := os.Getenv("ENABLE_WEBHOOKS") != "false"

	// HTTP/2 stays off unless asked for: it exposes the servers to the HTTP/2 Stream
	// Cancellation and Rapid Reset CVEs (GHSA-qppj-fm5r-hxr3, GHSA-4374-p667-p6c8).
	var tlsOpts []func(*tls.Config)
	if !enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}

	webhookServerOptions := webhook.Options{TLSOpts: tlsOpts, Port: webhookPort}
	if webhookCertPath != "" {
		setupLog.Info("Serving the webhook with certificates from a directory",
			"webhook-cert-path", webhookCertPath, "webhook-cert-name", webhookCertName, "webhook-cert-key", webhookCertKey)
		webhookServerOptions.CertDir = webhookCertPath
		webhookServerOptions.CertName = webhookCertName
		webhookServerOptions.KeyName = webhookCertKey
	}

	// The manager generates and rotates its own webhook certificate (internal/certs) unless
	// cert-manager provides it (--disable-cert-rotation) or webhooks are off.
	certOpts.Disabled = certOpts.Disabled || !webhooksEnabled
	certOpts.CertDir, certOpts.CertName, certOpts.KeyName = webhookCertPath, webhookCertName, webhookCertKey
	certRotation := certs.New(certOpts)
	// The webhook server starts only once its certificate files exist.
	webhookServer := certRotation.WrapServer(webhook.NewServer(webhookServerOptions))

	// The metrics endpoint (config/default) authenticates and authorizes every scrape when
	// served over HTTPS (metrics-reader ClusterRole, docs/security.md). Without
	// --metrics-cert-path it uses a self-signed certificate.
	metricsServerOptions := metricsserver.Options{
		BindAddress:   metricsAddr,
		SecureServing: secureMetrics,
		TLSOpts:       tlsOpts,
	}
	if secureMetrics {
		metricsServerOptions.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	if metricsCertPath != "" {
		setupLog.Info("Serving metrics with certificates from a directory",
			"metrics-cert-path", metricsCertPath, "metrics-cert-name", metricsCertName, "metrics-cert-key", metricsCertKey)
		metricsServerOptions.CertDir = metricsCertPath
		metricsServerOptions.CertName = metricsCertName
		metricsServerOptions.KeyName = metricsCertKey
	}

	cfg := ctrl.GetConfigOrDie()
	if len(watchNamespaces) > 0 {
		setupLog.Info("Watching only these namespaces", "namespaces", watchNamespaces)
		// Fail at start, with the fix, rather than with a cache that never syncs.
		if err := controller.CheckNamespaceAccess(context.Background(), cfg, watchNamespaces); err != nil {
			setupLog.Error(err, "Missing permissions in a watched namespace")
			os.Exit(1)
		}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(watchNamespaces...),
		Metrics:                metricsServerOptions,
		WebhookServer:          webhookServer,
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         enableLeaderElection,
		LeaderElectionID:       "79102344.ethos.dev",
	})
	if err != nil {
		setupLog.Error(err, "Failed to start manager")
		os.Exit(1)
	}

	// The manager's pods reach the engines' ops port to read which document each serves.
	engineNetwork.ManagerNamespace = os.Getenv("POD_NAMESPACE")
	setupLog.Info("Decision engines use image", "image", engineImage, "networkPolicy", !engineNetwork.Disabled)
	engine := resources.Options{
		Image: engineImage, Network: engineNetwork,
		DefaultRequests: engineDefaults.DefaultRequests, DefaultLimits: engineDefaults.DefaultLimits,
		Limits: engineDefaults.Limits,
	}
	if err := controller.Setup(context.Background(), mgr, engine, watchNamespaces...); err != nil {
		setupLog.Error(err, "Failed to set up controllers")
		os.Exit(1)
	}
	if webhooksEnabled {
		if err := webhookv1alpha1.SetupWebhooksWithManager(mgr); err != nil {
			setupLog.Error(err, "Failed to create webhooks")
			os.Exit(1)
		}
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up health check")
		os.Exit(1)
	}
	if err := certRotation.Setup(mgr); err != nil {
		setupLog.Error(err, "Failed to set up webhook certificate rotation")
		os.Exit(1)
	}
	// Not ready (so no admission traffic) until the certificate is in place and the server serves.
	if err := mgr.AddReadyzCheck("webhook-certificate", certRotation.ReadyCheck); err != nil {
		setupLog.Error(err, "Failed to set up ready check")
		os.Exit(1)
	}
	if webhooksEnabled {
		if err := mgr.AddReadyzCheck("webhook-server", mgr.GetWebhookServer().StartedChecker()); err != nil {
			setupLog.Error(err, "Failed to set up ready check")
			os.Exit(1)
		}
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up ready check")
		os.Exit(1)
	}

	setupLog.Info("Starting manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		setupLog.Error(err, "Failed to run manager")
		os.Exit(1)
	}
}
