// Package zonefiles keeps zone files, the small documents whose
// RIPEMD160(SHA256) hash a name operation writes on chain as its value
// hash, in a directory of plain files named by that hash.
//
// The store checks bytes, never policy: a file is written atomically
// (temporary file, sync, rename) under the hash of its bytes, and every
// read hashes the bytes again and drops a file whose bytes no longer match
// its name, so a damaged or tampered file is never served. Which hashes
// may be stored at all (the Atlas rule: only hashes an accepted operation
// announced) is the caller's decision; package snapshot/api makes it.
//
// ParseExport reads the zone-file table the Stacks 2.0 genesis carried over
// from Blockstack v1 (testvectors/zonefiles/name_zonefiles.txt): pairs of
// lines, a hash and then the zone file with each newline written as the two
// characters '\' 'n'.
package zonefiles
