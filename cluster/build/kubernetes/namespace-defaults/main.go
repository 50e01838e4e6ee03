// namespace-defaults gives every namespace but the cluster's own a NetworkPolicy
// "default-deny" that isolates its pods in both directions, as a policy engine's
// generate rule (Kyverno's add-networkpolicy) or an OpenShift project template
// does on locked-down clusters. The strict shape of the embedded cluster runs it
// (cluster/addons/network-policies.yaml binds its identity); kube-network-policies
// enforces what it makes. It only creates: a namespace owner may delete the policy,
// and a deleted one is not made again while it runs (a restart gives every namespace
// that lacks one its policy again), as with a generate rule without synchronize.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/workqueue"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the identity to act as")
	policyName := flag.String("policy", "default-deny", "name of the NetworkPolicy each namespace gets")
	exempt := flag.String("exempt", "default,kube-system,kube-public,kube-node-lease", "namespaces left alone, comma-separated")
	flag.Parse()
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("kubeconfig %s: %v", *kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail("client: %v", err)
	}
	skip := map[string]bool{}
	for _, n := range strings.Split(*exempt, ",") {
		skip[strings.TrimSpace(n)] = true
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	defer queue.ShutDown()
	factory := informers.NewSharedInformerFactory(client, 0)
	namespaces := factory.Core().V1().Namespaces().Informer()
	if _, err := namespaces.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if ns, ok := obj.(*corev1.Namespace); ok && !skip[ns.Name] && ns.Status.Phase != corev1.NamespaceTerminating {
				queue.Add(ns.Name)
			}
		},
	}); err != nil {
		fail("namespace informer: %v", err)
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), namespaces.HasSynced) {
		fail("namespace informer never synced")
	}
	fmt.Printf("%s namespace-defaults: giving every namespace but %s a NetworkPolicy %s\n", now(), *exempt, *policyName)
	go func() {
		for give(ctx, client, queue, *policyName) {
		}
	}()
	<-ctx.Done()
}

// give makes the policy in the next namespace of the queue; false once the queue shuts down.
func give(ctx context.Context, client kubernetes.Interface, queue workqueue.TypedRateLimitingInterface[string], policyName string) bool {
	name, shutdown := queue.Get()
	if shutdown {
		return false
	}
	defer queue.Done(name)
	policy := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{
			Name:   policyName,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "namespace-defaults"},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
	_, err := client.NetworkingV1().NetworkPolicies(name).Create(ctx, policy, metav1.CreateOptions{})
	switch {
	case err == nil:
		fmt.Printf("%s namespace-defaults: %s/%s made\n", now(), name, policyName)
	case apierrors.IsAlreadyExists(err):
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err) && strings.Contains(err.Error(), "being terminated"):
		// The namespace went, or is going: nothing to protect.
	default:
		fmt.Printf("%s namespace-defaults: %s/%s: %v (retrying)\n", now(), name, policyName, err)
		queue.AddRateLimited(name)
		return true
	}
	queue.Forget(name)
	return true
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "namespace-defaults: "+format+"\n", args...)
	os.Exit(1)
}
