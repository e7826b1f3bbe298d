package spv

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"pgregory.net/rapid"
)

// simChain is a simulated best header chain for the deliverer: it can grow
// and reorganise between (and during) delivery steps. Like neutrino, it
// cannot fetch a block whose header is no longer on the best chain.
type simChain struct {
	mu     sync.Mutex
	hashes []chainhash.Hash // best chain; index is height
	blocks map[chainhash.Hash]*btcutil.Block
	nonce  uint32
}

func newSimChain(length int) *simChain {
	s := &simChain{blocks: make(map[chainhash.Hash]*btcutil.Block)}
	s.extend(length)
	return s
}

// extend mines k blocks on the tip (the first call mines genesis).
func (s *simChain) extend(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range k {
		var prev chainhash.Hash
		if len(s.hashes) > 0 {
			prev = s.hashes[len(s.hashes)-1]
		}
		s.nonce++
		b := btcutil.NewBlock(&wire.MsgBlock{Header: wire.BlockHeader{
			PrevBlock: prev, Nonce: s.nonce, Timestamp: time.Unix(int64(s.nonce), 0),
		}})
		s.blocks[*b.Hash()] = b
		s.hashes = append(s.hashes, *b.Hash())
	}
}

// reorg replaces the top depth blocks (never genesis) with depth+extra new
// ones.
func (s *simChain) reorg(depth, extra int) {
	s.mu.Lock()
	depth = min(depth, len(s.hashes)-1)
	s.hashes = s.hashes[:len(s.hashes)-depth]
	s.mu.Unlock()
	s.extend(depth + extra)
}

func (s *simChain) snapshot() []chainhash.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]chainhash.Hash(nil), s.hashes...)
}

func (s *simChain) headerTip() (int32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int32(len(s.hashes) - 1), nil
}

func (s *simChain) hashAt(h int32) (chainhash.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h < 0 || int(h) >= len(s.hashes) {
		return chainhash.Hash{}, newError(ErrHeaderStore, nil, "no header at %d", h)
	}
	return s.hashes[h], nil
}

func (s *simChain) fetchBlock(_ context.Context, hash chainhash.Hash) (*btcutil.Block, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.hashes {
		if h == hash {
			return s.blocks[hash], nil
		}
	}
	return nil, newError(ErrFetchBlock, nil, "no header for %s", hash)
}

// TestDeliveryModel checks the deliverer against a model consumer over
// random sequences of growth, reorganisations (also in the middle of a
// batch) and delivery steps: every block is on the best chain and
// confirmed when delivered, heights are consecutive, rewinds go exactly to
// blocks the consumer holds, and once the chain is quiet the consumer holds
// exactly the confirmed best chain.
func TestDeliveryModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		chain := newSimChain(rapid.IntRange(1, 40).Draw(rt, "length"))
		cfg := Config{
			ConfirmationDepth: rapid.Int32Range(0, 4).Draw(rt, "depth"),
			FetchParallelism:  rapid.IntRange(1, 4).Draw(rt, "parallel"),
			MaxReorgDepth:     64,
		}
		var model []chainhash.Hash // the consumer's chain
		start := Cursor{Height: -1}
		if tip, _ := chain.headerTip(); rapid.Bool().Draw(rt, "resume") {
			start.Height = rapid.Int32Range(0, tip).Draw(rt, "resume height")
			model = chain.snapshot()[:start.Height+1]
			start.Hash = model[start.Height]
		}
		startChain := append([]chainhash.Hash(nil), model...)
		fn := func(_ context.Context, ev Event) error {
			tip, _ := chain.headerTip()
			switch e := ev.(type) {
			case *BlockEvent:
				if int(e.Height) != len(model) {
					return fmt.Errorf("block at %d, consumer holds %d", e.Height, len(model))
				}
				if now, err := chain.hashAt(e.Height); err != nil || now != e.Hash {
					return fmt.Errorf("block %d delivered after it left the best chain", e.Height)
				}
				if e.Height > tip-cfg.ConfirmationDepth {
					return fmt.Errorf("block %d delivered at tip %d, depth %d", e.Height, tip, cfg.ConfirmationDepth)
				}
				if len(model) > 0 && e.Block.MsgBlock().Header.PrevBlock != model[len(model)-1] {
					return fmt.Errorf("block %d does not extend the consumer's chain", e.Height)
				}
				model = append(model, e.Hash)
				if rapid.IntRange(0, 15).Draw(rt, "reorg mid-batch") == 0 {
					chain.reorg(rapid.IntRange(1, 6).Draw(rt, "mid depth"), rapid.IntRange(0, 3).Draw(rt, "mid extra"))
				}
			case *ReorgEvent:
				if e.Rewind {
					if int(e.ForkHeight) >= len(model)-1 || e.ForkHeight < -1 {
						return fmt.Errorf("rewind to %d, consumer holds %d", e.ForkHeight, len(model))
					}
					if e.ForkHeight >= 0 && model[e.ForkHeight] != e.ForkHash {
						return fmt.Errorf("rewind to a block the consumer does not hold")
					}
					model = model[:e.ForkHeight+1]
				} else if int(e.ForkHeight) < len(model)-1 {
					return fmt.Errorf("reorg below delivered blocks without rewind")
				}
			}
			return nil
		}
		d := newDeliverer(chain, &cfg, start, fn)
		if err := d.anchor(); err != nil {
			rt.Fatal(err)
		}
		ctx := context.Background()
		settle := func() {
			for range 1000 {
				busy, _, err := d.step(ctx)
				if err != nil {
					rt.Fatal(err)
				}
				if !busy {
					return
				}
			}
			rt.Fatal("delivery did not settle")
		}
		for range rapid.IntRange(1, 25).Draw(rt, "actions") {
			switch rapid.IntRange(0, 3).Draw(rt, "action") {
			case 0:
				chain.extend(rapid.IntRange(1, 8).Draw(rt, "extend"))
			case 1:
				chain.reorg(rapid.IntRange(1, 12).Draw(rt, "reorg depth"), rapid.IntRange(0, 4).Draw(rt, "reorg extra"))
			default:
				if _, _, err := d.step(ctx); err != nil {
					rt.Fatal(err)
				}
			}
		}
		// Quiet chain: settle twice (a mid-batch reorg in the first pass
		// can leave work for a second), then compare.
		for range 4 {
			settle()
		}
		best := chain.snapshot()
		// The confirmed chain, or more if the consumer resumed above it
		// and the part of its starting chain still on the best chain is
		// longer (nothing is rewound that is still on the best chain).
		want := max(0, len(best)-int(cfg.ConfirmationDepth))
		kept := 0
		for kept < len(startChain) && startChain[kept] == best[kept] {
			kept++
		}
		want = max(want, kept)
		if len(model) != want {
			rt.Fatalf("consumer holds %d blocks, confirmed chain has %d", len(model), want)
		}
		for h := range model {
			if model[h] != best[h] {
				rt.Fatalf("consumer's block %d is not the best chain's", h)
			}
		}
		if d.last.Height != int32(len(model)-1) {
			rt.Fatalf("deliverer cursor %d, consumer holds %d", d.last.Height, len(model))
		}
	})
}

// A reorganisation deeper than MaxReorgDepth is an error, not a silent
// divergence.
func TestDeliveryReorgTooDeep(t *testing.T) {
	chain := newSimChain(30)
	cfg := Config{ConfirmationDepth: 1, FetchParallelism: 2, MaxReorgDepth: 3}
	d := newDeliverer(chain, &cfg, Cursor{Height: -1}, func(context.Context, Event) error { return nil })
	if err := d.anchor(); err != nil {
		t.Fatal(err)
	}
	for busy := true; busy; {
		var err error
		if busy, _, err = d.step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	chain.reorg(20, 1)
	_, _, err := d.step(context.Background())
	if !isCode(err, ErrReorgTooDeep) {
		t.Fatalf("got %v, want ErrReorgTooDeep", err)
	}
}

func isCode(err error, code ErrorCode) bool {
	e, ok := err.(*Error)
	return ok && e.Code == code
}
