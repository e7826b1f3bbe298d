package testvectors

import (
	"path/filepath"
	"runtime"
)

// Path returns the absolute path of a file below the testvectors directory
// of this source tree, e.g. Path("wire", "real_txs.jsonl"). It is meant for
// tests and benchmarks, which always run from a source checkout.
func Path(elem ...string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testvectors: cannot locate source directory")
	}
	return filepath.Join(append([]string{filepath.Dir(file)}, elem...)...)
}
