package snapshot

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/cockroachdb/pebble/v2"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// ReadView is a consistent, read-only view of a store as of one whole
// block: the state, chain and per-block data it shows never change, while
// the store it came from goes on committing and rewinding blocks. A server
// takes one per request, so no answer mixes two blocks or two branches.
//
// A ReadView is safe for concurrent use. It pins the files it reads until
// Close, so close it when done; the store must outlive it.
type ReadView struct {
	snap     *pebble.Snapshot
	format   uint64
	network  string
	params   string
	tip      uint64
	hasTip   bool
	first    uint64
	hasFirst bool
}

var _ consensus.Reader = (*ReadView)(nil)

// ReadView returns a view of the store as of its last committed block.
func (s *Store) ReadView() (*ReadView, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	// A commit or rewind holds s.mu from its batch to updating the cached
	// bounds; the view reads its bounds from the snapshot itself, so it
	// needs no lock to be consistent.
	snap := s.db.NewSnapshot()
	v := &ReadView{snap: snap, format: s.format, network: s.opts.Network, params: s.opts.ParamsFingerprint}
	if err := v.loadBounds(); err != nil {
		snap.Close()
		return nil, err
	}
	return v, nil
}

func (v *ReadView) loadBounds() error {
	if raw, ok, err := getFrom(v.snap, metaKey(metaFirst)); err != nil {
		return err
	} else if ok {
		d := enc.NewDecoder(raw)
		v.first = d.Uint64()
		if d.Finish() != nil {
			return newError(ErrCorrupt, "unreadable first height")
		}
		v.hasFirst = true
	}
	if raw, ok, err := getFrom(v.snap, tipKey()); err != nil {
		return err
	} else if ok {
		d := enc.NewDecoder(raw)
		v.tip = d.Uint64()
		if d.Finish() != nil {
			return newError(ErrCorrupt, "unreadable tip")
		}
		v.hasTip = true
	}
	return nil
}

// Close releases the view.
func (v *ReadView) Close() error { return v.snap.Close() }

// Network returns the network of the store the view was taken from.
func (v *ReadView) Network() string { return v.network }

// ParamsFingerprint returns the store's consensus parameters fingerprint.
func (v *ReadView) ParamsFingerprint() string { return v.params }

// Tip returns the height of the view's last block; ok is false for an
// empty store.
func (v *ReadView) Tip() (uint64, bool, error) { return v.tip, v.hasTip, nil }

// First returns the height of the view's first block.
func (v *ReadView) First() (uint64, bool, error) { return v.first, v.hasFirst, nil }

// Get implements consensus.Reader.
func (v *ReadView) Get(key []byte) ([]byte, error) {
	b, ok, err := getFrom(v.snap, stateKey(key))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, consensus.ErrNotFound
	}
	return b, nil
}

// Scan implements consensus.Reader. The key and value passed to fn are the
// caller's to keep.
func (v *ReadView) Scan(prefix []byte, fn func(key, value []byte) (bool, error)) error {
	return scanState(v.snap, prefix, fn)
}

// Block returns the summary of the block at height h, or ErrNoSuchHeight.
func (v *ReadView) Block(h uint64) (Block, error) { return readBlock(v.snap, h) }

// ConsensusHash returns the consensus hash of block h.
func (v *ReadView) ConsensusHash(h uint64) (string, error) {
	b, err := v.Block(h)
	return b.ConsensusHash, err
}

// OpsHash returns the ops hash of block h.
func (v *ReadView) OpsHash(h uint64) (string, error) {
	b, err := v.Block(h)
	return b.OpsHash, err
}

// BlockHash returns the Bitcoin block hash of block h.
func (v *ReadView) BlockHash(h uint64) ([32]byte, error) {
	b, err := v.Block(h)
	return b.BlockHash, err
}

// Records returns block h's canonical serialized records in transaction
// order.
func (v *ReadView) Records(h uint64) ([][]byte, error) { return readRecords(v.snap, h) }

// Inputs returns the parsed operations block h was replayed from.
func (v *ReadView) Inputs(h uint64) ([]ops.Op, error) { return readInputs(v.snap, v.format, h) }

// Blocks calls fn for every block from height from up to the view's tip, in
// height order, until fn returns false or an error.
func (v *ReadView) Blocks(ctx context.Context, from uint64, fn func(Block) (more bool, err error)) error {
	return iterBlocks(ctx, v.snap, from, fn)
}

// Checkpoint writes a copy of the store as of its last committed block into
// dir, which must not exist yet: a complete store of its own that another
// process can open (read-only or not) while this one goes on committing.
// Table files are hard-linked where the filesystem allows, so a checkpoint
// costs little space and time however large the store. Readers that find
// the store locked by a running sync or server read such a checkpoint
// instead (package snapshot/share).
func (s *Store) Checkpoint(dir string) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if _, err := s.opts.FS.Stat(dir); err == nil {
		return newError(ErrDestinationExists, "checkpoint target %s already exists", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("snapshot: checkpoint target %s: %w", dir, err)
	}
	// A commit is one batch, so any point-in-time copy holds whole blocks;
	// flushing the WAL first makes the copy hold every committed one.
	if err := s.db.Checkpoint(dir, pebble.WithFlushedWAL()); err != nil {
		return fmt.Errorf("snapshot: checkpoint into %s: %w", dir, err)
	}
	return nil
}
