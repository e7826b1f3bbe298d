// Package snvcore is the pure part of simplified name verification: the
// proof document (Proof), its binary and JSON encodings, its typed errors,
// the authenticated records, and the verifier's walk from one trusted
// consensus hash down to the target block's records.
//
// It imports nothing of btcd's blockchain, database or wire packages (a
// test checks this with `go list -deps`), so a verifier that links only
// this package stays small: cmd/snvwasm builds it for GOOS=js GOARCH=wasm.
// Package snv builds proofs from a chain source and adds the optional
// Bitcoin evidence check (headers, Merkle branch, proof of work); its
// Proof, Record, Error and encodings are this package's, re-exported.
//
// Verify here checks everything but the Bitcoin-evidence section: it
// decodes and bounds that section like the rest, and reports its presence
// in Result.HasBitcoin, but leaves checking it to snv.Verify. The
// consensus hashes alone bind the records to the chain the caller trusts.
//
// The formats are specified in package snv's documentation.
package snvcore
