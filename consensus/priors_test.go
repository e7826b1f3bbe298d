package consensus

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// priorChecker is a MemStore that takes priors and checks every one it is
// given against the value it holds, and counts how many writes came
// without one.
type priorChecker struct {
	*MemStore
	known, unknown int
	err            error
}

func (c *priorChecker) TakesPriors() bool { return true }

func (c *priorChecker) CommitBlock(bc *BlockCommit) error {
	for _, w := range bc.Writes {
		if !w.PriorKnown {
			c.unknown++
			continue
		}
		c.known++
		v, err := c.MemStore.Get(w.Key)
		present := err == nil
		if present != (w.Prior != nil) || !bytes.Equal(v, w.Prior) {
			if c.err == nil {
				c.err = fmt.Errorf("block %d key %q: prior %q (present %v), store holds %q (present %v)", bc.Height, w.Key, w.Prior, w.Prior != nil, v, present)
			}
		}
	}
	return c.MemStore.CommitBlock(bc)
}

// TestPriorsMatchTheStore replays the benchmark's chain into a store that
// takes priors: every prior the engine hands over equals the stored value,
// and nearly every write carries one (the undo record of a persistent
// store is built from them). The ones without are mostly the history
// entries of consumed preorders, keyed by the preorder's height: the store
// reads those itself.
func TestPriorsMatchTheStore(t *testing.T) {
	p := Regtest()
	p.MaxNamesPerSender = 1 << 30
	const nOps = 20_000
	g := newBenchChain(t, p, nOps/8)
	st := &priorChecker{MemStore: NewMemStore()}
	e, err := NewEngine(p, st)
	if err != nil {
		t.Fatal(err)
	}
	g.start(e)
	for {
		blk, ok := g.next(nOps)
		if !ok {
			break
		}
		if _, err := e.ProcessBlock(context.Background(), blk); err != nil {
			t.Fatal(err)
		}
	}
	if st.err != nil {
		t.Fatal(st.err)
	}
	t.Logf("%d writes with a prior, %d without", st.known, st.unknown)
	if st.known == 0 || st.unknown*10 > st.known {
		t.Fatalf("%d writes with a prior, %d without: want at least 90%% known", st.known, st.unknown)
	}
}

// TestPriorsMatchTheStoreOnRecordedRuns does the same over every recorded
// replay scenario, which reach the rules the benchmark's chain does not
// (imports, namespaces, tokens, the 0.13 scheduled events).
func TestPriorsMatchTheStoreOnRecordedRuns(t *testing.T) {
	scenarios, err := readReplay(t)
	if err != nil {
		t.Fatal(err)
	}
	known, unknown := 0, 0
	for _, s := range scenarios {
		p, err := ParamsFromVectorConfig(s.Version, s.Config)
		if err != nil {
			t.Fatal(err)
		}
		st := &priorChecker{MemStore: NewMemStore()}
		e, err := NewEngine(p, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range s.Blocks {
			in := Block{Height: blk.Block}
			for i := range blk.Ops {
				op, err := blk.Ops[i].Op(blk.Block)
				if err != nil {
					t.Fatal(err)
				}
				if s.Version != "final-v1" && op.OpFee != nil && op.BurnAddress == "" {
					op.BurnAddress = p.BurnAddress
				}
				in.Ops = append(in.Ops, op)
			}
			if _, err := e.ProcessBlock(context.Background(), in); err != nil {
				t.Fatal(err)
			}
		}
		if st.err != nil {
			t.Fatalf("%s: %v", s.Scenario, st.err)
		}
		known, unknown = known+st.known, unknown+st.unknown
	}
	t.Logf("%d scenarios: %d writes with a prior, %d without", len(scenarios), known, unknown)
	if known == 0 {
		t.Fatal("no priors were handed over")
	}
}
