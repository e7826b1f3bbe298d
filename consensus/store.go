package consensus

import (
	"github.com/spvcheck/spvcheck/consensus/internal/state"
	"github.com/spvcheck/spvcheck/ops"
)

// ErrNotFound is returned by Reader.Get for a key that holds no value.
var ErrNotFound = state.ErrNotFound

// Reader is the engine's read access to committed state: the state as of the
// end of the last committed block. The engine layers the current block's own
// writes on top of it, so implementations never see a half-applied block.
//
// Keys and values are opaque to the store: the engine owns their encoding
// (see keys.go), which lets the in-memory state and the Pebble store in
// package snapshot be swapped freely and compared byte for byte.
type Reader interface {
	// Get returns the value stored under key, or ErrNotFound. The returned
	// slice must not be modified and is valid until the next call.
	Get(key []byte) ([]byte, error)
	// Scan calls fn for every key starting with prefix, in ascending byte
	// order of the keys, until fn returns false or an error.
	Scan(prefix []byte, fn func(key, value []byte) (more bool, err error)) error
}

// Write is one key's new value in a block; a nil Value deletes the key.
//
// Prior is the value the key held before the block (nil: absent), and is
// meaningful only when PriorKnown is set. The engine sets it for the keys
// whose old value it already read through the same store during the block,
// or knows to be absent (keys of the block's own height), so that a store
// keeping an undo record need not read them again; a store reads the
// before-image itself for a write without PriorKnown.
type Write = state.Write

// BlockCommit is everything one block changes, handed to Store.CommitBlock
// as one unit. A store must apply all of it or none of it.
type BlockCommit struct {
	Height uint64
	// BlockHash is the Bitcoin block hash (internal byte order), zero when
	// the block came from a vector rather than a chain.
	BlockHash [32]byte
	// Writes are the state changes, each key at most once, sorted by key.
	// They include the block's consensus-hash chain entry.
	Writes []Write
	// Records are the canonical serializations of the block's committed
	// records in transaction order (the leaves of its ops hash).
	Records [][]byte
	// OpsHash and ConsensusHash are the block's lower-case hex hashes.
	OpsHash       string
	ConsensusHash string
	// Inputs are the block's parsed operations as handed to the engine,
	// accepted and rejected alike, in transaction order, so that an audit
	// can replay the block from its inputs and compare.
	Inputs []ops.Op
}

// Store is state that the engine can read and extend one block at a time.
type Store interface {
	Reader
	// CommitBlock atomically applies one block. Heights must be consecutive.
	// c.Writes, and the keys, values and priors in it, are valid only
	// during the call: the engine reuses their memory for its next block,
	// so a store that keeps any of them must copy it.
	CommitBlock(c *BlockCommit) error
	// Tip returns the height of the last committed block; ok is false for an
	// empty store.
	Tip() (height uint64, ok bool, err error)
}

// PriorTaker is implemented by a Store that uses Write.Prior, typically
// one that keeps an undo record per block. The engine tracks the prior
// values of the keys a block writes only for such a store.
type PriorTaker interface {
	TakesPriors() bool
}
