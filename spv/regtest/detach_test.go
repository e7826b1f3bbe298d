package regtest

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A Detached node in a chosen directory keeps running after Release and
// keeps its directory; it stops on its stop RPC like any btcd.
func TestDetachedNodeOutlivesRelease(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "node")
	n, err := Start(ctx, Options{Dir: dir, Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	pid := n.Pid()
	t.Cleanup(func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
	if n.Dir() != dir {
		t.Fatalf("Dir() = %s, want %s", n.Dir(), dir)
	}
	if _, err := Start(ctx, Options{Dir: dir}); err == nil {
		t.Fatal("a second node started in a directory that holds one")
	}
	n.Release()
	if err := n.Stop(); err != nil {
		t.Fatalf("Stop after Release: %v", err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the released node is gone: %v", err)
	}
	rpc := NewRPCClient("http://"+n.RPCAddr(), "spvcheck", "spvcheck")
	if _, err := rpc.GetBlockCount(ctx); err != nil {
		t.Fatalf("released node does not answer RPC: %v", err)
	}
	_ = rpc.call(ctx, "stop", nil, nil)
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the node did not stop on its stop RPC")
		}
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Fatalf("the node's directory was not kept: %v", err)
	}
}
