package consensus

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
	"pgregory.net/rapid"
)

// randomChain draws a random operation stream over a small universe of
// keys and names on Regtest, so that most operations interact: it returns
// the blocks as processed (with their inputs) and the live chain.
func randomChain(t *rapid.T, tb testing.TB) ([]Block, *testChain) {
	p := Regtest()
	c := newTestChain(tb, p)
	ks := []testKey{newTestKey(p, "k0"), newTestKey(p, "k1"), newTestKey(p, "k2"), newTestKey(p, "k3")}
	names := []string{"a.test", "b.test", "c.test", "dd.test"}
	var blocks []Block
	record := func(res *BlockResult, in []ops.Op) {
		blocks = append(blocks, Block{Height: res.Height, Ops: in})
	}
	run := func(list ...ops.Op) {
		cp := append([]ops.Op(nil), list...)
		res := c.block(cp...)
		record(res, cp)
	}
	run()
	run(c.nsPreorder(ks[0], ks[1], "test", 400000000, nil))
	run(nsReveal(ks[0], ks[1], "test", 1, uint32(rapid.IntRange(2, 30).Draw(t, "lifetime")), 1, 2, flatBuckets, 1, 1))
	run(nsReady(ks[1], "test"))
	nblocks := rapid.IntRange(1, 60).Draw(t, "blocks")
	for b := 0; b < nblocks; b++ {
		n := rapid.IntRange(0, 5).Draw(t, "ops")
		var list []ops.Op
		for i := 0; i < n; i++ {
			k := ks[rapid.IntRange(0, 3).Draw(t, "k")]
			to := ks[rapid.IntRange(0, 3).Draw(t, "to")]
			name := names[rapid.IntRange(0, 3).Draw(t, "name")]
			switch rapid.IntRange(0, 8).Draw(t, "kind") {
			case 0, 1:
				list = append(list, c.preorder(k, to, name, uint64(rapid.IntRange(0, 2000).Draw(t, "fee"))))
			case 2, 3:
				list = append(list, register(k, to, name))
			case 4:
				list = append(list, c.update(k, name, strings.Repeat("ab", 20)))
			case 5:
				list = append(list, c.transfer(k, to, name, rapid.Bool().Draw(t, "keep")))
			case 6:
				list = append(list, c.renew(k, to, name, uint64(rapid.IntRange(0, 2000).Draw(t, "fee"))))
			case 7:
				list = append(list, revoke(k, name))
			case 8:
				list = append(list, c.tokenTransfer(k, to, uint64(rapid.IntRange(0, 10).Draw(t, "amt"))))
			}
		}
		// Occasionally jump ahead so names expire and epochs change.
		if rapid.IntRange(0, 9).Draw(t, "jump") == 0 {
			c.skipTo(c.next + uint64(rapid.IntRange(1, 40).Draw(t, "gap")))
			for h := blocks[len(blocks)-1].Height + 1; h < c.next; h++ {
				blocks = append(blocks, Block{Height: h})
			}
		}
		run(list...)
	}
	return blocks, c
}

func replayBlocks(tb testing.TB, p *Params, s Store, blocks []Block) []string {
	e, err := NewEngine(p, s)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, b := range blocks {
		res, err := e.ProcessBlock(context.Background(), Block{Height: b.Height, Ops: append([]ops.Op(nil), b.Ops...)})
		if err != nil {
			tb.Fatalf("replay block %d: %v", b.Height, err)
		}
		out = append(out, res.ConsensusHash)
	}
	return out
}

// The same blocks always give the same hashes and state; a replay resumed
// from a copy of the state midway equals the straight replay; random
// operation streams never panic or fail the block.
func TestPropertyDeterministicReplay(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		blocks, c := randomChain(rt, t)
		p := Regtest()
		first := replayBlocks(t, p, NewMemStore(), blocks)
		var want []string
		v := c.e.View()
		for _, b := range blocks {
			h, _, _ := v.ConsensusHash(b.Height)
			want = append(want, h)
		}
		if fmt.Sprint(first) != fmt.Sprint(want) {
			rt.Fatalf("replay hashes differ from the live chain")
		}
		straight := NewMemStore()
		replayBlocks(t, p, straight, blocks)
		if !straight.Equal(c.s) {
			rt.Fatalf("replayed state differs from the live state")
		}
		// A store that offers nothing beyond Store (no warm-up, writes
		// sorted) ends the same.
		plain := NewMemStore()
		if got := replayBlocks(t, p, struct{ Store }{plain}, blocks); fmt.Sprint(got) != fmt.Sprint(want) || !plain.Equal(straight) {
			rt.Fatalf("replay into a plain store diverged")
		}
		cut := rapid.IntRange(0, len(blocks)).Draw(rt, "cut")
		half := NewMemStore()
		replayBlocks(t, p, half, blocks[:cut])
		resumed := half.Clone()
		rest := replayBlocks(t, p, resumed, blocks[cut:])
		if fmt.Sprint(rest) != fmt.Sprint(want[cut:]) || !resumed.Equal(straight) {
			rt.Fatalf("resuming from a snapshot at %d diverged", cut)
		}
	})
}

// Leaf order never changes an ops hash (consensus-hash.md (b)).
func TestPropertyLeafOrder(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(rt, "n")
		recs := make([][]byte, n)
		for i := range recs {
			recs[i] = []byte(rapid.StringN(0, 40, -1).Draw(rt, "rec"))
		}
		perm := rapid.Permutation(recs).Draw(rt, "perm")
		if digest.OpsHash(recs) != digest.OpsHash(perm) {
			rt.Fatalf("ops hash depends on order")
		}
	})
}
