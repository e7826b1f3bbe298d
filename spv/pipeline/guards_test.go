package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// openStoreFor opens a fresh regtest store for the rules p.
func openStoreFor(t testing.TB, p *consensus.Params) *snapshot.Store {
	t.Helper()
	s, err := snapshot.Open(context.Background(), filepath.Join(t.TempDir(), "store"),
		snapshot.Options{Network: "regtest", ParamsFingerprint: p.Fingerprint(), SyncEvery: 16, VerifyPriors: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// The safeguards of a real chain, on a regtest chain with a test
// checkpoint table, a freeze height and a missing genesis allocation.
func TestGuards(t *testing.T) {
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	chain.history()
	mineTo(t, node, 386)
	const confirmed = 380 // 386 minus the confirmation depth
	ready := replayNode(t, node, confirmed, false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	net := regtestNetwork(t)
	run := func(p *consensus.Params, s *snapshot.Store, g GuardConfig) (Stats, error) {
		cfg := Config{SPV: spvConfig(t, node), Store: s, Consensus: p, Wire: net.Ops, Guards: g}
		return Run(ctx, cfg)
	}
	const wrong = "0123456789abcdef0123456789abcdef"

	t.Run("checkpoints agree", func(t *testing.T) {
		p := consensus.Regtest()
		p.Checkpoints = []consensus.Checkpoint{
			{Height: 258, ConsensusHash: wrong, Source: "test: informational"},
			{Height: 259, ConsensusHash: ready.hashes[259], Source: "test", MustReproduce: true},
		}
		s := openStoreFor(t, p)
		var heard []CheckpointReport
		st, err := run(p, s, GuardConfig{OnCheckpoint: func(r CheckpointReport) { heard = append(heard, r) }})
		require.NoError(t, err)
		require.Equal(t, int64(confirmed), st.Height)
		require.Len(t, st.Guards.Checkpoints, 2)
		require.Equal(t, st.Guards.Checkpoints, heard)
		require.False(t, heard[0].Agree, "the informational row differs")
		require.False(t, heard[0].Fatal())
		require.Equal(t, ready.hashes[258], heard[0].Ours)
		require.True(t, heard[1].Agree)
		require.False(t, st.Guards.Final)
		require.Nil(t, st.Guards.Unverified)
	})

	t.Run("checkpoint mismatch stops at that block", func(t *testing.T) {
		p := consensus.Regtest()
		p.Checkpoints = []consensus.Checkpoint{{Height: 259, ConsensusHash: wrong, Source: "test", MustReproduce: true}}
		s := openStoreFor(t, p)
		st, err := run(p, s, GuardConfig{})
		require.ErrorIs(t, err, ErrCheckpointMismatch)
		require.Contains(t, err.Error(), "block 259")
		require.Contains(t, err.Error(), wrong)
		require.Contains(t, err.Error(), ready.hashes[259])
		require.Equal(t, int64(259), st.Height)
		tip, ok, err := s.Tip()
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, uint64(259), tip, "nothing past the checkpoint block is stored")
		for h := uint64(256); h <= 259; h++ {
			ch, err := s.ConsensusHash(h)
			require.NoError(t, err)
			require.Equal(t, ready.hashes[h], ch)
		}
		requireAudits(t, s)
		// A second run stops at the same place, storing nothing more.
		_, err = run(p, s, GuardConfig{})
		require.ErrorIs(t, err, ErrCheckpointMismatch)
		tip, _, _ = s.Tip()
		require.Equal(t, uint64(259), tip)
	})

	t.Run("freeze", func(t *testing.T) {
		// Block 260 holds the history's two preorders: at the freeze
		// they are ignored.
		p := consensus.Regtest()
		p.FreezeHeight = 260
		s := openStoreFor(t, p)
		st, err := run(p, s, GuardConfig{})
		require.NoError(t, err)
		require.True(t, st.Guards.Final)
		require.Equal(t, uint64(260), st.Guards.FinalHeight)
		require.Equal(t, int64(260), st.Height, "the freeze block is stored, nothing after it")
		// Four decoded operations (the light client skips the p2pk one):
		// the three before the freeze accepted, the preorder in it neither
		// accepted nor rejected.
		require.Equal(t, 4, st.Operations)
		require.Equal(t, 3, st.Accepted)
		require.Zero(t, st.Rejected)
		ch, err := s.ConsensusHash(259)
		require.NoError(t, err)
		require.Equal(t, ready.hashes[259], ch, "below the freeze the store equals a replay without one")
		in, err := s.Inputs(260)
		require.NoError(t, err)
		require.Empty(t, in, "the freeze block's operations are ignored")
		ch, err = s.ConsensusHash(260)
		require.NoError(t, err)
		require.NotEqual(t, ready.hashes[260], ch)
		// Run again: final at once, nothing applied.
		st, err = run(p, s, GuardConfig{})
		require.NoError(t, err)
		require.True(t, st.Guards.Final)
		require.Zero(t, st.Blocks)
		require.Contains(t, FinalNote(p), "block 260")
	})

	t.Run("missing genesis", func(t *testing.T) {
		p := consensus.Regtest()
		p.Genesis, p.RequireGenesis = nil, true
		s := openStoreFor(t, p)
		st, err := run(p, s, GuardConfig{})
		require.ErrorIs(t, err, ErrGenesisRequired)
		require.Contains(t, err.Error(), "--genesis")
		require.Equal(t, int64(360), st.Height, "stops at the last block before the first token epoch")
		_, ok, err := s.Unverified()
		require.NoError(t, err)
		require.False(t, ok, "no mark without the flag")

		st, err = run(p, s, GuardConfig{AllowUnverified: true})
		require.NoError(t, err)
		require.Equal(t, int64(confirmed), st.Height)
		want := snapshot.Unverified{Reason: snapshot.ReasonNoGenesis, From: 361}
		require.Equal(t, &want, st.Guards.Unverified)
		m, ok, err := s.Unverified()
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, want, m)
		u, err := s.TrustAt(p, 360)
		require.NoError(t, err)
		require.Nil(t, u)
		u, err = s.TrustAt(p, confirmed)
		require.NoError(t, err)
		require.Equal(t, &want, u)
	})
}

// otherHash replays the node's chain up to tip under rules that differ
// from Regtest's only by starting one block earlier, and returns that
// engine's consensus hash of tip: what a differently parameterised node
// would quote.
func otherHash(t testing.TB, node *regtest.Node, tip int32) string {
	t.Helper()
	ctx := context.Background()
	q := consensus.Regtest()
	q.FirstBlock--
	eng, err := consensus.NewEngine(q, consensus.NewMemStore())
	require.NoError(t, err)
	var ch string
	for h := int32(q.FirstBlock); h <= tip; h++ {
		hash, err := node.GetBlockHash(ctx, h)
		require.NoError(t, err)
		block, err := node.GetBlock(ctx, hash)
		require.NoError(t, err)
		scan, err := ops.ScanBlock(ctx, block, ops.ContextAt(ops.Regtest(), q.Schedule(), uint64(h)), nil)
		require.NoError(t, err)
		var list []ops.Op
		for _, op := range scan.Ops {
			list = append(list, *op)
		}
		res, err := eng.ProcessBlock(ctx, consensus.Block{Height: uint64(h), Hash: hash, Ops: list})
		require.NoError(t, err)
		ch = res.ConsensusHash
	}
	return ch
}

// A regtest history whose operations quote consensus hashes of a
// differently parameterised engine raises the divergence alarm once three
// senders did so; the honest history before it does not.
func TestDivergenceAlarmOnRegtest(t *testing.T) {
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	chain.history()
	mine(t, node, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
	defer store.Close()
	p := consensus.Regtest()
	_, err := Run(ctx, syncConfig(t, node, store))
	require.NoError(t, err)
	a, ok, err := store.DivergenceAlarm(p, 1000, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Zero(t, a.Operations, "the honest history quotes only our hashes")
	require.False(t, a.Raised)

	tip, err := node.GetBlockCount(ctx)
	require.NoError(t, err)
	theirs, ours := otherHash(t, node, tip), chain.tipConsensusHash()
	require.NotEqual(t, ours, theirs)
	for i, k := range []int{keyNSCreator, keyNSReveal, keyAlice} {
		chain.send(k, ops.NamePreorderArgs{Name: fmt.Sprintf("diverged%d.demo", i), ConsensusHash: theirs,
			SenderAddress: chain.addr(k), RegisterAddress: chain.addr(k), Payment: ops.Payment{BTC: 100000}})
		mine(t, node, 1)
	}
	mine(t, node, 8)
	st, err := Run(ctx, syncConfig(t, node, store))
	require.NoError(t, err)
	require.Equal(t, 3, st.Rejected, "the engine rejects all three")
	a, _, err = store.DivergenceAlarm(p, 1000, 0)
	require.NoError(t, err)
	require.Equal(t, 3, a.Operations)
	require.Equal(t, 3, a.Senders)
	require.True(t, a.Raised)
	// Two senders stay below the documented threshold.
	a, _, err = store.DivergenceAlarm(p, uint64(st.Height)-uint64(tip)-1, 0)
	require.NoError(t, err)
	require.Equal(t, 2, a.Senders)
	require.False(t, a.Raised)
}
