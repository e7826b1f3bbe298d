package snv

import (
	"github.com/btcsuite/btcd/wire/v2"
)

// MemorySource is a ChainSource (and BitcoinSource) held in maps: for
// tests, tools and chains loaded from vector files. The maps are read
// only; a missing height is an ErrSource error.
type MemorySource struct {
	First     uint64
	Consensus map[uint64]string
	Ops       map[uint64]string
	// Blocks holds each height's serialized records; a missing height has
	// none.
	Blocks map[uint64][][]byte
	// Headers and BitcoinBlocks are optional.
	Headers       map[uint64]wire.BlockHeader
	BitcoinBlocks map[uint64]*wire.MsgBlock
}

var (
	_ ChainSource   = (*MemorySource)(nil)
	_ BitcoinSource = (*MemorySource)(nil)
)

// FirstBlock implements ChainSource.
func (m *MemorySource) FirstBlock() (uint64, error) { return m.First, nil }

// ConsensusHash implements ChainSource.
func (m *MemorySource) ConsensusHash(h uint64) (string, error) {
	if v, ok := m.Consensus[h]; ok {
		return v, nil
	}
	return "", missing(h, "consensus hash")
}

// OpsHash implements ChainSource.
func (m *MemorySource) OpsHash(h uint64) (string, error) {
	if v, ok := m.Ops[h]; ok {
		return v, nil
	}
	return "", missing(h, "ops hash")
}

// Records implements ChainSource.
func (m *MemorySource) Records(h uint64) ([][]byte, error) {
	if _, ok := m.Consensus[h]; !ok {
		return nil, missing(h, "block")
	}
	return m.Blocks[h], nil
}

// Header implements BitcoinSource.
func (m *MemorySource) Header(h uint64) (wire.BlockHeader, error) {
	if v, ok := m.Headers[h]; ok {
		return v, nil
	}
	return wire.BlockHeader{}, missing(h, "Bitcoin header")
}

// Block implements BitcoinSource.
func (m *MemorySource) Block(h uint64) (*wire.MsgBlock, error) {
	if v, ok := m.BitcoinBlocks[h]; ok {
		return v, nil
	}
	return nil, missing(h, "Bitcoin block")
}

func missing(h uint64, what string) error {
	e := newError(ErrSource, "no %s at height %d", what, h)
	e.Height = h
	return e
}
