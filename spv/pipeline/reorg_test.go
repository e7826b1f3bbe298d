package pipeline

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/stretchr/testify/require"
)

// background is a following sync running on its own goroutine.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
	stats  Stats
	err    error

	mu   sync.Mutex
	last Progress
}

func follow(t testing.TB, cfg Config) *background {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	b := &background{cancel: cancel, done: make(chan struct{})}
	cfg.Follow = true
	cfg.Progress = func(p Progress) {
		b.mu.Lock()
		b.last = p
		b.mu.Unlock()
	}
	go func() {
		defer close(b.done)
		b.stats, b.err = Run(ctx, cfg)
	}()
	t.Cleanup(b.stop)
	return b
}

func (b *background) progress() Progress {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *background) stop() {
	b.cancel()
	<-b.done
}

// waitForTip waits until the store's tip is the node's block at height h.
func waitForTip(t testing.TB, store *snapshot.Store, node *regtest.Node, h int32, b *background) {
	t.Helper()
	want, err := node.GetBlockHash(context.Background(), h)
	require.NoError(t, err)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-b.done:
			t.Fatalf("the sync ended before reaching height %d: %v", h, b.err)
		default:
		}
		if tip, ok, err := store.Tip(); err == nil && ok && tip == uint64(h) {
			if got, err := store.BlockHash(tip); err == nil && chainhash.Hash(got) == want {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tip, _, _ := store.Tip()
	t.Fatalf("the store did not reach block %s at height %d (tip %d)", want, h, tip)
}

// A following sync rides out a reorganisation above the confirmation depth
// without touching the store, and one below it by rewinding to the fork and
// replaying the winning chain: the store ends identical, hash by hash and
// key by key, to a fresh replay of the winning chain.
func TestReorgs(t *testing.T) {
	const depth = 3
	node := startNode(t, regtest.Options{})
	chain := newNameChain(t, node)
	last := chain.history()
	mineTo(t, node, last+10)
	ctx := context.Background()

	// Two syncs follow the chain side by side: light and exact senders.
	store := openStore(t, filepath.Join(t.TempDir(), "store"), 16)
	defer store.Close()
	cfg := syncConfig(t, node, store)
	cfg.SPV.ConfirmationDepth = depth
	bg := follow(t, cfg)
	exactStore := openStore(t, filepath.Join(t.TempDir(), "exact"), 16)
	defer exactStore.Close()
	exactCfg := syncConfig(t, node, exactStore)
	exactCfg.SPV.ConfirmationDepth = depth
	exactCfg.Exact = node.RPCClient
	bgExact := follow(t, exactCfg)
	waitForTip(t, store, node, last+10-depth, bg)
	waitForTip(t, exactStore, node, last+10-depth, bgExact)

	// Shallow: the two newest blocks, both unconfirmed, are replaced.
	tip := last + 10
	old, err := node.GetBlockHash(ctx, tip-1)
	require.NoError(t, err)
	require.NoError(t, node.InvalidateBlock(ctx, old))
	mine(t, node, 3)
	tip += 1
	waitForTip(t, store, node, tip-depth, bg)
	waitForTip(t, exactStore, node, tip-depth, bgExact)
	for _, b := range []*background{bg, bgExact} {
		p := b.progress()
		require.Zero(t, p.Reorgs+p.ResumeRewinds, "a reorg above the confirmation depth rewound the store: %+v", p.Stats)
	}

	// Deep: an operation is confirmed and applied in block x, then the
	// chain is replaced from x-1 on.
	chain.send(keyAlice, preorderArgs(chain, "deep.demo"))
	mine(t, node, 1)
	x := tip + 1
	mine(t, node, depth)
	waitForTip(t, store, node, x, bg)
	oldCH, err := store.ConsensusHash(uint64(x))
	require.NoError(t, err)
	fork, err := node.GetBlockHash(ctx, x-1)
	require.NoError(t, err)
	require.NoError(t, node.InvalidateBlock(ctx, fork))
	mine(t, node, 8)
	tip = x - 2 + 8
	waitForTip(t, store, node, tip-depth, bg)
	waitForTip(t, exactStore, node, tip-depth, bgExact)
	for _, b := range []*background{bg, bgExact} {
		// The rewind comes either from a reorg event or, when a header read
		// raced neutrino's rollback and delivery restarted, from finding
		// the stored tip orphaned on resume; both undo the orphaned blocks.
		p := b.progress()
		require.GreaterOrEqual(t, p.Reorgs+p.ResumeRewinds, 1, "the deep reorg did not rewind the store: %+v", p.Stats)
		require.GreaterOrEqual(t, p.RewoundBlocks+p.ResumeRewinds, 2, "blocks undone: %+v", p.Stats)
		b.stop()
		require.ErrorIs(t, b.err, context.Canceled)
	}

	newCH, err := store.ConsensusHash(uint64(x))
	require.NoError(t, err)
	require.NotEqual(t, oldCH, newCH, "the winning chain should change block %d", x)
	winning := replayNode(t, node, tip-depth, false)
	require.Equal(t, winning.hashes, replayNode(t, node, tip-depth, true).hashes)
	requireSameAsReplay(t, store, winning)
	requireSameAsReplay(t, exactStore, winning)
	requireName(t, store, chain)
}

func preorderArgs(c *nameChain, name string) preorder {
	return preorder{c: c, name: name}
}

// A store whose tip was orphaned while no sync was running is rewound to
// the winning chain on the next run (the light client reports the fork or
// a resume mismatch), even when the fork is below the first Blockstack
// block, unless that needs more blocks than the store can undo: then the
// run fails with ErrRewindBeyondUndo and the store stays a valid store of
// whole blocks.
func TestReorgWhileStopped(t *testing.T) {
	const depth = 2
	for _, tc := range []struct {
		name       string
		undoWindow int
		tip        int32 // the chain when the store syncs
		fork       int32 // the last block both chains share
	}{
		{"within the undo window", 0, 300, 294},
		{"beyond the undo window", 2, 300, 294},
		{"below the first block", 0, 262, 249},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node := startNode(t, regtest.Options{})
			mineTo(t, node, tc.tip)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			store := openStoreWindow(t, filepath.Join(t.TempDir(), "store"), 16, tc.undoWindow)
			defer store.Close()
			cfg := syncConfig(t, node, store)
			cfg.SPV.ConfirmationDepth = depth
			st, err := Run(ctx, cfg)
			require.NoError(t, err)
			stored := tc.tip - depth
			require.Equal(t, int64(stored), st.Height)

			orphan, err := node.GetBlockHash(ctx, tc.fork+1)
			require.NoError(t, err)
			require.NoError(t, node.InvalidateBlock(ctx, orphan))
			mine(t, node, tc.tip-tc.fork+3) // a longer chain
			tip, err := node.GetBlockCount(ctx)
			require.NoError(t, err)

			start := time.Now()
			st, err = Run(ctx, cfg)
			if tc.undoWindow == 0 {
				require.NoError(t, err)
				require.Equal(t, int64(tip-depth), st.Height)
				lost := stored - max(tc.fork, int32(consensus.RegtestFirstBlock)-1)
				require.GreaterOrEqual(t, st.RewoundBlocks+st.ResumeRewinds, int(lost))
				requireSameAsReplay(t, store, replayNode(t, node, tip-depth, false))
				return
			}
			require.ErrorIs(t, err, ErrRewindBeyondUndo)
			require.Less(t, time.Since(start), 30*time.Second)
			h, ok, err := store.Tip()
			require.NoError(t, err)
			require.True(t, ok)
			require.Greater(t, h, uint64(tc.fork), "the store was rewound past its undo window")
			requireAudits(t, store)
		})
	}
}
