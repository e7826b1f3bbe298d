//go:build js && wasm

package main

import (
	"runtime/debug"
	"unsafe"
)

// The module's interface is a few exported WebAssembly functions over
// linear memory rather than syscall/js callbacks: a call through
// js.FuncOf costs a scheduler round trip (about 15 µs under Node), a
// direct export almost nothing. snv.js packs a call's arguments, UTF-8,
// into the input buffer (snvInput), calls snvVerifyProof or
// snvVerifyNameAnswer with their lengths, and reads the outcome (JSON,
// see bridge.go) from snvOutput. The two buffers are the only state, and
// WebAssembly is single-threaded: one call at a time.
var (
	input  []byte
	output []byte
)

// snvInput makes the input buffer n bytes long and returns its address.
//
//go:wasmexport snvInput
//lint:ignore U1000 called by the host (go:wasmexport), which staticcheck does not see
func snvInput(n int32) int32 {
	if n < 0 {
		n = 0
	}
	if cap(input) < int(n) {
		input = make([]byte, n)
	}
	input = input[:n]
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(input))))
}

// snvOutput returns the address of the last outcome.
//
//go:wasmexport snvOutput
//lint:ignore U1000 called by the host (go:wasmexport), which staticcheck does not see
func snvOutput() int32 {
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(output))))
}

// args splits the input buffer into arguments of the given lengths; it
// reports false when they do not add up to the buffer.
func args(lengths ...int32) ([][]byte, bool) {
	out := make([][]byte, len(lengths))
	rest := input
	for i, n := range lengths {
		if n < 0 || int(n) > len(rest) {
			return nil, false
		}
		out[i], rest = rest[:n:n], rest[n:]
	}
	return out, len(rest) == 0
}

// snvVerifyProof: input = proof, trusted height, trusted hash. Returns
// the outcome's length.
//
//go:wasmexport snvVerifyProof
//lint:ignore U1000 called by the host (go:wasmexport), which staticcheck does not see
func snvVerifyProof(proofLen, heightLen, hashLen int32) int32 {
	a, ok := args(proofLen, heightLen, hashLen)
	if !ok {
		output = usage("verifyProof(proof, trustedHeight, trustedHash)")
	} else {
		output = verifyProof(a[0], string(a[1]), string(a[2]))
	}
	return int32(len(output))
}

// snvVerifyNameAnswer: input = answer, proof, trusted height, trusted
// hash, name. Returns the outcome's length.
//
//go:wasmexport snvVerifyNameAnswer
//lint:ignore U1000 called by the host (go:wasmexport), which staticcheck does not see
func snvVerifyNameAnswer(answerLen, proofLen, heightLen, hashLen, nameLen int32) int32 {
	a, ok := args(answerLen, proofLen, heightLen, hashLen, nameLen)
	if !ok {
		output = usage("verifyNameAnswer(answer, proof, trustedHeight, trustedHash, name)")
	} else {
		output = verifyNameAnswer(a[0], a[1], string(a[2]), string(a[3]), string(a[4]))
	}
	return int32(len(output))
}

func main() {
	// A verification allocates a few hundred kilobytes at most, and
	// WebAssembly runs the collector on the one thread that verifies:
	// collecting less often costs little memory and saves time.
	debug.SetGCPercent(800)
	select {} // the exports serve calls until the page or process goes away
}

func usage(call string) []byte {
	return marshal(outcome{Error: &errorOut{Code: "ErrUsage", Step: "input", Message: "call as " + call, StepIndex: -1}})
}
