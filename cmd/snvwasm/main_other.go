//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "snvwasm is a WebAssembly module: build it with GOOS=js GOARCH=wasm go build -o snv.wasm ./cmd/snvwasm")
	os.Exit(2)
}
