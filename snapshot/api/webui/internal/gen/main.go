// Command gen regenerates the page's generated assets (go generate
// ./snapshot/api/webui): the verifier module, gzipped, the Go toolchain's
// wasm_exec.js that matches it, a copy of cmd/snvwasm/snv.js, and
// BUILD.json recording the toolchain and the module's hash. Run it from
// the webui package directory (go generate does).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spvcheck/spvcheck/snapshot/api/webui/internal/wasmbuild"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	wasm, version, err := wasmbuild.Build(ctx)
	if err != nil {
		return err
	}
	gz := wasmbuild.Gzip(wasm)
	execPath, execRel, err := wasmbuild.WasmExec(ctx)
	if err != nil {
		return err
	}
	wasmExec, err := os.ReadFile(execPath)
	if err != nil {
		return err
	}
	snvJS, err := os.ReadFile(filepath.Join("..", "..", "..", "cmd", "snvwasm", "snv.js"))
	if err != nil {
		return fmt.Errorf("run from snapshot/api/webui: %w", err)
	}
	info := wasmbuild.Info{GoVersion: version, Command: wasmbuild.Command, WasmSHA256: wasmbuild.SHA256(wasm),
		WasmBytes: len(wasm), GzipBytes: len(gz), WasmExecSrc: "$(go env GOROOT)/" + execRel}
	infoJSON, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{"snv.wasm.gz": gz, "wasm_exec.js": wasmExec, "snv.js": snvJS,
		"BUILD.json": append(infoJSON, '\n')} {
		if err := os.WriteFile(filepath.Join("assets", name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("snv.wasm: %d bytes, %d gzipped, %s\n", len(wasm), len(gz), version)
	return nil
}
