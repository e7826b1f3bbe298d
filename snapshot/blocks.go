package snapshot

import (
	"bytes"
	"context"
	"encoding/hex"

	"github.com/cockroachdb/pebble/v2"

	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot/internal/enc"
)

// Block is what the store keeps about one committed block besides its
// records and inputs.
type Block struct {
	Height    uint64
	BlockHash [32]byte
	// OpsHash and ConsensusHash are lower-case hex, as in consensus.
	OpsHash       string
	ConsensusHash string
}

func (s blockSummary) block(h uint64) Block {
	return Block{
		Height:        h,
		BlockHash:     s.BlockHash,
		OpsHash:       hex.EncodeToString(s.OpsHash[:]),
		ConsensusHash: hex.EncodeToString(s.ConsensusHash[:]),
	}
}

// Block returns the summary of the block at height h, or ErrNoSuchHeight.
func (s *Store) Block(h uint64) (Block, error) {
	if err := s.checkOpen(); err != nil {
		return Block{}, err
	}
	return readBlock(s.db, h)
}

func readBlock(r pebble.Reader, h uint64) (Block, error) {
	raw, ok, err := getFrom(r, heightKey(prefixBlock, h))
	if err != nil {
		return Block{}, err
	}
	if !ok {
		return Block{}, newError(ErrNoSuchHeight, "no block at height %d", h)
	}
	sum, ok := decodeSummary(raw)
	if !ok {
		return Block{}, newError(ErrCorrupt, "unreadable summary of block %d", h)
	}
	return sum.block(h), nil
}

// ConsensusHash returns the consensus hash of block h.
func (s *Store) ConsensusHash(h uint64) (string, error) {
	b, err := s.Block(h)
	return b.ConsensusHash, err
}

// OpsHash returns the ops hash of block h.
func (s *Store) OpsHash(h uint64) (string, error) {
	b, err := s.Block(h)
	return b.OpsHash, err
}

// BlockHash returns the Bitcoin block hash of block h.
func (s *Store) BlockHash(h uint64) ([32]byte, error) {
	b, err := s.Block(h)
	return b.BlockHash, err
}

// Records returns the canonical serializations of block h's committed
// records, in transaction order.
func (s *Store) Records(h uint64) ([][]byte, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	return readRecords(s.db, h)
}

func readRecords(r pebble.Reader, h uint64) ([][]byte, error) {
	raw, ok, err := getFrom(r, heightKey(prefixRecords, h))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, newError(ErrNoSuchHeight, "no records at height %d", h)
	}
	records, err := decodeRecords(raw)
	if err != nil {
		return nil, wrapError(ErrCorrupt, err, "records of block %d", h)
	}
	return records, nil
}

// Inputs returns the parsed operations block h was replayed from.
func (s *Store) Inputs(h uint64) ([]ops.Op, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	return readInputs(s.db, s.format, h)
}

// readInputs reads the inputs of block h from a store of format version v.
func readInputs(r pebble.Reader, v, h uint64) ([]ops.Op, error) {
	raw, ok, err := getFrom(r, heightKey(prefixInputs, h))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, newError(ErrNoSuchHeight, "no inputs at height %d", h)
	}
	inputs, err := decodeInputs(v, raw)
	if err != nil {
		return nil, wrapError(ErrCorrupt, err, "inputs of block %d", h)
	}
	return inputs, nil
}

// Blocks calls fn for every block from height from up to the tip, in height
// order, until fn returns false or an error. A gap in the stored chain is
// reported as ErrCorrupt.
func (s *Store) Blocks(ctx context.Context, from uint64, fn func(Block) (more bool, err error)) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	return iterBlocks(ctx, s.db, from, fn)
}

func iterBlocks(ctx context.Context, r pebble.Reader, from uint64, fn func(Block) (bool, error)) error {
	it, err := r.NewIter(&pebble.IterOptions{
		LowerBound: heightKey(prefixBlock, from),
		UpperBound: []byte{prefixBlock + 1},
	})
	if err != nil {
		return wrapError(ErrCorrupt, err, "iterating blocks")
	}
	defer it.Close()
	var next uint64
	started := false
	for valid := it.First(); valid; valid = it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := enc.NewDecoder(it.Key()[1:])
		h := d.Uint64()
		if d.Finish() != nil {
			return newError(ErrCorrupt, "malformed block key %x", it.Key())
		}
		if started && h != next {
			return newError(ErrCorrupt, "block %d missing from the stored chain", next)
		}
		sum, ok := decodeSummary(it.Value())
		if !ok {
			return newError(ErrCorrupt, "unreadable summary of block %d", h)
		}
		more, err := fn(sum.block(h))
		if err != nil || !more {
			return err
		}
		started, next = true, h+1
	}
	if err := it.Error(); err != nil {
		return wrapError(ErrCorrupt, err, "iterating blocks")
	}
	return nil
}

// heightCursor walks the per-height keys under one prefix in height order,
// for passes that visit every block: one iterator instead of a point lookup
// per block.
type heightCursor struct {
	prefix byte
	it     *pebble.Iterator
	valid  bool
}

func newHeightCursor(r pebble.Reader, prefix byte, from uint64) (*heightCursor, error) {
	it, err := r.NewIter(&pebble.IterOptions{
		LowerBound: heightKey(prefix, from),
		UpperBound: []byte{prefix + 1},
	})
	if err != nil {
		return nil, wrapError(ErrCorrupt, err, "iterating per-height data")
	}
	return &heightCursor{prefix: prefix, it: it, valid: it.First()}, nil
}

// at returns the value stored for height h, which must not be below the
// height of the previous call. The value is valid until the next call.
func (c *heightCursor) at(h uint64) ([]byte, bool, error) {
	want := heightKey(c.prefix, h)
	for c.valid && bytes.Compare(c.it.Key(), want) < 0 {
		c.valid = c.it.Next()
	}
	if err := c.it.Error(); err != nil {
		return nil, false, wrapError(ErrCorrupt, err, "iterating per-height data")
	}
	if !c.valid || !bytes.Equal(c.it.Key(), want) {
		return nil, false, nil
	}
	v, err := c.it.ValueAndErr()
	if err != nil {
		return nil, false, wrapError(ErrCorrupt, err, "reading per-height data")
	}
	return v, true, nil
}

func (c *heightCursor) close() error { return c.it.Close() }
