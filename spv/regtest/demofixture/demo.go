package demofixture

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Demo is a data directory written by `spvcheck demo` and the CLI that
// wrote it.
type Demo struct {
	// Bin is the spvcheck binary built for the test; Dir the data
	// directory.
	Bin, Dir string
	// Tip and TipHash are the verified tip the demo printed.
	Tip     uint64
	TipHash string
	// Names are the demo's names as `spvcheck names --json` lists them,
	// in its order.
	Names []Name
}

// Name is one row of `spvcheck names --json`.
type Name struct {
	Name         string  `json:"name"`
	Owner        string  `json:"owner_address"`
	ZonefileHash *string `json:"zonefile_hash"`
	Status       string  `json:"status"`
	Revoked      bool    `json:"revoked"`
}

// ModuleRoot returns the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Run runs the built binary with args and returns its stdout, failing the
// test on a non-zero exit.
func (d *Demo) Run(ctx context.Context, t testing.TB, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(ctx, d.Bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("spvcheck %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// Make builds spvcheck and runs its demo into a new directory under
// t.TempDir (the demo starts and stops its own btcd on loopback).
func Make(ctx context.Context, t testing.TB) *Demo {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	d := &Demo{Bin: filepath.Join(tmp, "spvcheck"), Dir: filepath.Join(tmp, "demo")}
	build := exec.CommandContext(ctx, "go", "build", "-o", d.Bin, "./cmd/spvcheck")
	build.Dir = ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/spvcheck: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, d.Bin, "demo", "--datadir", d.Dir, "--json", "--quiet")
	cmd.Dir = ModuleRoot(t) // the demo builds btcd from the source tree
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("spvcheck demo: %v\n%s\n%s", err, stdout.Bytes(), stderr.Bytes())
	}
	var summary struct {
		Tip struct {
			Height        uint64 `json:"height"`
			ConsensusHash string `json:"consensus_hash"`
		} `json:"tip"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &summary); err != nil || summary.Tip.Height == 0 {
		t.Fatalf("demo --json: %v\n%s", err, stdout.Bytes())
	}
	d.Tip, d.TipHash = summary.Tip.Height, summary.Tip.ConsensusHash
	var table struct {
		Names []Name `json:"names"`
	}
	if err := json.Unmarshal(d.Run(ctx, t, "names", "--datadir", d.Dir, "--json"), &table); err != nil {
		t.Fatalf("names --json: %v", err)
	}
	if len(table.Names) < 10 {
		t.Fatalf("the demo has %d names", len(table.Names))
	}
	d.Names = table.Names
	return d
}

// Prove writes a proof with `spvcheck prove NAME --trusted-height H -o
// FILE` (H zero: the tip) and returns the file's path.
func (d *Demo) Prove(ctx context.Context, t testing.TB, name string, trustedHeight uint64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), strings.ReplaceAll(name, "/", "_")+".proof")
	args := []string{"prove", name, "--datadir", d.Dir, "-o", path}
	if trustedHeight != 0 {
		args = append(args, "--trusted-height", strconv.FormatUint(trustedHeight, 10))
	}
	d.Run(ctx, t, args...)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("prove %s wrote nothing: %v", name, err)
	}
	return path
}
