package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// A regtest chain with a namespace launch and a name registration syncs
// into a store that matches an independent replay of the same blocks at
// every height, in light and in exact mode; a second run resumes after the
// store's tip.
func TestSyncMatchesReplay(t *testing.T) {
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	last := chain.history()
	mineTo(t, node, last+20)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, mode := range []string{"light", "exact"} {
		t.Run(mode, func(t *testing.T) {
			tip, err := node.GetBlockCount(ctx)
			require.NoError(t, err)
			confirmed := tip - 6
			light := replayNode(t, node, confirmed, false)
			exact := replayNode(t, node, confirmed, true)
			require.Equal(t, light.hashes, exact.hashes, "light and exact replays disagree")
			require.Equal(t, 5, light.ops)

			store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
			defer store.Close()
			cfg := syncConfig(t, node, store)
			if mode == "exact" {
				cfg.Exact = node.RPCClient
			}
			var reports []Progress
			cfg.Progress = func(p Progress) { reports = append(reports, p) }
			st, err := Run(ctx, cfg)
			require.NoError(t, err)

			require.Equal(t, int64(-1), st.StartHeight)
			require.Equal(t, int64(confirmed), st.Height)
			require.Equal(t, int(confirmed)-255, st.Blocks)
			require.Zero(t, st.Skipped, "blocks below the first block were fetched")
			require.Equal(t, 5, st.Operations)
			require.Equal(t, 5, st.Accepted)
			require.Zero(t, st.Rejected)
			require.Equal(t, mode == "light", st.Light)
			if mode == "light" {
				require.Equal(t, 1, st.SignatureDecided, "the pay-to-pubkey spend")
				require.Len(t, st.SignatureDecidedTxids, 1)
			} else {
				require.Zero(t, st.SignatureDecided)
			}
			require.Equal(t, light.hashes[uint64(confirmed)], st.TipConsensusHash)
			hash, err := node.GetBlockHash(ctx, confirmed)
			require.NoError(t, err)
			require.Equal(t, hash, st.TipHash)
			require.Positive(t, st.BlocksPerSecond())
			require.Equal(t, tip, st.HeaderHeight)

			require.Len(t, reports, st.Blocks+1, "one report per block and a final one")
			for i, p := range reports[:len(reports)-1] {
				require.Equal(t, int64(256+i), p.Height)
				require.Equal(t, i+1, p.Blocks)
				require.GreaterOrEqual(t, p.TipLag, int64(6))
			}
			final := reports[len(reports)-1]
			require.Equal(t, int64(6), final.TipLag)
			require.Equal(t, st.Height, final.Height)

			requireSameAsReplay(t, store, light)
			requireName(t, store, chain)

			// Resuming: nothing new, then ten more confirmed blocks.
			cfg.Progress = nil
			st, err = Run(ctx, cfg)
			require.NoError(t, err)
			require.Zero(t, st.Blocks)
			require.Equal(t, int64(confirmed), st.StartHeight)
			require.Equal(t, int64(confirmed), st.Height)
			mine(t, node, 10)
			st, err = Run(ctx, cfg)
			require.NoError(t, err)
			require.Equal(t, 10, st.Blocks)
			require.Equal(t, int64(confirmed+10), st.Height)
			requireSameAsReplay(t, store, replayNode(t, node, confirmed+10, mode == "exact"))
		})
	}
}

// Exact mode with a node that cannot serve previous transactions fails
// with ErrSenders at the first operation, the store at the block before.
func TestExactSourceFails(t *testing.T) {
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	last := chain.history()
	mineTo(t, node, last+6)
	store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
	defer store.Close()
	cfg := syncConfig(t, node, store)
	cfg.Exact = regtest.NewRPCClient("http://"+deadAddr(t), "user", "pass")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := Run(ctx, cfg)
	require.ErrorIs(t, err, ErrSenders)
	require.ErrorIs(t, err, regtest.ErrRPCTransport)
	require.Equal(t, int64(256), st.Height, "the first operation is in block 257")
	requireAudits(t, store)

	// With the node itself, the same store completes.
	cfg.Exact = node.RPCClient
	st, err = Run(ctx, cfg)
	require.NoError(t, err)
	require.Equal(t, int64(last), st.Height)
	requireSameAsReplay(t, store, replayNode(t, node, last, true))
}

// A chain that has not reached the first Blockstack block yet: catching up
// has nothing to do, and following waits for it.
func TestChainBelowFirstBlock(t *testing.T) {
	node := startNode(t, regtest.Options{})
	mineTo(t, node, 100)
	store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
	defer store.Close()
	cfg := syncConfig(t, node, store)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := Run(ctx, cfg)
	require.NoError(t, err)
	require.Zero(t, st.Blocks)
	require.Equal(t, int64(-1), st.Height)

	bg := follow(t, cfg)
	time.Sleep(200 * time.Millisecond)
	mineTo(t, node, 270)
	waitForTip(t, store, node, 264, bg)
	bg.stop()
	require.ErrorIs(t, bg.err, context.Canceled)
	require.Zero(t, bg.stats.Skipped)
	requireSameAsReplay(t, store, replayNode(t, node, 264, false))
}
