package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/consensus"
)

// genCommit draws a block at height h: writes over a small universe of keys
// sharing prefixes (so scans hit boundaries), some deletions, some empty
// values, some keys ending in 0xff. cur is the state before the block: some
// writes carry their true prior value from it, as the engine's do, and the
// others leave the store to read it.
func genCommit(t *rapid.T, h uint64, cur map[string]string) *consensus.BlockCommit {
	keys := rapid.SliceOfDistinct(
		rapid.SampledFrom([]string{"a", "a/1", "a/2", "a/\xff", "a/\xff\xff", "b", "b/x", "bb", "\xff", "\xff\x00", ""}),
		func(s string) string { return s },
	).Draw(t, "keys")
	sort.Strings(keys)
	c := &consensus.BlockCommit{Height: h, OpsHash: hex64, ConsensusHash: hex32}
	for _, k := range keys {
		w := consensus.Write{Key: []byte(k)}
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0: // delete
		case 1:
			w.Value = []byte{}
		default:
			w.Value = []byte(rapid.StringN(0, 6, -1).Draw(t, "value"))
		}
		if rapid.Bool().Draw(t, "prior known") {
			w.PriorKnown = true
			if v, ok := cur[k]; ok {
				w.Prior = []byte(v)
			}
		}
		c.Writes = append(c.Writes, w)
	}
	return c
}

var scanPrefixes = []string{"", "a", "a/", "a/\xff", "b", "\xff", "zz"}

func requireSameState(t require.TestingT, ref *refKV, s *Store) {
	for _, p := range scanPrefixes {
		var got []string
		require.NoError(t, s.Scan([]byte(p), func(k, v []byte) (bool, error) {
			got = append(got, string(k)+"="+string(v))
			return true, nil
		}))
		require.Equal(t, ref.scan(p), got, "scan %q", p)
	}
	for _, k := range []string{"a", "a/1", "a/\xff\xff", "b/x", "\xff", "", "missing"} {
		v, err := s.Get([]byte(k))
		want, ok := ref.cur()[k]
		if !ok {
			require.ErrorIs(t, err, consensus.ErrNotFound, "get %q", k)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, want, string(v), "get %q", k)
	}
}

// TestPropertyStoreMatchesReference drives the Pebble store and the sorted
// map reference with the same random stream of commits and rewinds.
func TestPropertyStoreMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		opts := testOptions(vfs.NewMem())
		opts.UndoWindow = rapid.IntRange(1, 6).Draw(t, "window")
		opts.VerifyPriors = rapid.Bool().Draw(t, "verify priors")
		s, err := Open(ctx, "db", opts)
		require.NoError(t, err)
		defer s.Close()
		ref := newRefKV()
		next := uint64(rapid.Uint64Range(0, 1000).Draw(t, "first"))
		undoable := 0 // blocks that still have undo records
		for range rapid.IntRange(1, 25).Draw(t, "steps") {
			if rapid.IntRange(0, 4).Draw(t, "op") == 0 {
				held := len(ref.history) - 1
				n := rapid.IntRange(0, held+1).Draw(t, "rewind")
				err := s.Rewind(ctx, n)
				switch {
				case n > held:
					require.ErrorIs(t, err, ErrRewindBeyondHeight)
				case n > undoable:
					require.ErrorIs(t, err, ErrRewindBeyondWindow)
				default:
					require.NoError(t, err)
					ref.rewind(n)
					next -= uint64(n)
					undoable -= n
				}
			} else {
				c := genCommit(t, next, ref.cur())
				require.NoError(t, s.CommitBlock(c))
				ref.apply(c)
				next++
				undoable = min(undoable+1, opts.UndoWindow)
			}
			requireSameState(t, ref, s)
			tip, ok, err := s.Tip()
			require.NoError(t, err)
			require.Equal(t, len(ref.history) > 1, ok)
			if ok {
				require.Equal(t, next-1, tip)
			}
		}
		// Reopening changes nothing.
		require.NoError(t, s.Close())
		s, err = Open(ctx, "db", Options{FS: opts.FS, ReadOnly: true})
		require.NoError(t, err)
		requireSameState(t, ref, s)
	})
}

// rawDump lists every key of the database, bookkeeping included, except
// the undo keyspace (whose pruning depends on how far the tip got).
func rawDump(t require.TestingT, s *Store) []string {
	it, err := s.db.NewIter(nil)
	require.NoError(t, err)
	defer it.Close()
	var out []string
	for valid := it.First(); valid; valid = it.Next() {
		if it.Key()[0] == prefixUndo {
			continue
		}
		out = append(out, fmt.Sprintf("%x=%x", it.Key(), it.Value()))
	}
	return out
}

// TestPropertyCommitThenRewindRestores applies k blocks and rewinds k: the
// whole database (state, per-height data, tip, metadata) is as before.
func TestPropertyCommitThenRewindRestores(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		opts := testOptions(vfs.NewMem())
		opts.VerifyPriors = rapid.Bool().Draw(t, "verify priors")
		s, err := Open(ctx, "db", opts)
		require.NoError(t, err)
		defer s.Close()
		ref := newRefKV()
		commit := func(h uint64) {
			c := genCommit(t, h, ref.cur())
			require.NoError(t, s.CommitBlock(c))
			ref.apply(c)
		}
		h := uint64(50)
		for range rapid.IntRange(0, 6).Draw(t, "prefix") {
			commit(h)
			h++
		}
		before := rawDump(t, s)
		k := rapid.IntRange(1, 8).Draw(t, "k")
		for i := 0; i < k; i++ {
			commit(h + uint64(i))
		}
		require.NoError(t, s.Rewind(ctx, k))
		after := rawDump(t, s)
		if h == 50 {
			// Rewinding every block keeps the first height on record.
			require.True(t, bytes.HasPrefix([]byte(after[0]), []byte(fmt.Sprintf("%x", metaKey(metaFirst)))))
			after = after[1:]
		}
		require.Equal(t, before, after)
	})
}
