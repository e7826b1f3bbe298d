// Command snvwasm is the in-app SNV proof verifier: package snvcore built
// for WebAssembly, so a browser or a phone app needs to trust one
// consensus hash, not a name server.
//
// Build it with the standard Go toolchain:
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o snv.wasm ./cmd/snvwasm
//
// and load it with the Go toolchain's wasm_exec.js (lib/wasm) and this
// directory's snv.js, an ES module for Node and browsers:
//
//	import { loadVerifier } from './snv.js'
//	const v = await loadVerifier(fetch('snv.wasm'))
//	const proven = v.verifyNameAnswer(answer, proof, 441, 'a12273ff…', 'alice.club')
//
// verifyProof(proof, trustedHeight, trustedHash) checks a proof document
// (either encoding, as text, bytes or a parsed object) and returns what it
// establishes; verifyNameAnswer(answer, proof, trustedHeight, trustedHash,
// name) (the name asked for, or answer.name: an answer does not carry it)
// also checks that a /v1/names/{name} answer's address,
// zonefile_hash and status are the proven ones and that a served zone file
// hashes to the proven hash. Both throw an SNVError whose code is the
// snvcore.ErrorCode name (ErrConsensusMismatch, ErrAnswerAddress, ...)
// and whose step names the failed stage (decode, trust, heights,
// consensus-chain, records, selection, answer). Bitcoin evidence in a
// proof is decoded but not checked here (the result says so); `spvcheck
// verify-proof` checks it.
//
// verify.mjs is the command-line contract (architecture.md):
//
//	node cmd/snvwasm/verify.mjs snv.wasm PROOF_FILE HEIGHT:HASH
//
// exits 0 when the proof verifies, 1 when it does not (the reason on
// stderr), 2 on unusable input.
//
// Built for any other target, the command only says how to build it.
package main
