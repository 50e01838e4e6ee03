// criclean stops and removes every pod sandbox of a CRI runtime, so that the
// runtime itself tears down what it made for them: containers, network
// namespaces (CNI DEL) and their mounts. `cluster:down` runs it before it
// stops containerd; crictl is not packaged where the embedded cluster runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	remote "k8s.io/cri-client/pkg"
)

func main() {
	endpoint := flag.String("endpoint", "", "CRI socket, e.g. unix:///run/containerd/containerd.sock")
	timeout := flag.Duration("timeout", 60*time.Second, "deadline for the whole clean-up")
	flag.Parse()
	if *endpoint == "" {
		fmt.Fprintln(os.Stderr, "criclean: --endpoint is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rt, err := remote.NewRemoteRuntimeService(ctx, *endpoint, *timeout, nil, false)
	if err != nil {
		fmt.Fprintf(os.Stderr, "criclean: connect %s: %v\n", *endpoint, err)
		os.Exit(1)
	}
	sandboxes, err := rt.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "criclean: list pod sandboxes: %v\n", err)
		os.Exit(1)
	}
	failed := 0
	for _, sb := range sandboxes {
		name := sb.GetMetadata().GetNamespace() + "/" + sb.GetMetadata().GetName()
		if err := rt.StopPodSandbox(ctx, sb.Id); err != nil {
			fmt.Fprintf(os.Stderr, "criclean: stop %s: %v\n", name, err)
		}
		if err := rt.RemovePodSandbox(ctx, sb.Id); err != nil {
			fmt.Fprintf(os.Stderr, "criclean: remove %s: %v\n", name, err)
			failed++
			continue
		}
	}
	fmt.Printf("criclean: removed %d of %d pod sandboxes\n", len(sandboxes)-failed, len(sandboxes))
	if failed > 0 {
		os.Exit(1)
	}
}
