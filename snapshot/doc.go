// Package snapshot keeps verified Blockstack state on disk: a Pebble-backed
// implementation of consensus.Store that the replay engine extends one block
// at a time, rewinds on reorgs, exports to and imports from a portable
// snapshot file, and audits by recomputation.
//
// # The store
//
// A Store is one Pebble database with two keyspaces told apart by the first
// byte of every key. Engine state lives under 0x80 and is all that Get and
// Scan (consensus.Reader) ever see; keys and values there are opaque bytes
// whose encoding the engine owns. Below it is the store's bookkeeping:
//
//	0x00 name        metadata: format version, network, params fingerprint,
//	                 first height
//	0x01             tip height
//	0x02 height      block summary: Bitcoin block hash, ops hash, consensus hash
//	0x03 height      committed records (the ops-hash leaves), in tx order
//	0x04 height      parsed inputs, accepted and rejected, in tx order
//	                 (see Inputs below)
//	0x05 height      undo record: every key the block wrote, with its value
//	                 before the block (or its absence)
//
// Heights are 8 bytes big-endian, so per-height data iterates in height
// order. CommitBlock writes a block's state changes, undo record, records,
// inputs, summary and new tip in one batch committed with pebble.Sync, and
// deletes in the same batch the undo record that falls out of the undo
// window; Pebble applies a batch entirely or not at all, so after a crash a
// store reopens at the last whole block. Heights must be consecutive.
// The undo record's before-images are the writes' Prior values where the
// engine supplies them (consensus.Write.PriorKnown, set for nearly every
// key, since the engine read it during the block or knows it new); the
// store reads only the others from the database, with one iterator over
// their sorted keys. Options.VerifyPriors reads them all and refuses a
// block whose supplied Prior disagrees (ErrInvalidCommit, nothing written).
// Options.SyncEvery trades durability of the latest blocks for speed during
// initial sync: blocks still commit whole, but only every N-th waits for
// the disk, so a crash can lose trailing blocks (never part of one), which
// are then simply processed again.
// Rewind applies undo records newest first, one synced batch per block, and
// refuses up front when a block's undo record is gone.
//
// Open refuses, with a typed error and without writing anything, a directory
// that is not a store, a store of another network or parameters fingerprint,
// and a store in a format version it does not read: it looks at an existing
// store read-only before opening it for writing.
//
// # Format versions
//
// This build writes format version 2 and reads versions 1 and 2, of stores
// and snapshot files alike; the versions differ only in how a block's
// inputs are encoded. A version 1 store stays version 1 and keeps taking
// new blocks in its encoding; Export writes any store as a version 2 file,
// and Import makes a version 2 store of a file of either version.
//
// # Inputs
//
// A block's inputs are a uvarint count followed by its operations. Version
// 2 encodes each as its opcode byte, a uvarint mask with bit i set for
// each field i of ops.Op that it carries (in the order of the struct,
// Opcode left out: Kind is bit 0, ScratchArea bit 30), then those fields'
// values in bit order. A plain field is carried when it is not its zero
// value, a pointer field when it is not nil. Strings are bytes; unsigned
// numbers uvarints; Vtxindex and each of the 16 Buckets signed zig-zag
// varints; KeepData one byte, 0 or 1; Kind one byte, 1 to 12 for
// NAME_PREORDER, NAME_REGISTRATION, NAME_RENEWAL, NAME_UPDATE,
// NAME_TRANSFER, NAME_REVOKE, NAME_IMPORT, NAMESPACE_PREORDER,
// NAMESPACE_REVEAL, NAMESPACE_READY, ANNOUNCE, TOKEN_TRANSFER, or 0
// followed by bytes for any other kind. Decoding accepts exactly what
// encoding writes (no unknown bit, no carried zero value, no number out of
// its field's range, every varint in its shortest form), so every block of
// operations has one encoding.
// Version 1 encodes each operation as its opcode byte followed by bytes
// of its JSON form (encoding/json, which leaves the opcode out).
//
// # The snapshot file
//
// Export writes, and Import and AuditFile read, this layout (format version
// 2; uvarint is an unsigned LEB128 varint, u64 is 8 bytes big-endian,
// bytes is a uvarint length followed by that many bytes):
//
//	header   "SPVCSNAP"  uvarint version  bytes network  bytes params
//	         u64 first  u64 tip  [32] tip block hash  [16] tip consensus hash
//	         [32] SHA-256 of the header from the magic on
//	section  'C' chain   entry* 0x00 [32] SHA-256 of the section from its tag
//	section  'B' blocks  entry* 0x00 [32]
//	section  'S' state   entry* 0x00 [32]
//	end      'E'  [32] SHA-256 of every byte before it; then end of file
//
//	entry    uvarint n (1..64 MiB)  n bytes of payload
//	chain    u64 height  [32] block hash  [32] ops hash  [16] consensus hash
//	blocks   u64 height  bytes records  bytes inputs
//	state    bytes key  value (the rest of the entry)
//
// The chain and blocks sections hold exactly one entry per height, from
// first to tip in order; records and inputs keep the store's encodings
// (records: uvarint count, then bytes per record; inputs: as described
// above, in the file's format version). State entries are in strictly
// ascending key order. Every byte of the file is
// covered by a checksum or is structure that is checked, so flipping or
// cutting any byte is reported as a typed error.
//
// Import verifies everything while streaming: checksums and structure,
// chain continuity and the tip against the header, every block's ops hash
// recomputed from its records and every consensus hash recomputed from its
// ops hash and the consensus hashes of heights N-1, N-3, N-7, ... (package
// digest). It stages the data in a temporary directory beside the target
// and renames it into place only when all of it checked out and was synced,
// so a failed import leaves nothing behind. Memory stays bounded: one entry
// and one Pebble batch at a time, plus 48 bytes per block for the chain.
//
// # Audits
//
// AuditStore and AuditFile recompute every ops hash and consensus hash. With
// a Replayer they also rebuild the state from the stored inputs, block by
// block, in a scratch store and compare each block's consensus hash and the
// final state with what is stored. The AuditReport's Verdict is Verified,
// Divergent (naming the lowest divergent block with the recomputed and the
// stored value) or Unreadable; its ExitCode is 0, 1 or 2.
//
// # Mainnet safeguards
//
// The store's metadata holds two more things (mainnet.go): the genesis
// allocation a store was built with (SetGenesisData, GenesisData), so that
// readers rebuild the same consensus.Params, and the typed unverified mark
// (SetUnverified, Unverified: "unverified: no genesis allocation" from a
// block on). TrustAt says whether an answer at a height is verified,
// deriving the mark from the Params for stores and imported files that
// predate it. DivergenceAlarm counts, over a window of blocks, the stored
// operations that quoted a consensus hash this store never computed, and
// their distinct senders. Checkpoints compares a rule set's published
// checkpoints with the stored hashes, and Safeguards gathers all of it as
// of the tip in one value, for status and the name server.
//
// # Errors
//
// Every failure carries an ErrorCode: errors.Is(err, snapshot.ErrHeightGap)
// tests for one, errors.As with *Error gives the description too.
package snapshot
