package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

// fullDump lists every key of the database, bookkeeping and undo records
// included.
func fullDump(t require.TestingT, s *Store) []string {
	it, err := s.db.NewIter(nil)
	require.NoError(t, err)
	defer it.Close()
	var out []string
	for valid := it.First(); valid; valid = it.Next() {
		out = append(out, fmt.Sprintf("%x=%x", it.Key(), it.Value()))
	}
	return out
}

// TestPriorIsTheBeforeImage: without VerifyPriors the store takes a
// supplied prior as the before-image without reading the key, so rewinding
// the block restores exactly what the prior said, even a wrong one. (This
// is what makes priors save work, and why VerifyPriors exists.)
func TestPriorIsTheBeforeImage(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	require.NoError(t, s.CommitBlock(&consensus.BlockCommit{Height: 1, OpsHash: hex64, ConsensusHash: hex32,
		Writes: []consensus.Write{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("1")}}}))
	require.NoError(t, s.CommitBlock(&consensus.BlockCommit{Height: 2, OpsHash: hex64, ConsensusHash: hex32,
		Writes: []consensus.Write{
			{Key: []byte("a"), Value: []byte("2"), Prior: []byte("not 1"), PriorKnown: true},
			{Key: []byte("b"), Value: []byte("2")}, // read by the store
			{Key: []byte("c"), Value: []byte("2"), PriorKnown: true},
		}}))
	require.NoError(t, s.Rewind(ctx, 1))
	require.Equal(t, []string{"a=not 1", "b=1"}, dumpState(t, s, ""))
}

// TestVerifyPriorsRefusesWrongPrior: with VerifyPriors, a block carrying a
// prior that disagrees with the store (another value, a value for an absent
// key, absence for a present key, an empty value for an absent key) is
// refused with ErrInvalidCommit and the store is left exactly as it was;
// the same block with true priors then commits.
func TestVerifyPriorsRefusesWrongPrior(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(vfs.NewMem())
	opts.VerifyPriors = true
	s, err := Open(ctx, "db", opts)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.CommitBlock(&consensus.BlockCommit{Height: 1, OpsHash: hex64, ConsensusHash: hex32,
		Writes: []consensus.Write{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("e"), Value: []byte{}}}}))
	good := func() []consensus.Write {
		return []consensus.Write{
			{Key: []byte("a"), Value: []byte("2"), Prior: []byte("1"), PriorKnown: true},
			{Key: []byte("b"), Value: []byte("2"), PriorKnown: true},
			{Key: []byte("e"), Prior: []byte{}, PriorKnown: true},
		}
	}
	wrong := []struct {
		name  string
		i     int
		prior []byte
	}{
		{"other value", 0, []byte("9")},
		{"absent for present", 0, nil},
		{"value for absent", 1, []byte("x")},
		{"empty for absent", 1, []byte{}},
		{"absent for empty", 2, nil},
	}
	before := fullDump(t, s)
	for _, tc := range wrong {
		writes := good()
		writes[tc.i].Prior = tc.prior
		err := s.CommitBlock(&consensus.BlockCommit{Height: 2, OpsHash: hex64, ConsensusHash: hex32, Writes: writes})
		require.ErrorIs(t, err, ErrInvalidCommit, tc.name)
		require.Equal(t, before, fullDump(t, s), tc.name)
		tip, _, _ := s.Tip()
		require.Equal(t, uint64(1), tip, tc.name)
	}
	require.NoError(t, s.CommitBlock(&consensus.BlockCommit{Height: 2, OpsHash: hex64, ConsensusHash: hex32, Writes: good()}))
	require.Equal(t, []string{"a=2", "b=2"}, dumpState(t, s, ""))
	require.NoError(t, s.Rewind(ctx, 1))
	require.Equal(t, before, fullDump(t, s))
}

// TestPropertyVerifyPriorsRefusesAnyWrongPrior: over random states, one
// wrong prior among true ones makes a VerifyPriors store refuse the block
// with ErrInvalidCommit and change nothing, while the store without
// VerifyPriors commits the same block (it trusts priors).
func TestPropertyVerifyPriorsRefusesAnyWrongPrior(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		opts := testOptions(vfs.NewMem())
		opts.VerifyPriors = true
		s, err := Open(ctx, "db", opts)
		require.NoError(t, err)
		defer s.Close()
		ref := newRefKV()
		var committed []*consensus.BlockCommit
		h := uint64(7)
		for range rapid.IntRange(0, 5).Draw(t, "blocks") {
			c := genCommit(t, h, ref.cur())
			require.NoError(t, s.CommitBlock(c))
			ref.apply(c)
			committed = append(committed, c)
			h++
		}
		c := genCommit(t, h, ref.cur())
		if len(c.Writes) == 0 {
			return
		}
		w := &c.Writes[rapid.IntRange(0, len(c.Writes)-1).Draw(t, "wrong")]
		old, present := ref.cur()[string(w.Key)]
		w.PriorKnown = true
		switch {
		case !present && rapid.Bool().Draw(t, "empty"):
			w.Prior = []byte{}
		case !present:
			w.Prior = []byte("x")
		case rapid.Bool().Draw(t, "drop"):
			w.Prior = nil
		default:
			w.Prior = []byte(old + "x")
		}
		before := fullDump(t, s)
		require.ErrorIs(t, s.CommitBlock(c), ErrInvalidCommit)
		require.Equal(t, before, fullDump(t, s))

		trusting, err := Open(ctx, "db", testOptions(vfs.NewMem()))
		require.NoError(t, err)
		defer trusting.Close()
		for _, b := range committed {
			require.NoError(t, trusting.CommitBlock(b))
		}
		require.NoError(t, trusting.CommitBlock(c))
	})
}

// corruptPriors passes commits through to a Store, except that at height
// bad it claims that the block's own chain entry (new in every block) held
// a value before.
type corruptPriors struct {
	consensus.Store
	bad uint64
}

func (c corruptPriors) CommitBlock(b *consensus.BlockCommit) error {
	if b.Height == c.bad {
		for i := range b.Writes {
			if w := &b.Writes[i]; bytes.Equal(w.Key, chKey(b.Height)) {
				w.Prior, w.PriorKnown = []byte("forged"), true
			}
		}
	}
	return c.Store.CommitBlock(b)
}

// TestAuditVerifyPriors: an audit's replay with VerifyPriors reports a
// Replayer that hands over a wrong prior as a divergent replay at that
// block; without it the prior only lands in the scratch store's undo
// record, which nothing reads, and the audit verifies.
func TestAuditVerifyPriors(t *testing.T) {
	ctx := context.Background()
	s := replayedStore(t, vfs.NewMem(), "db", 40)
	defer s.Close()
	const bad = testFirst + 30
	eng := fakeEngine(testFirst)
	lying := ReplayFunc(func(ctx context.Context, st consensus.Store, h uint64, hash [32]byte, inputs []ops.Op) error {
		return eng.ReplayBlock(ctx, corruptPriors{Store: st, bad: bad}, h, hash, inputs)
	})
	rep, err := AuditStore(ctx, s, AuditOptions{Replayer: lying, VerifyPriors: true})
	require.NoError(t, err)
	require.Equal(t, Divergent, rep.Verdict, "%+v", rep)
	require.Equal(t, DivergentReplay, rep.Divergence.Kind)
	require.Equal(t, uint64(bad), rep.Divergence.Height)
	require.Contains(t, rep.Divergence.Expected, "held no value before the block")

	rep, err = AuditStore(ctx, s, AuditOptions{Replayer: lying})
	require.NoError(t, err)
	require.Equal(t, Verified, rep.Verdict, "%+v", rep)
}
