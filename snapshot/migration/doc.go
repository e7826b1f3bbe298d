// Package migration audits the Stacks 2.0 migration: it reads the NAMES
// section of a Stacks 2.0 chainstate file (stx-genesis/chainstate.txt of
// stacks-core, whose format the public chainstate-test.txt sample shows)
// and compares it with the name table of a verified store.
//
// The Stacks 2.0 genesis was an export of the final v1 state
// (blockstackd.py ~3740–3808 at stacks-core b139c98): names sorted by
// name in byte order, revoked and expired names left out — a name counts
// as expired once its expire block is at or below the export height, so
// names in their grace period are left out too — and each owner's base58
// address re-encoded as a c32 Stacks address over the same hash160
// (versions 0→SP, 5→SM, 111→ST, 196→SN; package ops/c32), with an empty
// zone-file hash for a name without one. The names listed are the
// unexpired ones of ready namespaces and of still-revealed ones
// (blockstack/lib/nameset/db.py namedb_get_all_names), so names imported
// into a never-readied namespace are included. The export ran at block
// 665750, the freeze (ExportHeight). StateNames applies the same rules to
// a verified store; Compare lists every difference by name.
package migration
