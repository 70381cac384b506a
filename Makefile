# Ethos — see README.md. `make help` lists the targets.

# Image holding manager, decision-engine and kubectl-ethos.
IMG ?= ghcr.io/ethos-operator/ethos:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Commit and its time (UTC), stamped next to VERSION (`kubectl ethos version`); the commit's
# time rather than the clock keeps builds reproducible.
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DATE ?= $(shell TZ=UTC git show -s --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd HEAD 2>/dev/null || echo unknown)
LDFLAGS_VERSION = -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs, RBAC ClusterRole and webhook configuration from markers.
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd webhook paths="./api/..." paths="./internal/..." paths="./cmd/..." output:crd:artifacts:config=config/crd/bases
	"$(CONTROLLER_GEN)" crd paths="github.com/openreports/reports-api/apis/openreports.io/v1alpha1" output:crd:artifacts:config=config/policyreport
	go run ./hack/docschema # the decision document's JSON Schema, from internal/engine/document

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: docs
docs: ## Generate docs/rules.md from the rule registry and the dictionary (internal/ethics); copy the engine's OpenAPI document to docs/.
	go run ./hack/rulesdoc -o docs/rules.md
	cp internal/engine/server/openapi.json docs/openapi.json # the engine embeds the original (GET /openapi.json)

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: chart
chart: manifests ## Regenerate the Helm chart's generated half (charts/ethos) from config/.
	go run ./hack/chartgen

.PHONY: lint
lint: golangci-lint vulncheck ## Run golangci-lint (.golangci.yml: the layers' import rules, k8s import aliases, linters) and govulncheck.
	"$(GOLANGCI_LINT)" run ./...

# VULNCHECK_STDLIB_WAIVER: the one Go toolchain whose standard-library findings are reported but do
# not fail (go1.26.8 is what this project's machines and CI have; Go's fixes for the findings are
# in go1.26.10, which the release build must use: docs/security.md). Any other toolchain fails on them.
VULNCHECK_STDLIB_WAIVER ?= go1.26.8
.PHONY: vulncheck
vulncheck: ## govulncheck over the module, offline: the Go vulnerability database from the module proxy (hack/vulncheck.sh, pinned).
	LOCALBIN="$(LOCALBIN)" VULNCHECK_STDLIB_WAIVER="$(VULNCHECK_STDLIB_WAIVER)" hack/vulncheck.sh

# FUZZTIME is how long each fuzz target runs.
FUZZTIME ?= 10s
.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (hack/fuzz.sh; crashes land in the package's testdata/fuzz).
	FUZZTIME="$(FUZZTIME)" hack/fuzz.sh

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint and apply the fixes it can make.
	"$(GOLANGCI_LINT)" run --fix ./...

.PHONY: test
test: manifests generate chart fmt vet envtest-assets test-chart test-rules test-krew ## Run unit tests, chart, rules and krew checks, and tests against a real kube-apiserver and etcd.
	HELM="$(HELM)" KUBEBUILDER_ASSETS="$$(hack/kube-binaries.sh envtest)" go test ./... -count=1 -coverprofile cover.out

.PHONY: test-chart
test-chart: helm ## helm lint (strict) and helm template of the chart, at its defaults and with everything enabled.
	"$(HELM)" lint --strict charts/ethos
	"$(HELM)" lint --strict charts/ethos --set webhook.certManager.enabled=true,networkPolicy.ingressNamespaces={ingress-nginx},networkPolicy.ingressPodSelector.role=frontend,rbac.watchNamespaces={shop} \
		--set monitoring.podMonitor.enabled=true,monitoring.serviceMonitor.enabled=true,monitoring.prometheusRule.enabled=true,monitoring.dashboard.enabled=true
	"$(HELM)" template ethos charts/ethos --namespace ethos-system --include-crds > /dev/null

.PHONY: test-rules
test-rules: promtool ## Check the Prometheus alerts and run their unit tests (config/prometheus).
	"$(PROMTOOL)" check rules config/prometheus/rules.yaml
	"$(PROMTOOL)" test rules config/prometheus/rules_test.yaml

.PHONY: test-krew
test-krew: helm krew ## Build this platform's release archive and install it with krew from the manifest, offline.
	HELM="$(HELM)" KREW="$(KREW)" VALIDATE_KREW_MANIFEST="$(VALIDATE_KREW_MANIFEST)" hack/test-krew.sh

# Campaigns bench-scale creates (ETHOS_SCALE_CAMPAIGNS in the environment works too).
SCALE_CAMPAIGNS ?= $(or $(ETHOS_SCALE_CAMPAIGNS),1000)
.PHONY: bench-scale
bench-scale: envtest-assets ## Create SCALE_CAMPAIGNS (1,000) Campaigns against envtest with the manager running (docs/benchmarks.md).
	ETHOS_SCALE_CAMPAIGNS=$(SCALE_CAMPAIGNS) KUBEBUILDER_ASSETS="$$(hack/kube-binaries.sh envtest)" \
		go test ./internal/controller/ -run '^$$' -bench BenchmarkControllerScale -benchtime=1x -count=1 -timeout 90m -v

.PHONY: envtest-assets
envtest-assets: ## Build kube-apiserver and etcd from source (cached) and print where they are.
	@hack/kube-binaries.sh envtest

.PHONY: verify
verify: ## Regenerate everything, tidy go.mod, and fail when the tree changed.
	hack/verify.sh

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build manager, decision-engine and kubectl-ethos into bin/.
	go build -trimpath -ldflags "$(LDFLAGS_VERSION)" -o bin/ ./cmd/...

.PHONY: run
run: manifests generate fmt vet ## Run the manager against the cluster in ~/.kube/config (webhooks off).
	ENABLE_WEBHOOKS=false go run ./cmd/manager

# VERSION must be a semantic version here (vX.Y.Z): krew and Helm need one.
.PHONY: release
release: helm ## Build kubectl-ethos archives for 6 platforms, SHA256SUMS, the krew manifest and the chart .tgz (dist/release/VERSION).
	VERSION="$(VERSION)" HELM="$(HELM)" hack/release.sh

.PHONY: docker-build
docker-build: ## Build the container image (IMG) with Docker (Dockerfile; needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg DATE=$(DATE) -t $(IMG) .

# Docker-free image: an OCI archive for `ctr -n k8s.io images import` (or skopeo, crane, podman load).
IMAGE_TAR ?= bin/ethos-image.tar
# IMAGE_ARCHS: empty for this machine's architecture; e.g. amd64,arm64 for an OCI image index.
IMAGE_ARCHS ?=
.PHONY: build-image
build-image: ## Build the image (IMG) as an OCI tarball in IMAGE_TAR without Docker (IMAGE_ARCHS=amd64,arm64: multi-platform).
	go run ./hack/build-image --image "$(IMG)" --version "$(VERSION)" --commit "$(COMMIT)" --date "$(DATE)" --output "$(IMAGE_TAR)" $(if $(IMAGE_ARCHS),--arch "$(IMAGE_ARCHS)")

# OVERLAY: default (self-managed webhook certificates, every namespace), certmanager, or
# namespaced (only the namespaces in WATCH_NAMESPACES, with RBAC there only; docs/security.md).
# IMAGE_PULL_POLICY: set it (e.g. Never, for an image imported into the node) to override IfNotPresent.
OVERLAY ?= default
IMAGE_PULL_POLICY ?=
WATCH_NAMESPACES ?=
.PHONY: build-installer
build-installer: manifests generate kustomize ## Write dist/install.yaml for IMG (OVERLAY, IMAGE_PULL_POLICY, WATCH_NAMESPACES).
	mkdir -p dist
	@# Edit a copy, so tracked files under config/ never change.
	rm -rf bin/installer && cp -r config bin/installer
	@if [ "$(OVERLAY)" = namespaced ]; then hack/watch-namespaces.sh bin/installer/namespaced "$(WATCH_NAMESPACES)"; \
	elif [ -n "$(WATCH_NAMESPACES)" ]; then echo "WATCH_NAMESPACES needs OVERLAY=namespaced" >&2; exit 2; fi
	cd bin/installer/manager && "$(KUSTOMIZE)" edit set image controller=$(IMG)
	@if [ -n "$(IMAGE_PULL_POLICY)" ]; then cd bin/installer/manager && "$(KUSTOMIZE)" edit add patch --kind Deployment --name controller-manager \
		--patch '[{"op":"replace","path":"/spec/template/spec/containers/0/imagePullPolicy","value":"$(IMAGE_PULL_POLICY)"}]'; fi
	"$(KUSTOMIZE)" build bin/installer/$(OVERLAY) > dist/install.yaml
	@echo "Wrote dist/install.yaml (image $(IMG), overlay $(OVERLAY))"

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install the CRDs into the cluster in ~/.kube/config.
	"$(KUSTOMIZE)" build config/crd | "$(KUBECTL)" apply --server-side -f -

.PHONY: uninstall
uninstall: manifests kustomize ## Remove the CRDs (and with them every Campaign and ConsentPolicy).
	"$(KUSTOMIZE)" build config/crd | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: deploy
deploy: build-installer ## Deploy Ethos (IMG) to the cluster in ~/.kube/config and wait until it is ready.
	"$(KUBECTL)" apply --server-side -f dist/install.yaml
	"$(KUBECTL)" -n ethos-system rollout status deployment/ethos-controller-manager --timeout=5m

# Order matters (docs/install.md): the fail-closed webhook goes first, so nothing can be left
# blocking writes; then the Campaigns and ConsentPolicies while the manager still runs (it removes
# their finalizers); then everything else, CRDs included.
.PHONY: undeploy
undeploy: kustomize ## Remove Ethos, and every Campaign and ConsentPolicy, from the cluster in ~/.kube/config.
	"$(KUBECTL)" delete validatingwebhookconfiguration ethos-validating-webhook-configuration --ignore-not-found
	if "$(KUBECTL)" get crd campaigns.personalization.ethos.dev consentpolicies.personalization.ethos.dev >/dev/null 2>&1; then \
		"$(KUBECTL)" delete campaigns.personalization.ethos.dev --all --all-namespaces --wait --timeout=5m; \
		"$(KUBECTL)" delete consentpolicies.personalization.ethos.dev --all --all-namespaces --wait --timeout=5m; \
	fi
	"$(KUSTOMIZE)" build config/$(OVERLAY) | "$(KUBECTL)" delete --ignore-not-found=true --wait=true -f -

##@ Local cluster and demo (docs/demo.md)

# A real single-node Kubernetes on this machine (root, Linux), built from source like the envtest
# binaries; state, logs and kubeconfig in bin/local-cluster/. Without root it is a control plane only.
.PHONY: cluster-up
cluster-up: build-image ## Start the local node (bin/local-cluster/kubeconfig) with the Ethos image imported.
	IMAGES="$(IMAGE_TAR)" hack/local-cluster/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local cluster by PID and restore the host state it changed.
	hack/local-cluster/cluster.sh down

.PHONY: demo
demo: ## The whole story on this machine: node, Ethos, samples, rejected bias, decisions.
	IMG="$(IMG)" IMAGE_TAR="$(IMAGE_TAR)" hack/demo.sh

.PHONY: demo-down
demo-down: cluster-down ## Stop what `make demo` left running.

.PHONY: test-e2e
test-e2e: helm ## End-to-end tests on the local node: real image, Helm install/upgrade/uninstall, kubectl (logs: bin/e2e-logs/).
	IMG="$(IMG)" IMAGE_TAR="$(IMAGE_TAR)" HELM="$(HELM)" test/e2e/run.sh

.PHONY: test-faults
test-faults: test-faults-loopback test-faults-node ## Every fault test: the loopback/envtest ones, then the scenarios on the local node (docs/reliability.md).

.PHONY: test-faults-loopback
test-faults-loopback: ## Fault tests on loopback (build tag faults, test/faults): the engine binary under a burst of 1 MiB requests; 100 clients through the webhook for 60 s with a certificate rotation.
	go test -tags faults ./test/faults/ -count=1 -v -timeout 5m

# FAULTS_RUN selects node scenarios (a go test -run pattern); logs and fault-summary.txt in bin/faults-logs/.
FAULTS_RUN ?= ^TestFault
.PHONY: test-faults-node
test-faults-node: helm ## Fault scenarios on the local node (build tags e2e,faults; test/e2e/faults_*_test.go, started like test-e2e): manager killed, engine pods killed, kube-apiserver restarted, manager down, policy deleted, corrupt document.
	E2E_TAGS=e2e,faults E2E_LOGS_DIR="$(CURDIR)/bin/faults-logs" E2E_GO_TEST_FLAGS='-run $(FAULTS_RUN)' \
		IMG="$(IMG)" IMAGE_TAR="$(IMAGE_TAR)" HELM="$(HELM)" test/e2e/run.sh

##@ Dependencies

LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

KUBECTL ?= kubectl
KUSTOMIZE ?= $(LOCALBIN)/kustomize
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
HELM ?= $(LOCALBIN)/helm
PROMTOOL ?= $(LOCALBIN)/promtool
KREW ?= $(LOCALBIN)/krew
VALIDATE_KREW_MANIFEST ?= $(LOCALBIN)/validate-krew-manifest

GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint

KUSTOMIZE_VERSION ?= v5.8.1
CONTROLLER_TOOLS_VERSION ?= v0.23.0
HELM_VERSION ?= v4.3.2
PROMTOOL_VERSION ?= v0.316.0
KREW_VERSION ?= v0.4.3
GOLANGCI_LINT_VERSION ?= v2.15.0

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Install kustomize into bin/ (pinned).
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/ (pinned).
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: helm
helm: $(HELM) ## Install Helm into bin/ (pinned).
$(HELM): $(LOCALBIN)
	$(call go-install-tool,$(HELM),helm.sh/helm/v4/cmd/helm,$(HELM_VERSION))

.PHONY: promtool
promtool: $(PROMTOOL) ## Install promtool into bin/ (pinned).
$(PROMTOOL): $(LOCALBIN)
	$(call go-install-tool,$(PROMTOOL),github.com/prometheus/prometheus/cmd/promtool,$(PROMTOOL_VERSION))

.PHONY: krew
krew: $(KREW) $(VALIDATE_KREW_MANIFEST) ## Install krew and its manifest validator into bin/ (pinned), to test the plugin manifest offline.
$(KREW): $(LOCALBIN)
	$(call go-install-tool,$(KREW),sigs.k8s.io/krew/cmd/krew,$(KREW_VERSION))
$(VALIDATE_KREW_MANIFEST): $(LOCALBIN)
	$(call go-install-tool,$(VALIDATE_KREW_MANIFEST),sigs.k8s.io/krew/cmd/validate-krew-manifest,$(KREW_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint from source into bin/ (pinned; a few minutes the first time).
$(GOLANGCI_LINT): $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

# go-install-tool installs $(2)@$(3) as $(1)-$(3) and links $(1) to it, so a version bump reinstalls.
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Installing $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef

##@ Decision engine performance

.PHONY: bench-engine
bench-engine: ## In-process decision-engine benchmarks, GrowthBook SDK side by side (docs/benchmarks.md).
	go test ./internal/engine/... -run '^$$' -bench . -benchtime 2s -count 3

VEGETA ?= $(LOCALBIN)/vegeta
VEGETA_VERSION ?= v12.12.0
BOMBARDIER ?= $(LOCALBIN)/bombardier
BOMBARDIER_VERSION ?= v1.2.6

.PHONY: load-engine
load-engine: $(LOCALBIN) ## HTTP load test of the decision engine and a bare net/http server on loopback, one core (needs wrk, jq and taskset).
	@[ -x "$(VEGETA)" ] || GOBIN="$(LOCALBIN)" go install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)
	@[ -x "$(BOMBARDIER)" ] || GOBIN="$(LOCALBIN)" go install github.com/codesenberg/bombardier@$(BOMBARDIER_VERSION)
	VEGETA="$(VEGETA)" BOMBARDIER="$(BOMBARDIER)" ./cmd/decision-engine/loadtest.sh
