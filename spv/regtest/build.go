package regtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// btcdPackage is the import path of btcd's main package. The project's
// go.mod names it with a tool directive, so the version built is the one the
// module graph pins.
const btcdPackage = "github.com/btcsuite/btcd"

// BuildBtcd compiles btcd from the module graph of the Go module that
// contains the working directory and returns the path of the binary.
//
// The binary is cached under os.TempDir, keyed by the hash of the module's
// go.sum, so every test binary of one run (and later runs with the same
// dependencies) share one build. Concurrent callers, in this process or in
// other processes, serialise on a file lock and the binary is published by
// an atomic rename, so nobody ever executes a half-written file.
//
// There is no fallback: if the build fails, the error (code ErrBuildFailed)
// carries the compiler's output. A btcd found on PATH is never used.
func BuildBtcd(ctx context.Context) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", newError(ErrBuildFailed, err, "building btcd needs the go command on PATH")
	}
	root, sum, err := moduleRoot(ctx, goTool)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256(sum)
	dir := filepath.Join(os.TempDir(), "spvcheck-btcd", hex.EncodeToString(digest[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", newError(ErrBuildFailed, err, "creating btcd cache directory")
	}
	bin := filepath.Join(dir, "btcd")
	if isExecutable(bin) {
		return bin, nil
	}

	unlock, err := lockFile(ctx, filepath.Join(dir, "build.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if isExecutable(bin) { // another builder finished while we waited
		return bin, nil
	}

	tmp := fmt.Sprintf("%s.tmp-%d", bin, os.Getpid())
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", tmp, btcdPackage)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", newError(ErrBuildFailed, err, "go build %s in %s failed: %s",
			btcdPackage, root, strings.TrimSpace(out.String()))
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", newError(ErrBuildFailed, err, "publishing btcd binary")
	}
	return bin, nil
}

// moduleRoot returns the directory of the main module's go.mod and the
// contents of its go.sum.
func moduleRoot(ctx context.Context, goTool string) (string, []byte, error) {
	cmd := exec.CommandContext(ctx, goTool, "env", "GOMOD")
	out, err := cmd.Output()
	if err != nil {
		return "", nil, newError(ErrBuildFailed, err, "go env GOMOD")
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", nil, newError(ErrBuildFailed, nil,
			"not inside a Go module: run from the spvcheck module or set Options.BtcdPath")
	}
	root := filepath.Dir(gomod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return "", nil, newError(ErrBuildFailed, err, "reading go.sum of %s", root)
	}
	return root, sum, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// lockFile takes an exclusive flock on path, polling so that ctx can end
// the wait. The returned function releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, newError(ErrBuildFailed, err, "opening build lock")
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, newError(ErrBuildFailed, err, "locking %s", path)
		}
		if err := sleepCtx(ctx, pollInterval); err != nil {
			f.Close()
			return nil, newError(ErrBuildFailed, err, "waiting for another btcd build")
		}
	}
}
