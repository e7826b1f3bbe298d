// Package state is the machinery between the consensus rules and a store:
// one block's overlay of writes over committed state, the cache of decoded
// committed values, the prior (before-image) tracking a store with an undo
// record wants, the arena that holds a block's keys and encodings, and the
// recent consensus hashes.
//
// State is cut into key families (Family): every key starts with its
// family's prefix, and a family's values have one Go type and one
// encoding. A Layer offers exactly one read path (Get) and one write path
// (Put) per Family; a BlindFamily, written once per key and never read
// during a block, has PutBlind and no read path at all, by its type. A read always sees the block's own earlier writes first,
// then the cache, then the store, so no read can return a value older than
// the block's last write of its key, whatever the cache holds.
//
// Built with the `invariants` tag (Pebble's habit: `go test -tags
// invariants`), a Layer tracks priors for every store and checks each
// against the store before the block is handed over, asserts that every
// key it is handed belongs to the family it is handed with and to no
// other, and fingerprints each cached value when it is filled and checks
// the fingerprint when it is evicted, so that a caller changing a shared
// cached value in place is caught. A failed check panics.
package state
