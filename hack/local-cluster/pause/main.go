// Command pause is the pod sandbox ("infra") image of Ethos's local node: it holds a pod's namespaces,
// reaps zombies, and exits on SIGINT/SIGTERM. The local node cannot pull registry.k8s.io/pause, so
// hack/local-cluster/cluster.sh builds this static binary and packs it as a one-layer OCI image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		// PID 1 of a shared PID namespace inherits orphans: reap every exited child.
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
