package pipeline

import (
	"errors"
	"fmt"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
)

// The failures of the mainnet safeguards (guards.go). Their values are
// kept apart from errors.go's sequence.
const (
	// ErrGenesisRequired: the rules need a genesis token allocation they
	// do not have (consensus.Params.MissingGenesis) and the next block is
	// the first whose operations can depend on it. The store stops at the
	// block before; pass the allocation, or set
	// GuardConfig.AllowUnverified to go on with answers marked
	// unverified.
	ErrGenesisRequired ErrorCode = 100 + iota
	// ErrCheckpointMismatch: a block's consensus hash differs from a
	// published one that the rules must reproduce. The block is stored;
	// nothing past it is.
	ErrCheckpointMismatch
)

func guardCodeName(c ErrorCode) (string, bool) {
	switch c {
	case ErrGenesisRequired:
		return "ErrGenesisRequired", true
	case ErrCheckpointMismatch:
		return "ErrCheckpointMismatch", true
	}
	return "", false
}

// GuardConfig sets how a sync treats the safeguards of a real chain: the
// freeze, a missing genesis allocation and published checkpoints (all
// from consensus.Params).
type GuardConfig struct {
	// AllowUnverified lets a sync go past the first token-dependent block
	// without the genesis allocation the rules need. The store is marked
	// (snapshot.Store.SetUnverified, snapshot.ReasonNoGenesis) from that
	// block on before any of it is applied.
	AllowUnverified bool
	// OnCheckpoint, when set, hears each checkpoint as the sync passes
	// it, on the sync's goroutine.
	OnCheckpoint func(CheckpointReport)
}

// CheckpointReport is one checkpoint the sync passed.
type CheckpointReport struct {
	consensus.CheckpointResult
	// Unverified is set when the block is covered by the store's
	// unverified mark: a mismatch there is expected and not fatal.
	Unverified bool
}

// GuardStats says what the safeguards saw.
type GuardStats struct {
	// Final is set when the store reached the rules' final height
	// (consensus.Params.FinalHeight: the freeze block, stored with its
	// operations ignored): its name table will not change again, and the
	// sync stopped there. FinalHeight is that height.
	Final       bool
	FinalHeight uint64
	// Checkpoints lists the checkpoints passed during this run.
	Checkpoints []CheckpointReport
	// Unverified is the store's unverified mark, if it has one.
	Unverified *snapshot.Unverified
}

// errFinal stops delivery once the final height is stored.
var errFinal = errors.New("pipeline: the rules' final height is reached")

// finalReached reports (and notes in the stats) whether the store's tip
// is at or past the rules' final height.
func (s *syncer) finalReached() bool {
	h, ok := s.p.FinalHeight()
	if !ok || s.tip < int64(h) {
		return false
	}
	s.stats.Guards.Final, s.stats.Guards.FinalHeight = true, h
	return true
}

// beforeBlock runs before block h is replayed: the freeze and the
// genesis gate.
func (s *syncer) beforeBlock(h int64) error {
	if s.finalReached() {
		return errFinal
	}
	from, ok := s.p.FirstTokenBlock()
	if !ok || !s.p.MissingGenesis() || uint64(h) < from {
		return nil
	}
	if !s.cfg.Guards.AllowUnverified {
		return newError(ErrGenesisRequired, nil,
			"block %d is the first whose operations can spend genesis tokens, and %s's genesis allocation was not given: "+
				"the store stops at block %d; pass the allocation (spvcheck sync --genesis FILE), or go on with every answer "+
				"from block %d marked \"unverified: %s\"", from, s.p.Name, from-1, from, snapshot.ReasonNoGenesis)
	}
	if s.stats.Guards.Unverified == nil || s.stats.Guards.Unverified.From > from {
		m := snapshot.Unverified{Reason: snapshot.ReasonNoGenesis, From: from}
		if err := s.store.SetUnverified(m); err != nil {
			return newError(ErrStore, err, "marking the store unverified from block %d", from)
		}
		s.stats.Guards.Unverified = &m
	}
	return nil
}

// afterBlock runs once block h is committed with consensus hash ch: the
// checkpoint check and the final height.
func (s *syncer) afterBlock(h int64, ch string) error {
	if res, ok := s.p.CheckCheckpoint(uint64(h), ch); ok {
		rep := CheckpointReport{CheckpointResult: res}
		if u := s.stats.Guards.Unverified; u != nil && u.Covers(uint64(h)) {
			rep.Unverified = true
		}
		s.stats.Guards.Checkpoints = append(s.stats.Guards.Checkpoints, rep)
		if s.cfg.Guards.OnCheckpoint != nil {
			s.cfg.Guards.OnCheckpoint(rep)
		}
		if res.Fatal() && !rep.Unverified {
			return newError(ErrCheckpointMismatch, nil,
				"block %d: consensus hash %s differs from the published %s (%s); the store stops at this block",
				h, ch, res.ConsensusHash, res.Source)
		}
	}
	if s.finalReached() {
		return errFinal
	}
	return nil
}

// loadGuards reads the store's unverified mark at the start of a run.
func (s *syncer) loadGuards() error {
	m, ok, err := s.store.Unverified()
	if err != nil {
		return newError(ErrStore, err, "reading the store's unverified mark")
	}
	if ok {
		s.stats.Guards.Unverified = &m
	}
	// A store that already holds a block disagreeing with a required
	// checkpoint (an earlier run stopped there) is refused again.
	if s.tip < 0 {
		return nil
	}
	first, _, err := s.store.First()
	if err != nil {
		return newError(ErrStore, err, "reading the store's first block")
	}
	for _, cp := range s.p.Checkpoints {
		if cp.Height < first || int64(cp.Height) > s.tip || !cp.MustReproduce {
			continue
		}
		ch, err := s.store.ConsensusHash(cp.Height)
		if err != nil {
			return newError(ErrStore, err, "reading the consensus hash of block %d", cp.Height)
		}
		if ch != cp.ConsensusHash && (!ok || !m.Covers(cp.Height)) {
			return newError(ErrCheckpointMismatch, nil,
				"the store's block %d has consensus hash %s, not the published %s (%s); sync into a new data directory once the cause is fixed",
				cp.Height, ch, cp.ConsensusHash, cp.Source)
		}
	}
	return nil
}

// FinalNote is the line a tool prints for a store at its final height.
func FinalNote(p *consensus.Params) string {
	h, ok := p.FinalHeight()
	if !ok {
		return ""
	}
	return fmt.Sprintf("the state is final: the %s rules ignore every operation from block %d on, and the sync stops after storing that block (%d), "+
		"where the final v1 node exported its name table; the chain goes on, the name table does not", p.Name, p.FreezeHeight, h)
}
