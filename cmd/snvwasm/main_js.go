//go:build js && wasm

package main

import (
	"runtime/debug"
	"syscall/js"
)

// exportName is the global under which the module leaves its functions
// for snv.js, which takes them and deletes the global.
const exportName = "__spvcheckSNV"

func main() {
	// A verification allocates a few hundred kilobytes at most, and
	// WebAssembly runs the collector on the one thread that verifies:
	// collecting less often costs little memory and saves time.
	debug.SetGCPercent(800)

	api := js.Global().Get("Object").New()
	api.Set("verifyProof", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 3 {
			return string(usage("verifyProof(proof, trustedHeight, trustedHash)"))
		}
		proof, h, hash := bytesOf(args[0]), args[1].String(), args[2].String()
		return string(verifyProof(proof, h, hash))
	}))
	api.Set("verifyNameAnswer", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 5 {
			return string(usage("verifyNameAnswer(answer, proof, trustedHeight, trustedHash, name)"))
		}
		answer, proof, h, hash, name := bytesOf(args[0]), bytesOf(args[1]), args[2].String(), args[3].String(), args[4].String()
		return string(verifyNameAnswer(answer, proof, h, hash, name))
	}))
	js.Global().Set(exportName, api)
	select {} // serve calls until the page or process goes away
}

// bytesOf takes a string or a Uint8Array.
func bytesOf(v js.Value) []byte {
	if v.Type() == js.TypeString {
		return []byte(v.String())
	}
	if v.Type() == js.TypeObject && v.InstanceOf(js.Global().Get("Uint8Array")) {
		b := make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b, v)
		return b
	}
	return nil
}

func usage(call string) []byte {
	return marshal(outcome{Error: &errorOut{Code: "ErrUsage", Step: "input", Message: "call as " + call, StepIndex: -1}})
}
