# One image for the three Ethos binaries: /manager (entrypoint), /decision-engine (run by the
# Campaign controller in engine pods) and /kubectl-ethos. `make build-image` builds the same
# binaries into the same layout without Docker (hack/build-image).
#
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/ethos-operator/ethos:v0.1.0 .
#
# Override BASE_IMAGE to build from another registry, e.g. docker.io/library/golang:1.26.
ARG BASE_IMAGE=golang:1.26
FROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS builder
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
# Commit and commit time for `kubectl ethos version` (the Makefile passes them; .git is not copied).
ARG COMMIT=unknown
ARG DATE=unknown

WORKDIR /workspace
# Download modules first: this layer is reused as long as go.mod and go.sum do not change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

# The source (.dockerignore keeps tests, docs and build output out).
COPY . .

# Static (no cgo), reproducible (-trimpath), version stamped, cross-compiled for the target
# platform by Go itself.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" -o /out/ \
      ./cmd/manager ./cmd/decision-engine ./cmd/kubectl-ethos

# Distroless static: no shell, no package manager; CA certificates, /etc/passwd and tzdata only.
FROM gcr.io/distroless/static:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="ethos" \
      org.opencontainers.image.description="Ethos: a Kubernetes operator for ethical personalization" \
      org.opencontainers.image.source="https://github.com/ethos-operator/ethos" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /
COPY --from=builder /out/manager /out/decision-engine /out/kubectl-ethos /
# The distroless "nonroot" user, numeric so that runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["/manager"]
