// Package fuzz holds go fuzz targets for every decoder in spvcheck that reads
// untrusted bytes: transactions, names, snapshot files, SNV proofs, c32
// addresses and Stacks 2.0 chainstate files. Each target is seeded from
// testvectors/ and asserts that decoding never panics
// and that whatever decodes re-encodes to the same meaning.
//
// Run one for a while with, for example:
//
//	go test ./fuzz -run='^$' -fuzz=FuzzDecodeTransaction -fuzztime=60s
package fuzz
