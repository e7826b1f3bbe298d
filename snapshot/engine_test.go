package snapshot

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/testvectors"
)

// TestEngineOnPebble replays recorded scenarios through the real consensus
// engine twice, on its in-memory store and on a Pebble store, and requires
// the same consensus hash at every block and the same final state; then it
// audits the Pebble store and its exported file with the engine as
// Replayer, and checks that rewinding the last blocks and replaying them
// again lands on the same state. Every store the engine commits to runs
// with VerifyPriors, so a wrong prior value from the engine fails the test,
// and the rewind restores what the priors recorded.
func TestEngineOnPebble(t *testing.T) {
	ctx := context.Background()
	var scenarios []*testvectors.ReplayScenario
	err := testvectors.ReadJSONLFile(testvectors.Path("replay", "scenarios.jsonl"), func(_ int, s *testvectors.ReplayScenario) error {
		scenarios = append(scenarios, s)
		return nil
	})
	require.NoError(t, err)
	ran, rewound, writes, known := 0, 0, 0, 0
	for i := 0; i < len(scenarios); i++ {
		s := scenarios[i]
		p, err := consensus.ParamsFromVectorConfig(s.Version, s.Config)
		require.NoError(t, err, s.Scenario)
		blocks := make([]consensus.Block, 0, len(s.Blocks))
		for _, b := range s.Blocks {
			in := consensus.Block{Height: b.Block}
			for j := range b.Ops {
				op, err := b.Ops[j].Op(b.Block)
				require.NoError(t, err)
				if s.Version != "final-v1" && op.OpFee != nil && op.BurnAddress == "" {
					op.BurnAddress = p.BurnAddress // as the judge does for old parsers
				}
				in.Ops = append(in.Ops, op)
			}
			blocks = append(blocks, in)
		}

		mem := consensus.NewMemStore()
		memEng, err := consensus.NewEngine(p, mem)
		require.NoError(t, err)
		fs := vfs.NewMem()
		// VerifyPriors: every prior value the engine hands over is checked
		// against the store, here and in the audits' scratch stores.
		st, err := Open(ctx, "db", Options{Network: p.Name, ParamsFingerprint: p.Fingerprint(), FS: fs, VerifyPriors: true})
		require.NoError(t, err)
		replay := EngineReplayer(p)
		counted := &priorCounter{Store: st}
		for _, b := range blocks {
			want, err := memEng.ProcessBlock(ctx, b)
			require.NoError(t, err, "%s/%d", s.Scenario, b.Height)
			require.NoError(t, replay.ReplayBlock(ctx, counted, b.Height, b.Hash, b.Ops))
			got, err := st.ConsensusHash(b.Height)
			require.NoError(t, err)
			require.Equal(t, want.ConsensusHash, got, "%s/%d", s.Scenario, b.Height)
		}
		final := dumpState(t, st, "")
		require.Equal(t, dumpState(t, mem, ""), final, s.Scenario)

		rep, err := AuditStore(ctx, st, AuditOptions{Replayer: replay, VerifyPriors: true})
		require.NoError(t, err)
		require.Equal(t, Verified, rep.Verdict, "%s: %+v %v", s.Scenario, rep.Divergence, rep.Err)
		var file bytes.Buffer
		_, err = Export(ctx, st, &file)
		require.NoError(t, err)
		frep, err := AuditFile(ctx, bytes.NewReader(file.Bytes()), AuditOptions{Replayer: replay, VerifyPriors: true})
		require.NoError(t, err)
		require.Equal(t, Verified, frep.Verdict, "%s: %+v %v", s.Scenario, frep.Divergence, frep.Err)

		if k := min(3, len(blocks)-1); k > 0 {
			require.NoError(t, st.Rewind(ctx, k))
			for _, b := range blocks[len(blocks)-k:] {
				require.NoError(t, replay.ReplayBlock(ctx, st, b.Height, b.Hash, b.Ops))
			}
			require.Equal(t, final, dumpState(t, st, ""), "%s: rewind and replay", s.Scenario)
			rewound++
		}
		require.NoError(t, st.Close())
		ran++
		writes, known = writes+counted.writes, known+counted.known
	}
	t.Logf("%d scenarios replayed on Pebble, %d rewound and replayed; %d of %d writes came with their prior",
		ran, rewound, known, writes)
	require.Greater(t, ran, 0)
	// The priors were checked, not absent: the engine hands over most.
	require.Greater(t, 2*known, writes)
}

// priorCounter counts the writes committed through it and those that
// carry their prior value. It is a consensus.PriorTaker as the Store is.
type priorCounter struct {
	*Store
	writes, known int
}

func (c *priorCounter) CommitBlock(b *consensus.BlockCommit) error {
	for _, w := range b.Writes {
		c.writes++
		if w.PriorKnown {
			c.known++
		}
	}
	return c.Store.CommitBlock(b)
}

// BenchmarkEngineReplay replays every recorded scenario through the
// consensus engine on a Pebble store (in memory, one sync per block) and
// reports operations per second, next to the engine's own in-memory store
// in the same run. Only block processing is timed; the scenarios are small,
// so opening a store per scenario would otherwise dominate.
func BenchmarkEngineReplay(b *testing.B) {
	ctx := context.Background()
	type scenario struct {
		p      *consensus.Params
		blocks []consensus.Block
	}
	var scenarios []scenario
	nops := 0
	err := testvectors.ReadJSONLFile(testvectors.Path("replay", "scenarios.jsonl"), func(_ int, s *testvectors.ReplayScenario) error {
		p, err := consensus.ParamsFromVectorConfig(s.Version, s.Config)
		if err != nil {
			return err
		}
		sc := scenario{p: p}
		for _, blk := range s.Blocks {
			in := consensus.Block{Height: blk.Block}
			for j := range blk.Ops {
				op, err := blk.Ops[j].Op(blk.Block)
				if err != nil {
					return err
				}
				if s.Version != "final-v1" && op.OpFee != nil && op.BurnAddress == "" {
					op.BurnAddress = p.BurnAddress
				}
				in.Ops = append(in.Ops, op)
			}
			nops += len(in.Ops)
			sc.blocks = append(sc.blocks, in)
		}
		scenarios = append(scenarios, sc)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// run times block processing only, not opening and closing stores.
	run := func(store func(*consensus.Params) (consensus.Store, func())) time.Duration {
		var spent time.Duration
		for _, sc := range scenarios {
			st, done := store(sc.p)
			eng, err := consensus.NewEngine(sc.p, st)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for _, blk := range sc.blocks {
				if _, err := eng.ProcessBlock(ctx, blk); err != nil {
					b.Fatal(err)
				}
			}
			spent += time.Since(start)
			done()
		}
		return spent
	}
	var base, got time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		base += run(func(*consensus.Params) (consensus.Store, func()) { return consensus.NewMemStore(), func() {} })
		b.StartTimer()
		got += run(func(p *consensus.Params) (consensus.Store, func()) {
			st, err := Open(ctx, "db", Options{Network: p.Name, ParamsFingerprint: p.Fingerprint(), FS: vfs.NewMem()})
			if err != nil {
				b.Fatal(err)
			}
			return st, func() { st.Close() }
		})
	}
	total := float64(b.N * nops)
	b.ReportMetric(total/got.Seconds(), "ops/s")
	b.ReportMetric(total/base.Seconds(), "memstore-ops/s")
	b.ReportMetric(base.Seconds()/got.Seconds(), "x-memstore")
}
