// ext4-csi makes the strict shape's zonal ext4 volumes behave as a cloud's zonal
// disks do: usable from any node of their zone, and from one node at a time.
// ext4-provisioner gives such a volume a CSI source of driver ext4.stateful-conformance.io
// and node affinity for its zone; the attach/detach controller then creates a
// VolumeAttachment before a node may use it, and refuses a second node while the
// first holds a ReadWriteOnce volume (its Multi-Attach error). This program plays
// the two parts a cloud's CSI driver plays beside that controller:
//   - the attacher (external-attacher's part): a VolumeAttachment for this driver is
//     marked attached, or refused with an attach error when its node is not in the
//     volume's zone, as a cloud refuses to attach a disk across zones;
//   - the node plugin on every node (with node-driver-registrar's part): it registers
//     with the node's kubelet through the kubelet's plugin registration folder, and
//     publishes a volume by bind-mounting the disk's filesystem (or, for a Block
//     claim, its device) where the kubelet asks.
//
// It runs on the host, next to the nodes, which share the host's mounts; each node's
// kubelet reaches its own CSI socket. The disks themselves are ext4-provisioner's.
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	registration "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

const driverName = "ext4.stateful-conformance.io"

// The volume attribute that names what a node publishes: the disk's mounted
// filesystem, or its device for a Block claim (ext4-provisioner sets it).
const pathAttribute = "path"

const zoneLabel = "topology.kubernetes.io/zone"

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the identity to act as")
	sockets := flag.String("sockets", "", "folder for the nodes' CSI sockets")
	var nodes nodeFlags
	flag.Var(&nodes, "node", "NAME=KUBELET_ROOT_DIR of a node to serve, repeated")
	flag.Parse()
	if *kubeconfig == "" || *sockets == "" || len(nodes) == 0 {
		fail("--kubeconfig, --sockets and at least one --node are required")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("kubeconfig %s: %v", *kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail("client: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(*sockets, 0o700); err != nil {
		fail("%v", err)
	}
	for _, n := range nodes {
		endpoint := filepath.Join(*sockets, n.name+".sock")
		if err := serve(ctx, endpoint, func(s *grpc.Server) {
			csi.RegisterIdentityServer(s, identity{})
			csi.RegisterNodeServer(s, &nodePlugin{node: n.name, client: client})
		}); err != nil {
			fail("node %s: CSI socket %s: %v", n.name, endpoint, err)
		}
		// The kubelet's plugin watcher finds this socket, asks what it is, and then asks
		// the CSI socket for its node ID (NodeGetInfo) and writes the CSINode.
		// A short name: a unix socket's path holds at most 107 bytes, and the kubelet's folder is deep.
		reg := filepath.Join(n.kubeletRoot, "plugins_registry", "ext4-csi.sock")
		if err := serve(ctx, reg, func(s *grpc.Server) {
			registration.RegisterRegistrationServer(s, &registrar{node: n.name, endpoint: endpoint})
		}); err != nil {
			fail("node %s: registration socket %s: %v", n.name, reg, err)
		}
	}
	fmt.Printf("%s ext4-csi: node plugin of %s on %d nodes; attaching its VolumeAttachments\n", now(), driverName, len(nodes))
	attach(ctx, client)
	servers.Wait() // every socket closed and removed
}

// ---- node plugin -----------------------------------------------------------

type identity struct {
	csi.UnimplementedIdentityServer
}

func (identity) GetPluginInfo(context.Context, *csi.GetPluginInfoRequest) (*csi.GetPluginInfoResponse, error) {
	return &csi.GetPluginInfoResponse{Name: driverName, VendorVersion: "v1"}, nil
}

func (identity) GetPluginCapabilities(context.Context, *csi.GetPluginCapabilitiesRequest) (*csi.GetPluginCapabilitiesResponse, error) {
	return &csi.GetPluginCapabilitiesResponse{}, nil
}

func (identity) Probe(context.Context, *csi.ProbeRequest) (*csi.ProbeResponse, error) {
	return &csi.ProbeResponse{}, nil
}

type nodePlugin struct {
	csi.UnimplementedNodeServer
	node   string
	client kubernetes.Interface
}

// The VolumeAttachment the attach/detach controller makes for a volume on a node, named as
// the kubelet and kube-controller-manager name it (pkg/volume/csi: getAttachmentName).
func attachmentName(volumeHandle, node string) string {
	return fmt.Sprintf("csi-%x", sha256.Sum256([]byte(volumeHandle+driverName+node)))
}

// No staging: the disk is formatted and mounted on the host once, when it is made.
func (p *nodePlugin) NodeGetCapabilities(context.Context, *csi.NodeGetCapabilitiesRequest) (*csi.NodeGetCapabilitiesResponse, error) {
	return &csi.NodeGetCapabilitiesResponse{}, nil
}

func (p *nodePlugin) NodeGetInfo(context.Context, *csi.NodeGetInfoRequest) (*csi.NodeGetInfoResponse, error) {
	return &csi.NodeGetInfoResponse{NodeId: p.node}, nil
}

func (p *nodePlugin) NodePublishVolume(ctx context.Context, req *csi.NodePublishVolumeRequest) (*csi.NodePublishVolumeResponse, error) {
	source, target := req.GetVolumeContext()[pathAttribute], req.GetTargetPath()
	if source == "" || target == "" {
		return nil, status.Errorf(codes.InvalidArgument, "volume %s: the volume attribute %q and a target path are required", req.GetVolumeId(), pathAttribute)
	}
	if isMounted(target) {
		return &csi.NodePublishVolumeResponse{}, nil
	}
	// A cloud's disk is on the node only once attached there: so here too, whatever the kubelet asks.
	name := attachmentName(req.GetVolumeId(), p.node)
	va, err := p.client.StorageV1().VolumeAttachments().Get(ctx, name, metav1.GetOptions{})
	if err != nil || !va.Status.Attached {
		return nil, status.Errorf(codes.FailedPrecondition, "disk %s is not attached to node %s (VolumeAttachment %s: %v)", req.GetVolumeId(), p.node, name, err)
	}
	if req.GetVolumeCapability().GetBlock() != nil {
		// The kubelet made the target's folder; the target is a file the device is bound onto.
		f, err := os.OpenFile(target, os.O_CREATE|os.O_RDWR, 0o660)
		if err != nil {
			return nil, status.Errorf(codes.Internal, "%v", err)
		}
		f.Close()
	} else if err := os.MkdirAll(target, 0o750); err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	if err := run("mount", "--bind", source, target); err != nil {
		return nil, status.Errorf(codes.Internal, "volume %s on node %s: %v", req.GetVolumeId(), p.node, err)
	}
	if req.GetReadonly() {
		// Never left writable: a retry would find the target mounted and call it published.
		if err := run("mount", "-o", "remount,bind,ro", target); err != nil {
			_ = run("umount", target)
			return nil, status.Errorf(codes.Internal, "volume %s on node %s: %v", req.GetVolumeId(), p.node, err)
		}
	}
	fmt.Printf("%s ext4-csi: %s published on node %s at %s\n", now(), req.GetVolumeId(), p.node, target)
	return &csi.NodePublishVolumeResponse{}, nil
}

func (p *nodePlugin) NodeUnpublishVolume(_ context.Context, req *csi.NodeUnpublishVolumeRequest) (*csi.NodeUnpublishVolumeResponse, error) {
	target := req.GetTargetPath()
	if isMounted(target) {
		if err := run("umount", target); err != nil {
			return nil, status.Errorf(codes.Internal, "volume %s on node %s: %v", req.GetVolumeId(), p.node, err)
		}
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	fmt.Printf("%s ext4-csi: %s unpublished on node %s\n", now(), req.GetVolumeId(), p.node)
	return &csi.NodeUnpublishVolumeResponse{}, nil
}

type registrar struct {
	registration.UnimplementedRegistrationServer
	node, endpoint string
}

func (r *registrar) GetInfo(context.Context, *registration.InfoRequest) (*registration.PluginInfo, error) {
	return &registration.PluginInfo{Type: registration.CSIPlugin, Name: driverName, Endpoint: r.endpoint, SupportedVersions: []string{"1.0.0"}}, nil
}

func (r *registrar) NotifyRegistrationStatus(_ context.Context, s *registration.RegistrationStatus) (*registration.RegistrationStatusResponse, error) {
	if s.PluginRegistered {
		fmt.Printf("%s ext4-csi: registered with the kubelet of node %s\n", now(), r.node)
	} else {
		fmt.Printf("%s ext4-csi: the kubelet of node %s refused the registration: %s\n", now(), r.node, s.Error)
	}
	return &registration.RegistrationStatusResponse{}, nil
}

// The gRPC servers still running; main waits for them to stop before it exits.
var servers sync.WaitGroup

// serve answers gRPC on a unix socket until ctx ends, replacing a socket left by an earlier run.
func serve(ctx context.Context, path string, register func(*grpc.Server)) error {
	if len(path) > 107 {
		return fmt.Errorf("the path is %d bytes long, and a unix socket's holds at most 107", len(path))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	s := grpc.NewServer()
	register(s)
	servers.Add(1)
	go func() {
		defer servers.Done()
		<-ctx.Done()
		s.Stop()
		os.Remove(path)
	}()
	go func() {
		if err := s.Serve(l); err != nil {
			fmt.Fprintf(os.Stderr, "%s ext4-csi: %s: %v\n", now(), path, err)
		}
	}()
	return nil
}

// ---- small helpers ---------------------------------------------------------

type node struct{ name, kubeletRoot string }
type nodeFlags []node

func (f *nodeFlags) String() string { return fmt.Sprint(*f) }
func (f *nodeFlags) Set(v string) error {
	name, root, ok := strings.Cut(v, "=")
	if !ok || name == "" || root == "" {
		return fmt.Errorf("want NAME=KUBELET_ROOT_DIR, got %q", v)
	}
	*f = append(*f, node{name, root})
	return nil
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func isMounted(path string) bool {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ext4-csi: "+format+"\n", args...)
	os.Exit(1)
}
