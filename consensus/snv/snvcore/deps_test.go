package snvcore_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoBitcoinDependencies: the pure verifier links none of btcd's
// blockchain, database or wire packages (nor btcutil, which pulls them
// in), so the WebAssembly verifier stays small. It asks the go tool, for
// the native target and for js/wasm.
func TestNoBitcoinDependencies(t *testing.T) {
	banned := []string{
		"github.com/btcsuite/btcd/blockchain",
		"github.com/btcsuite/btcd/database",
		"github.com/btcsuite/btcd/wire",
		"github.com/btcsuite/btcd/btcutil",
		"github.com/btcsuite/btcd/chaincfg",
	}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Env = append(cmd.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps (%v): %v\n%s", env, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps (%v) listed only %v", env, deps)
		}
		for _, d := range deps {
			for _, b := range banned {
				if d == b || strings.HasPrefix(d, b+"/") {
					t.Errorf("snvcore (%v) depends on %s", env, d)
				}
			}
		}
	}
}
