// ext4-provisioner provisions the embedded cluster's "ext4" StorageClass the
// way a cloud disk is provisioned: each claim gets a disk of its own, here a
// sparse image file of the claim's size on a loop device, formatted ext4 (so
// it has lost+found and a write past its size fails with ENOSPC). The PV is a
// `local` volume pinned to the node the scheduler chose (WaitForFirstConsumer),
// so kubelet applies fsGroup as it does for any local volume. A claim with
// volumeMode Block gets the raw loop device.
//
// A class with parameter zonal: "true" (the strict shape's) makes zonal disks
// instead, as a multi-zone cloud does: the PV names the CSI driver of ext4-csi
// (cluster/build/kubernetes/ext4-csi), which attaches it to one node at a time,
// and its node affinity names the zone of the node the scheduler chose.
//
// It runs on the host, next to the nodes (which share the host's mounts), as
// the cluster's other components do; the sig-storage-lib-external-provisioner
// controller does the Kubernetes side.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"sigs.k8s.io/sig-storage-lib-external-provisioner/v11/controller"
)

const provisionerName = "stateful-conformance.io/ext4"

// The CSI driver of ext4-csi, which publishes zonal disks on the nodes, and the volume
// attribute that tells it the disk's filesystem (or device) on the host.
const zonalDriver, pathAttribute = "ext4.stateful-conformance.io", "path"

const zoneLabel = "topology.kubernetes.io/zone"

const diskGID = 6 // the "disk" group of Debian and of buildroot's (busybox's) /etc/group

type ext4Provisioner struct {
	disks string     // image files (<pv>.img) and mount points (<pv>/)
	mu    sync.Mutex // losetup --find and mkfs one at a time: two claims never race for a device
}

var _ controller.BlockProvisioner = (*ext4Provisioner)(nil)

func (p *ext4Provisioner) SupportsBlock(context.Context) bool { return true }

func run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// loopDevice returns the loop device backed by image, attaching one if needed.
func loopDevice(image string, attach bool) (string, error) {
	out, err := run("losetup", "--noheadings", "--output", "NAME", "--associated", image)
	if err != nil {
		return "", err
	}
	if dev := strings.TrimSpace(strings.Split(out, "\n")[0]); dev != "" || !attach {
		return dev, nil
	}
	return run("losetup", "--find", "--show", image)
}

func isMounted(dir string) bool {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

func (p *ext4Provisioner) Provision(ctx context.Context, opts controller.ProvisionOptions) (*v1.PersistentVolume, controller.ProvisioningState, error) {
	if opts.SelectedNode == nil {
		return nil, controller.ProvisioningFinished, fmt.Errorf("a disk is attached to one node: the class must use volumeBindingMode WaitForFirstConsumer")
	}
	for _, m := range opts.PVC.Spec.AccessModes {
		if m != v1.ReadWriteOnce && m != v1.ReadWriteOncePod {
			return nil, controller.ProvisioningFinished, fmt.Errorf("access mode %s is not supported: a disk is ReadWriteOnce or ReadWriteOncePod", m)
		}
	}
	// A new disk is empty: a claim that asks for another's data (a clone or a snapshot's restore)
	// is refused, as a CSI driver without those capabilities refuses it, never bound empty.
	if opts.PVC.Spec.DataSource != nil || opts.PVC.Spec.DataSourceRef != nil {
		return nil, controller.ProvisioningFinished, fmt.Errorf("class %s makes empty disks: a data source (clone or snapshot) is not supported", opts.StorageClass.Name)
	}
	zonal := opts.StorageClass.Parameters["zonal"] == "true"
	zone := opts.SelectedNode.Labels[zoneLabel]
	if zonal && zone == "" {
		return nil, controller.ProvisioningFinished, fmt.Errorf("class %s makes zonal disks, and node %s has no %s label", opts.StorageClass.Name, opts.SelectedNode.Name, zoneLabel)
	}
	request := opts.PVC.Spec.Resources.Requests[v1.ResourceStorage]
	// A class may set a minimum (the strict shape's: 1Gi), as some cloud disk types have one: a
	// smaller claim is refused, naming it, and not rounded up.
	if v, ok := opts.StorageClass.Parameters["minimumSize"]; ok {
		least, err := resource.ParseQuantity(v)
		if err != nil {
			return nil, controller.ProvisioningFinished, fmt.Errorf("class %s: parameter minimumSize %q: %v", opts.StorageClass.Name, v, err)
		}
		if request.Cmp(least) < 0 {
			return nil, controller.ProvisioningFinished, fmt.Errorf("requested size %s is less than the minimum %s of class %s", request.String(), least.String(), opts.StorageClass.Name)
		}
	}
	// Whole MiB, as cloud disks round up to their unit; at least 1 MiB.
	const mib = 1 << 20
	size := (request.Value() + mib - 1) / mib * mib
	if size < mib {
		size = mib
	}
	block := opts.PVC.Spec.VolumeMode != nil && *opts.PVC.Spec.VolumeMode == v1.PersistentVolumeBlock

	p.mu.Lock()
	defer p.mu.Unlock()
	image := filepath.Join(p.disks, opts.PVName+".img")
	mountPoint := filepath.Join(p.disks, opts.PVName)
	fresh := false
	if _, err := os.Stat(image); os.IsNotExist(err) {
		f, err := os.OpenFile(image, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, controller.ProvisioningFinished, err
		}
		err = f.Truncate(size)
		f.Close()
		if err != nil {
			return nil, controller.ProvisioningFinished, err
		}
		fresh = true
	}
	dev, err := loopDevice(image, true)
	if err != nil {
		return nil, controller.ProvisioningInBackground, err
	}
	// As a disk device usually is on a node: root:disk 0660 (this host's loop devices are 0600 root:root).
	if err := os.Chown(dev, 0, diskGID); err != nil {
		return nil, controller.ProvisioningInBackground, err
	}
	if err := os.Chmod(dev, 0o660); err != nil {
		return nil, controller.ProvisioningInBackground, err
	}
	path := dev
	if !block {
		if fresh {
			// -m0 as k8s.io/mount-utils formats a cloud disk for a CSI driver: no blocks reserved for root.
			if _, err := run("mkfs.ext4", "-q", "-F", "-m0", "-L", trimLabel(opts.PVName), dev); err != nil {
				return nil, controller.ProvisioningInBackground, err
			}
		}
		if err := os.MkdirAll(mountPoint, 0o755); err != nil {
			return nil, controller.ProvisioningInBackground, err
		}
		if !isMounted(mountPoint) {
			if _, err := run("mount", "-t", "ext4", dev, mountPoint); err != nil {
				return nil, controller.ProvisioningInBackground, err
			}
		}
		path = mountPoint
	}
	hostname := opts.SelectedNode.Labels[v1.LabelHostname]
	if hostname == "" {
		hostname = opts.SelectedNode.Name
	}
	mode := v1.PersistentVolumeFilesystem
	if block {
		mode = v1.PersistentVolumeBlock
	}
	source := v1.PersistentVolumeSource{Local: &v1.LocalVolumeSource{Path: path}}
	where := v1.NodeSelectorRequirement{Key: v1.LabelHostname, Operator: v1.NodeSelectorOpIn, Values: []string{hostname}}
	if zonal {
		csi := &v1.CSIPersistentVolumeSource{Driver: zonalDriver, VolumeHandle: opts.PVName, VolumeAttributes: map[string]string{pathAttribute: path}}
		if !block {
			csi.FSType = "ext4"
		}
		source = v1.PersistentVolumeSource{CSI: csi}
		where = v1.NodeSelectorRequirement{Key: zoneLabel, Operator: v1.NodeSelectorOpIn, Values: []string{zone}}
	}
	pv := &v1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: opts.PVName},
		Spec: v1.PersistentVolumeSpec{
			PersistentVolumeReclaimPolicy: *opts.StorageClass.ReclaimPolicy,
			AccessModes:                   opts.PVC.Spec.AccessModes,
			VolumeMode:                    &mode,
			MountOptions:                  opts.StorageClass.MountOptions,
			Capacity:                      v1.ResourceList{v1.ResourceStorage: *resource.NewQuantity(size, resource.BinarySI)},
			PersistentVolumeSource:        source,
			NodeAffinity: &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
				MatchExpressions: []v1.NodeSelectorRequirement{where},
			}}}},
		},
	}
	klog.Infof("provisioned %s for claim %s/%s: %d bytes on %s (%s) for %s %s", opts.PVName, opts.PVC.Namespace, opts.PVC.Name, size, dev, mode, where.Key, where.Values[0])
	return pv, controller.ProvisioningFinished, nil
}

// ext4 labels hold 16 bytes.
func trimLabel(s string) string {
	s = strings.TrimPrefix(s, "pvc-")
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

func (p *ext4Provisioner) Delete(ctx context.Context, pv *v1.PersistentVolume) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	image := filepath.Join(p.disks, pv.Name+".img")
	mountPoint := filepath.Join(p.disks, pv.Name)
	if isMounted(mountPoint) {
		if _, err := run("umount", mountPoint); err != nil {
			return err
		}
	}
	if err := os.Remove(mountPoint); err != nil && !os.IsNotExist(err) {
		return err
	}
	if _, err := os.Stat(image); os.IsNotExist(err) {
		return nil
	}
	if dev, err := loopDevice(image, false); err != nil {
		return err
	} else if dev != "" {
		if _, err := run("losetup", "--detach", dev); err != nil {
			return err
		}
	}
	klog.Infof("deleted %s", pv.Name)
	return os.Remove(image)
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the provisioner's identity")
	disks := flag.String("disks", "", "folder for the disk images and their mount points")
	klog.InitFlags(nil)
	flag.Parse()
	if *kubeconfig == "" || *disks == "" {
		fmt.Fprintln(os.Stderr, "ext4-provisioner: --kubeconfig and --disks are required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*disks, 0o700); err != nil {
		klog.Fatal(err)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		klog.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		klog.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	pc := controller.NewProvisionController(ctx, client, provisionerName, &ext4Provisioner{disks: *disks},
		controller.LeaderElection(false),
		// A PV is deleted only once its disk is gone.
		controller.AddFinalizer(true),
	)
	klog.Infof("provisioning %s into %s", provisionerName, *disks)
	pc.Run(ctx)
}
