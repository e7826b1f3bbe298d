// Package c32 implements c32check, the Crockford base-32 encoding with a
// 4-byte double-SHA256 checksum that Stacks 2.0 uses for its addresses
// ("SP…", "SM…", "ST…", "SN…"). The Stacks 2.0 genesis re-encoded every
// Blockstack v1 owner address with it (spvcheck compare-genesis).
//
// The package is checked against the c32check library's published test
// vectors (testvectors/c32).
package c32
