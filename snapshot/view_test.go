package snapshot

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
)

// TestReadViewIsFrozen takes a view, goes on committing and rewinding, and
// checks that the view still shows exactly the state, tip and chain it was
// taken at, held against the reference model's history.
func TestReadViewIsFrozen(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	g, ref := newChainGen(7, testFirst), newRefKV()
	for i := 0; i < 30; i++ {
		c := g.block()
		ref.apply(c)
		require.NoError(t, s.CommitBlock(c))
	}
	v, err := s.ReadView()
	require.NoError(t, err)
	defer v.Close()
	wantState := ref.scan("k/")
	tip, ok, err := v.Tip()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint64(testFirst+29), tip)
	wantCH, err := s.ConsensusHash(tip)
	require.NoError(t, err)

	require.NoError(t, s.Rewind(ctx, 5))
	g.rewind(5)
	for i := 0; i < 12; i++ {
		require.NoError(t, s.CommitBlock(g.block()))
	}
	require.Equal(t, wantState, dumpState(t, v, "k/"), "the view changed under later commits")
	tip2, _, _ := v.Tip()
	require.Equal(t, tip, tip2)
	ch, err := v.ConsensusHash(tip)
	require.NoError(t, err)
	require.Equal(t, wantCH, ch, "the view shows the other branch's block")
	_, err = v.Block(tip + 1)
	require.ErrorIs(t, err, ErrNoSuchHeight)
	n := 0
	require.NoError(t, v.Blocks(ctx, testFirst, func(Block) (bool, error) { n++; return true, nil }))
	require.Equal(t, 30, n)
	first, ok, _ := v.First()
	require.True(t, ok)
	require.Equal(t, uint64(testFirst), first)
}

// TestReadViewsSeeWholeBlocks takes views while blocks commit: every block
// sets all keys to its own height, so a view showing two values, or a value
// other than its tip's, would have caught half a block.
func TestReadViewsSeeWholeBlocks(t *testing.T) {
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	block := func(h uint64) *consensus.BlockCommit {
		c := &consensus.BlockCommit{Height: h, OpsHash: hex64, ConsensusHash: hex32}
		for k := 0; k < 20; k++ {
			c.Writes = append(c.Writes, consensus.Write{Key: fmt.Appendf(nil, "k%02d", k), Value: fmt.Appendf(nil, "%d", h)})
		}
		return c
	}
	require.NoError(t, s.CommitBlock(block(1)))
	var wg sync.WaitGroup
	done := make(chan struct{})
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				v, err := s.ReadView()
				if err != nil {
					t.Error(err)
					return
				}
				tip, _, _ := v.Tip()
				want := fmt.Sprint(tip)
				err = v.Scan([]byte("k"), func(k, val []byte) (bool, error) {
					if string(val) != want {
						return false, fmt.Errorf("view at tip %d shows %s=%s", tip, k, val)
					}
					return true, nil
				})
				v.Close()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for h := uint64(2); h < 200; h++ {
		require.NoError(t, s.CommitBlock(block(h)))
	}
	close(done)
	wg.Wait()
}

// TestCheckpointOpensAsAStore checks that a checkpoint is a whole store of
// its own at the source's tip, that audits verify it, and that a second
// checkpoint into the same place is refused.
func TestCheckpointOpensAsAStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "db"), Options{Network: testNetwork, ParamsFingerprint: testParams})
	require.NoError(t, err)
	defer s.Close()
	g := newChainGen(3, testFirst)
	for i := 0; i < 20; i++ {
		require.NoError(t, s.CommitBlock(g.block()))
	}
	cp := filepath.Join(dir, "cp")
	require.NoError(t, s.Checkpoint(cp))
	require.ErrorIs(t, s.Checkpoint(cp), ErrDestinationExists)
	// The source goes on; the checkpoint stays where it was taken.
	require.NoError(t, s.CommitBlock(g.block()))

	c, err := Open(ctx, cp, Options{ReadOnly: true})
	require.NoError(t, err)
	defer c.Close()
	tip, ok, err := c.Tip()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint64(testFirst+19), tip)
	require.Equal(t, testNetwork, c.Network())
	want, err := s.ConsensusHash(tip)
	require.NoError(t, err)
	got, err := c.ConsensusHash(tip)
	require.NoError(t, err)
	require.Equal(t, want, got)
	rep, err := AuditStore(ctx, c, AuditOptions{})
	require.NoError(t, err)
	require.Equal(t, Verified, rep.Verdict)
}
