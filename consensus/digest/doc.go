// Package digest computes the hashes that chain Blockstack blocks together:
// the ops hash of a block, the heights of the earlier consensus hashes that a
// block commits to, and the 16-byte consensus hash itself. It follows
// virtualchain's make_ops_snapshot / make_snapshot (indexer.py:925-1088) and
// its Merkle tree (merkle.py), as restated in consensus-hash.md.
//
//   - Each committed record's canonical bytes (package canon) hash to a leaf,
//     hex(SHA256(SHA256(record))). A block with no records has the single leaf
//     of the empty string (EmptyOpsHash).
//   - The leaves are sorted as hex strings and Merkle-ized: every leaf's bytes
//     are reversed, pairs are double-SHA256'd with the last node duplicated on
//     odd levels, and the root is printed reversed. So the order of records in
//     a block never changes its ops hash.
//   - Block N commits to the consensus hashes of N-1, N-3, N-7, ..., N-(2^i-1)
//     while that height is at least the first block (PrevHeights).
//   - The consensus hash is the first 16 bytes of RIPEMD160(SHA256(root)) of
//     the Merkle root over the sorted hex strings of the ops hash and those
//     earlier consensus hashes (ConsensusHash).
//
// The Merkle tree is the reference's, not Bitcoin's: the pairing is the same
// (double-SHA256, last node duplicated), but the consensus-hash tree mixes
// 16-byte leaves (earlier consensus hashes) with a 32-byte one (the ops
// hash), which btcd's chainhash.Hash-based merkle helpers cannot represent.
// The hashing itself is btcd's and the standard library's.
//
// All hashes cross the API as lower-case hex strings, as in the reference,
// because its sort order is defined on those strings.
package digest
