package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
)

func TestUnverifiedMark(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s := openMem(t, fs, "db")
	_, ok, err := s.Unverified()
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, s.SetUnverified(Unverified{Reason: ReasonNoGenesis, From: 400}))
	require.NoError(t, s.SetUnverified(Unverified{Reason: ReasonNoGenesis, From: 500})) // later: the earliest wins
	m, ok, err := s.Unverified()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, Unverified{Reason: ReasonNoGenesis, From: 400}, m)
	require.Equal(t, "unverified: no genesis allocation (from block 400)", m.String())
	require.True(t, m.Covers(400))
	require.False(t, m.Covers(399))

	p := consensus.Regtest()
	u, err := s.TrustAt(p, 399)
	require.NoError(t, err)
	require.Nil(t, u)
	u, err = s.TrustAt(p, 401)
	require.NoError(t, err)
	require.Equal(t, &m, u)

	require.NoError(t, s.SetGenesisData([]byte("{}\n")))
	require.NoError(t, s.Close())

	// Read-only readers see both; they cannot write.
	ro, err := Open(ctx, "db", Options{FS: fs, ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	m2, ok, err := ro.Unverified()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, m, m2)
	g, ok, err := ro.GenesisData()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "{}\n", string(g))
	require.ErrorIs(t, ro.SetUnverified(m), ErrReadOnly)
	require.ErrorIs(t, ro.SetGenesisData(nil), ErrReadOnly)
}

// A store without a mark, under rules that need a genesis allocation they
// lack, is judged unverified from the first token block all the same.
func TestTrustAtDerivedFromParams(t *testing.T) {
	s := openMem(t, vfs.NewMem(), "db")
	defer s.Close()
	p := consensus.Regtest()
	p.Genesis, p.RequireGenesis = nil, true
	u, err := s.TrustAt(p, 360)
	require.NoError(t, err)
	require.Nil(t, u)
	u, err = s.TrustAt(p, 361)
	require.NoError(t, err)
	require.Equal(t, &Unverified{Reason: ReasonNoGenesis, From: 361}, u)
	u, err = s.TrustAt(consensus.Mainnet(), 547921)
	require.NoError(t, err)
	require.Nil(t, u)
	u, err = s.TrustAt(consensus.Mainnet(), 547922)
	require.NoError(t, err)
	require.NotNil(t, u)
}

// alarmChain replays Regtest blocks into a Pebble store; the other
// engine, whose chain starts one block earlier (a differently
// parameterised replay of the same blocks), computes other consensus
// hashes for the same blocks.
type alarmChain struct {
	t     testing.TB
	p     *consensus.Params
	st    *Store
	eng   *consensus.Engine
	other *consensus.Engine
	oview *consensus.View
	next  uint64
	txn   int
}

func newAlarmChain(t testing.TB) *alarmChain {
	p := consensus.Regtest()
	st, err := Open(context.Background(), "db", Options{Network: "regtest", ParamsFingerprint: p.Fingerprint(), FS: vfs.NewMem()})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	eng, err := consensus.NewEngine(p, st)
	require.NoError(t, err)
	q := consensus.Regtest()
	q.FirstBlock-- // its skip lists reach other heights
	other, err := consensus.NewEngine(q, consensus.NewMemStore())
	require.NoError(t, err)
	_, err = other.ProcessBlock(context.Background(), consensus.Block{Height: q.FirstBlock})
	require.NoError(t, err)
	return &alarmChain{t: t, p: p, st: st, eng: eng, other: other, oview: other.View(), next: p.FirstBlock}
}

// block processes list on both engines (the other engine sees no
// operations: only its hashes matter).
func (c *alarmChain) block(list ...ops.Op) {
	c.t.Helper()
	for i := range list {
		list[i].Vtxindex = i + 1
		list[i].BlockHeight = c.next
		c.txn++
		h := sha256.Sum256(fmt.Appendf(nil, "alarm-tx-%d", c.txn))
		list[i].Txid = hex.EncodeToString(h[:])
	}
	_, err := c.eng.ProcessBlock(context.Background(), consensus.Block{Height: c.next, Ops: list})
	require.NoError(c.t, err)
	_, err = c.other.ProcessBlock(context.Background(), consensus.Block{Height: c.next})
	require.NoError(c.t, err)
	c.next++
}

// preorder is a NAME_PREORDER from sender i quoting ch.
func (c *alarmChain) preorder(i int, ch string) ops.Op {
	fee := uint64(100000)
	script := fmt.Sprintf("76a914%040x88ac", i+1)
	return ops.Op{Kind: ops.KindNamePreorder, Sender: script, Address: fmt.Sprintf("sender-%d", i),
		PreorderHash: fmt.Sprintf("%040x", 1000+c.txn), ConsensusHash: ch, OpFee: &fee, BurnAddress: c.p.BurnAddress}
}

func (c *alarmChain) ours() string {
	ch, err := c.st.ConsensusHash(c.next - 1)
	require.NoError(c.t, err)
	return ch
}

func (c *alarmChain) theirs() string {
	ch, ok, err := c.oview.ConsensusHash(c.next - 1)
	require.NoError(c.t, err)
	require.True(c.t, ok)
	return ch
}

func TestDivergenceAlarm(t *testing.T) {
	c := newAlarmChain(t)
	for c.next < 300 {
		c.block()
	}
	require.NotEqual(t, c.ours(), c.theirs(), "the two parameter sets should compute different hashes")

	// Honest operations quote our recent hashes (or the genesis snapshot
	// for the first blocks): nothing counted.
	for i := 0; i < 5; i++ {
		c.block(c.preorder(i, c.ours()))
	}
	a, ok, err := c.st.DivergenceAlarm(c.p, 0, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Zero(t, a.Operations)
	require.False(t, a.Raised)

	// Two senders quoting the other engine's hashes: counted, below the
	// threshold.
	c.block(c.preorder(10, c.theirs()), c.preorder(11, c.theirs()))
	c.block(c.preorder(10, c.theirs()))
	a, _, err = c.st.DivergenceAlarm(c.p, 0, 0)
	require.NoError(t, err)
	require.Equal(t, 3, a.Operations)
	require.Equal(t, 2, a.Senders)
	require.False(t, a.Raised)
	require.Len(t, a.Txids, 3)

	// A third sender raises it.
	c.block(c.preorder(12, c.theirs()))
	a, _, err = c.st.DivergenceAlarm(c.p, 0, 0)
	require.NoError(t, err)
	require.Equal(t, 4, a.Operations)
	require.Equal(t, 3, a.Senders)
	require.True(t, a.Raised)
	require.Contains(t, a.String(), "DIVERGENCE ALARM")

	// A hash older than the 24-block window is unknown too.
	old := c.ours()
	for i := 0; i < 30; i++ {
		c.block()
	}
	c.block(c.preorder(20, old))
	a, _, err = c.st.DivergenceAlarm(c.p, 10, 0)
	require.NoError(t, err)
	require.Equal(t, uint64(c.next-10), a.From)
	require.Equal(t, 1, a.Operations)
	require.False(t, a.Raised)

	// The window moves on: after a day of quiet blocks the alarm clears.
	for i := 0; i < DefaultAlarmWindow; i++ {
		c.block()
	}
	a, _, err = c.st.DivergenceAlarm(c.p, 0, 0)
	require.NoError(t, err)
	require.Zero(t, a.Operations)
	require.False(t, a.Raised)
}

// BenchmarkDivergenceAlarm: the alarm over the default window of blocks
// that each hold ten preorders, against the baseline of reading the same
// blocks' inputs (what the alarm cannot avoid).
func BenchmarkDivergenceAlarm(b *testing.B) {
	c := newAlarmChain(b)
	blocks := 2 * DefaultAlarmWindow
	if testing.Short() {
		blocks = DefaultAlarmWindow
	}
	for c.next < 300 {
		c.block()
	}
	for i := 0; i < blocks; i++ {
		list := make([]ops.Op, 10)
		for j := range list {
			ch := c.ours()
			if j == 0 {
				ch = c.theirs()
			}
			list[j] = c.preorder(j, ch)
		}
		c.block(list...)
	}
	tip, _, _ := c.st.Tip()
	b.Run("alarm", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := c.st.DivergenceAlarm(c.p, 0, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-inputs", func(b *testing.B) {
		for b.Loop() {
			for h := tip + 1 - DefaultAlarmWindow; h <= tip; h++ {
				if _, err := c.st.Inputs(h); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func TestCheckpointsAndSafeguards(t *testing.T) {
	c := newAlarmChain(t)
	for c.next <= 270 {
		c.block()
	}
	ch := func(h uint64) string {
		v, err := c.st.ConsensusHash(h)
		require.NoError(t, err)
		return v
	}
	const wrong = "0123456789abcdef0123456789abcdef"
	p := consensus.Regtest()
	p.FreezeHeight = 300
	p.Checkpoints = []consensus.Checkpoint{
		{Height: 260, ConsensusHash: ch(260), Source: "a", MustReproduce: true},
		{Height: 262, ConsensusHash: wrong, Source: "b"},
		{Height: 264, ConsensusHash: wrong, Source: "c", MustReproduce: true},
		{Height: 280, ConsensusHash: wrong, Source: "d", MustReproduce: true},
	}
	rows, mismatch, err := c.st.Checkpoints(p)
	require.NoError(t, err)
	require.True(t, mismatch)
	states := []string{CheckpointAgrees, CheckpointDiffers, CheckpointMismatch, CheckpointNotReached}
	for i, r := range rows {
		require.Equal(t, states[i], r.State, "row %d", r.Height)
	}
	require.Equal(t, ch(264), rows[2].Ours)
	require.Empty(t, rows[3].Ours)

	g, ok, err := c.st.Safeguards(p, 0, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, uint64(270), g.Tip)
	require.Equal(t, uint64(300), g.FreezeHeight)
	require.False(t, g.Final)
	require.Nil(t, g.Unverified)
	require.True(t, g.CheckpointMismatch)
	require.False(t, g.Alarm.Raised)

	// Under an unverified mark the required row's mismatch is expected.
	require.NoError(t, c.st.SetUnverified(Unverified{Reason: ReasonNoGenesis, From: 263}))
	rows, mismatch, err = c.st.Checkpoints(p)
	require.NoError(t, err)
	require.False(t, mismatch)
	require.Equal(t, CheckpointUnverified, rows[2].State)
	require.True(t, rows[2].Unverified)
	p.FreezeHeight = 270
	g, _, err = c.st.Safeguards(p, 0, 0)
	require.NoError(t, err)
	require.True(t, g.Final)
	require.Equal(t, &Unverified{Reason: ReasonNoGenesis, From: 263}, g.Unverified)
	require.False(t, g.CheckpointMismatch)
}
