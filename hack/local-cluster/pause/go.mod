// A module of its own so that `go test ./...`, `go vet ./...` and `go mod tidy` of the Ethos module
// leave this tiny program alone; hack/local-cluster/cluster.sh builds it with the standard library only.
module github.com/ethos-operator/ethos/hack/local-cluster/pause

go 1.26
