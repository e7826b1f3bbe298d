// Package wasmbuild builds the in-app verifier (cmd/snvwasm) the one way
// the page ships it, for the generator (internal/gen) and the test that
// checks the committed copy.
package wasmbuild

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is what is built.
const Package = "github.com/spvcheck/spvcheck/cmd/snvwasm"

// Command is the build command, as the README and BUILD.json give it.
const Command = "GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags='-s -w -buildid=' -o snv.wasm ./cmd/snvwasm"

// Info describes a built module; assets/BUILD.json holds the committed
// module's.
type Info struct {
	GoVersion   string `json:"go_version"`
	Command     string `json:"command"`
	WasmSHA256  string `json:"wasm_sha256"`
	WasmBytes   int    `json:"wasm_bytes"`
	GzipBytes   int    `json:"gzip_bytes"`
	WasmExecSrc string `json:"wasm_exec_js"`
}

// Build compiles the module with the go tool on PATH and returns its
// bytes and the toolchain's version (go env GOVERSION).
func Build(ctx context.Context) (wasm []byte, goVersion string, err error) {
	dir, err := os.MkdirTemp("", "snvwasm-build-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "snv.wasm")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out, Package)
	// The environment decides nothing about the module: a test run with
	// CGO_ENABLED=1 (the race detector's) or other GOFLAGS would otherwise
	// be recorded in it and change its bytes.
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("%s: %w\n%s", Command, err, b)
	}
	wasm, err = os.ReadFile(out)
	if err != nil {
		return nil, "", err
	}
	v, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return nil, "", fmt.Errorf("go env GOVERSION: %w", err)
	}
	return wasm, strings.TrimSpace(string(v)), nil
}

// WasmExec finds the toolchain's wasm_exec.js (lib/wasm since Go 1.24,
// misc/wasm before); rel is its path under GOROOT.
func WasmExec(ctx context.Context) (path, rel string, err error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return "", "", fmt.Errorf("go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	for _, rel := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			return p, rel, nil
		}
	}
	return "", "", fmt.Errorf("no wasm_exec.js under %s", root)
}

// Gzip compresses deterministically: best compression, no name, no time.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// SHA256 is the hex SHA-256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
