package scenario

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// startNode starts a fresh regtest node that is stopped when the test ends.
func startNode(t *testing.T) *regtest.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n, err := regtest.Start(ctx, regtest.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, n.Stop()) })
	return n
}

func runDefault(t *testing.T, now func() time.Time) (*Result, *regtest.Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t)
	var steps []Progress
	r := &Runner{Node: n, Now: now, Progress: func(p Progress) { steps = append(steps, p) }}
	res, err := r.Run(ctx, Default())
	require.NoError(t, err)
	require.Len(t, steps, len(Default().Steps)+1, "one progress report for setup and one per step")
	for i, p := range steps {
		require.Equal(t, i, p.Step)
		if i > 0 {
			st := Default().Steps[i-1]
			require.Equal(t, st.Height, p.Height)
			require.Len(t, p.Ops, len(st.Ops))
			for j, o := range p.Ops {
				require.Equal(t, st.Ops[j].Want, o.Verdict)
				require.Equal(t, st.Ops[j].Op, o.Op)
				require.Len(t, o.Txid, 64)
			}
		}
	}
	t.Logf("default scenario: %d operations, blocks %d–%d, %v", res.Operations, res.FirstBlock, res.Tip, res.Elapsed)
	return res, n
}

// The default scenario runs on a real node, every step's verdict holds (Run
// fails on the first that does not), and the replay's final name table is
// the one written by hand from the script's intent.
func TestDefaultScenario(t *testing.T) {
	res, node := runDefault(t, nil)
	require.Equal(t, uint64(441), res.Tip)
	require.Equal(t, uint64(consensus.RegtestFirstBlock), res.FirstBlock)
	require.Len(t, res.ConsensusHashes, int(res.Tip-res.FirstBlock+1))
	require.Equal(t, 122, res.Operations)
	require.Empty(t, Expected().Diff(res.Names), "final name table differs from Expected()")
	require.Len(t, res.Names, 33)

	// The Result's table is TableOf over the Result's store.
	v := consensus.NewView(consensus.Regtest(), res.Store)
	again, err := TableOf(v, Default().Namespaces())
	require.NoError(t, err)
	require.Equal(t, res.Names, again)
	for h := res.FirstBlock; h <= res.Tip; h++ {
		want, ok, err := v.ConsensusHash(h)
		require.NoError(t, err)
		require.True(t, ok)
		got, ok := res.ConsensusHash(h)
		require.True(t, ok)
		require.Equal(t, want, got, "block %d", h)
	}
	_, ok := res.ConsensusHash(res.Tip + 1)
	require.False(t, ok)

	// Token balances, from the script: every genesis key starts with 10^15
	// µSTX and stx-2 vests 10^12 more at block 300.
	addr, err := Default().Addresses()
	require.NoError(t, err)
	const genesis = 1_000_000_000_000_000
	balances := map[string]int64{
		stx(0):  genesis - namespaceFeeStacks,                // bought club
		stx(1):  genesis - 5_000_000_000 - nameFeeStacks,     // paid alice, bought alice.club
		stx(2):  genesis + 1_000_000_000_000 - nameFeeStacks, // vested, bought vault.club
		stx(3):  genesis - 1_000_000_000,                     // paid bob once unlocked
		"alice": 5_000_000_000,
		"bob":   1_000_000_000,
		"carol": 0,
	}
	for who, want := range balances {
		got, err := v.Balance(addr[who], "STACKS")
		require.NoError(t, err)
		require.Equal(t, want, got.Int64(), "STACKS balance of %s", who)
	}

	// A light client derives senders from scriptSigs instead of asking the
	// node for spent outputs. Replaying the node's blocks that way in a
	// fresh engine gives the same hashes and the same table.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := consensus.Regtest()
	light := consensus.NewMemStore()
	engine, err := consensus.NewEngine(p, light)
	require.NoError(t, err)
	for h := res.FirstBlock; h <= res.Tip; h++ {
		hash, err := node.GetBlockHash(ctx, int32(h))
		require.NoError(t, err)
		block, err := node.GetBlock(ctx, hash)
		require.NoError(t, err)
		scan, err := ops.ScanBlock(ctx, block, ops.ContextAt(ops.Regtest(), p.Schedule(), h), nil)
		require.NoError(t, err)
		require.Empty(t, scan.Rejections, "block %d", h)
		blk := consensus.Block{Height: h, Hash: hash}
		for _, op := range scan.Ops {
			blk.Ops = append(blk.Ops, *op)
		}
		out, err := engine.ProcessBlock(ctx, blk)
		require.NoError(t, err)
		want, _ := res.ConsensusHash(h)
		require.Equal(t, want, out.ConsensusHash, "block %d", h)
	}
	lightNames, err := TableOf(consensus.NewView(p, light), Default().Namespaces())
	require.NoError(t, err)
	require.Equal(t, res.Names, lightNames)
}

// Two runs on two nodes, with clocks an hour apart so that every block
// header differs, give the same consensus hash at every height: keys, fee
// rates, coin selection, coinbases and transaction order are deterministic
// and timestamps enter no Blockstack hash.
func TestDefaultScenarioDeterministic(t *testing.T) {
	first, _ := runDefault(t, nil)
	second, _ := runDefault(t, func() time.Time { return time.Now().Add(time.Hour) })
	require.NotEqual(t, first.TipHash, second.TipHash, "the block headers should differ")
	require.Equal(t, first.ConsensusHashes, second.ConsensusHashes)
	require.Equal(t, first.Names, second.Names)
}

// tinyScript announces, then its second step expects
// a registration without a preorder to be accepted, which is wrong.
func tinyScript() *Script {
	return &Script{
		Name: "tiny", Seed: "tiny",
		Participants: []Participant{{Name: "amy", Source: WalletKey}, {Name: "ben", Source: StacksKey, Index: 1}},
		Steps: []Step{
			{Height: 256, Note: "an announcement", Ops: []Expect{
				Stateless(Announce{From: "amy", Message: "hello"}),
			}},
			{Height: 258, Note: "a registration out of nowhere", Ops: []Expect{
				Accept(NameRegistration{From: "ben", Name: "amy.id", Owner: "amy"}),
			}},
		},
	}
}

// A wrong expectation stops the run with ErrVerdict, naming the step, its
// block, its note and the operation; a node that is not fresh is refused,
// and so is a script that needs more coins than setup can mine.
func TestWrongVerdictNamesTheStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t)

	// More funding than the setup blocks before block 256 can mine is
	// refused before anything is mined.
	greedy := tinyScript()
	greedy.Participants[0].Funding = 200 * 50e8
	_, err := (&Runner{Node: n}).Run(ctx, greedy)
	require.ErrorIs(t, err, ErrFunds)
	height, err := n.GetBlockCount(ctx)
	require.NoError(t, err)
	require.Zero(t, height)

	_, err = (&Runner{Node: n}).Run(ctx, tinyScript())
	require.ErrorIs(t, err, ErrVerdict)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, 2, e.Step)
	require.Contains(t, err.Error(), `step 2/2 (block 258, "a registration out of nowhere")`)
	require.Contains(t, err.Error(), "NAME_REGISTRATION amy.id by ben for amy")
	require.Contains(t, err.Error(), "want accepted, got rejected with ErrNamespaceNotReady")

	_, err = (&Runner{Node: n}).Run(ctx, tinyScript())
	require.ErrorIs(t, err, ErrNode)
	require.Contains(t, err.Error(), "fresh chain")
}

// Cancelling the context stops a run at once with the context's error.
func TestRunHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := startNode(t)
	stepCtx, stop := context.WithCancel(ctx)
	r := &Runner{Node: n, Progress: func(p Progress) {
		if p.Step == 3 {
			stop()
		}
	}}
	start := time.Now()
	_, err := r.Run(stepCtx, Default())
	require.ErrorIs(t, err, context.Canceled)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, 4, e.Step)
	require.Less(t, time.Since(start), 30*time.Second)
}
