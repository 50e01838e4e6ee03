// The attacher's part of ext4-csi (main.go says what the whole does).
package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
)

// attach marks this driver's VolumeAttachments attached until ctx ends. A node outside the
// volume's zone gets an attach error instead, as a cloud refuses to attach a disk across zones.
func attach(ctx context.Context, client kubernetes.Interface) {
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	defer queue.ShutDown()
	factory := informers.NewSharedInformerFactory(client, 0)
	attachments := factory.Storage().V1().VolumeAttachments()
	enqueue := func(obj any) {
		if va, ok := obj.(*storagev1.VolumeAttachment); ok && va.Spec.Attacher == driverName && !va.Status.Attached && va.Status.AttachError == nil {
			queue.Add(va.Name)
		}
	}
	if _, err := attachments.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, obj any) { enqueue(obj) },
	}); err != nil {
		fail("VolumeAttachment informer: %v", err)
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), attachments.Informer().HasSynced) {
		fail("VolumeAttachment informer never synced")
	}
	go func() {
		for {
			name, shutdown := queue.Get()
			if shutdown {
				return
			}
			if err := attachOne(ctx, client, attachments.Lister().Get, name); err != nil {
				fmt.Printf("%s ext4-csi: VolumeAttachment %s: %v (retrying)\n", now(), name, err)
				queue.AddRateLimited(name)
			} else {
				queue.Forget(name)
			}
			queue.Done(name)
		}
	}()
	<-ctx.Done()
}

func attachOne(ctx context.Context, client kubernetes.Interface, get func(string) (*storagev1.VolumeAttachment, error), name string) error {
	cached, err := get(name)
	if err != nil || cached.DeletionTimestamp != nil || cached.Status.Attached || cached.Status.AttachError != nil {
		return nil // gone, going, or already answered
	}
	va := cached.DeepCopy()
	pvName := ptr.Deref(va.Spec.Source.PersistentVolumeName, "")
	if pvName == "" { // an inline volume: this driver's disks are PersistentVolumes only
		va.Status.AttachError = &storagev1.VolumeError{Time: metav1.Now(), Message: "only a PersistentVolume's disk can be attached"}
		_, err := client.StorageV1().VolumeAttachments().UpdateStatus(ctx, va, metav1.UpdateOptions{})
		return err
	}
	pv, err := client.CoreV1().PersistentVolumes().Get(ctx, pvName, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("volume %q: %v", pvName, err)
	}
	node, err := client.CoreV1().Nodes().Get(ctx, va.Spec.NodeName, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("node %q: %v", va.Spec.NodeName, err)
	}
	if zones := volumeZones(pv); len(zones) > 0 && !slices.Contains(zones, node.Labels[zoneLabel]) {
		va.Status.AttachError = &storagev1.VolumeError{Time: metav1.Now(),
			Message: fmt.Sprintf("disk %s is in zone %s; node %s is in zone %q", pvName, strings.Join(zones, ","), node.Name, node.Labels[zoneLabel])}
	} else {
		va.Status.Attached = true
		va.Status.AttachError = nil
	}
	if _, err := client.StorageV1().VolumeAttachments().UpdateStatus(ctx, va, metav1.UpdateOptions{}); err != nil {
		return err
	}
	if va.Status.Attached {
		fmt.Printf("%s ext4-csi: %s attached to node %s\n", now(), pvName, node.Name)
	} else {
		fmt.Printf("%s ext4-csi: %s not attached: %s\n", now(), pvName, va.Status.AttachError.Message)
	}
	return nil
}

// The zones a volume's node affinity names, if it names any.
func volumeZones(pv *corev1.PersistentVolume) []string {
	var zones []string
	if pv.Spec.NodeAffinity == nil || pv.Spec.NodeAffinity.Required == nil {
		return nil
	}
	for _, term := range pv.Spec.NodeAffinity.Required.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			if e.Key == zoneLabel && e.Operator == corev1.NodeSelectorOpIn {
				zones = append(zones, e.Values...)
			}
		}
	}
	return zones
}
