package snapshot

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/testvectors"
)

// fakeEngine is a tiny deterministic replay engine for audit tests: every
// input op sets "name/<Name>" to its txid, is hashed as one record, and the
// block's consensus hash is kept in state under "ch/<height>", as the real
// engine keeps its chain in state. Like the real engine it hands the store
// the prior value of every key it writes: names as read from the store, the
// block's own chain entry as absent.
func fakeEngine(first uint64) Replayer {
	return ReplayFunc(func(ctx context.Context, st consensus.Store, h uint64, hash [32]byte, inputs []ops.Op) error {
		vals := map[string]string{}
		var records [][]byte
		for _, op := range inputs {
			vals["name/"+op.Name] = op.Txid
			records = append(records, []byte("?:"+op.Name+","+op.Txid))
		}
		opsHash := digest.OpsHash(records)
		var prevs []string
		for _, p := range digest.PrevHeights(h, first) {
			v, err := st.Get(chKey(p))
			if err != nil {
				return fmt.Errorf("previous consensus hash %d: %w", p, err)
			}
			prevs = append(prevs, string(v))
		}
		ch, err := digest.ConsensusHash(opsHash, prevs)
		if err != nil {
			return err
		}
		vals[string(chKey(h))] = ch
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c := &consensus.BlockCommit{Height: h, BlockHash: hash, Records: records, OpsHash: opsHash, ConsensusHash: ch, Inputs: inputs}
		for _, k := range keys {
			w := consensus.Write{Key: []byte(k), Value: []byte(vals[k]), PriorKnown: true}
			if k != string(chKey(h)) {
				prior, err := st.Get(w.Key)
				if err != nil && !errors.Is(err, consensus.ErrNotFound) {
					return err
				}
				w.Prior = prior
			}
			c.Writes = append(c.Writes, w)
		}
		return st.CommitBlock(c)
	})
}

func chKey(h uint64) []byte { return binary.BigEndian.AppendUint64([]byte("ch/"), h) }

// replayedStore builds a store of n blocks through fakeEngine, checking
// the priors it hands over.
func replayedStore(t testing.TB, fs vfs.FS, dir string, n int) *Store {
	t.Helper()
	opts := testOptions(fs)
	opts.VerifyPriors = true
	s, err := Open(context.Background(), dir, opts)
	require.NoError(t, err)
	replayInto(t, s, n)
	return s
}

// replayInto extends s, which must be empty, by n blocks of a fixed
// random stream of inputs through fakeEngine.
func replayInto(t testing.TB, s *Store, n int) {
	t.Helper()
	eng := fakeEngine(testFirst)
	rng := rand.New(rand.NewPCG(9, 9))
	for h := uint64(testFirst); h < testFirst+uint64(n); h++ {
		var inputs []ops.Op
		for i := rng.IntN(4); i > 0; i-- {
			inputs = append(inputs, ops.Op{
				Opcode: ops.OpNameUpdate, Kind: ops.KindNameUpdate, OpString: "+",
				Name: fmt.Sprintf("n%d.id", rng.IntN(20)), Txid: fmt.Sprintf("%064x", rng.Uint64()),
				Vtxindex: i, BlockHeight: h,
			})
		}
		var hash [32]byte
		binary.BigEndian.PutUint64(hash[:], h)
		require.NoError(t, eng.ReplayBlock(context.Background(), s, h, hash, inputs))
	}
}

func TestAuditVerifies(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s := replayedStore(t, fs, "db", 70)
	defer s.Close()
	var progress []Progress
	for _, replayer := range []Replayer{nil, fakeEngine(testFirst)} {
		rep, err := AuditStore(ctx, s, AuditOptions{Replayer: replayer, VerifyPriors: true, Progress: func(p Progress) { progress = append(progress, p) }})
		require.NoError(t, err)
		require.Equal(t, Verified, rep.Verdict, "%+v", rep)
		require.Equal(t, replayer != nil, rep.Replayed)
		require.Equal(t, uint64(70), rep.Blocks)
		tipCH, _ := s.ConsensusHash(testFirst + 69)
		require.Equal(t, tipCH, rep.TipConsensusHash)
		require.Equal(t, 0, rep.Verdict.ExitCode())
	}
	require.NotEmpty(t, progress)
	require.Equal(t, uint64(testFirst+69), progress[len(progress)-1].Height)

	file := exportBytes(t, s)
	rep, err := AuditFile(ctx, bytes.NewReader(file), AuditOptions{Replayer: fakeEngine(testFirst), VerifyPriors: true})
	require.NoError(t, err)
	require.Equal(t, Verified, rep.Verdict, "%+v", rep)
	require.True(t, rep.Replayed)
	require.Equal(t, uint64(70), rep.Blocks)
	srep, err := AuditStore(ctx, s, AuditOptions{})
	require.NoError(t, err)
	require.Equal(t, srep.StateKeys, rep.StateKeys)
	require.Equal(t, uint64(len(dumpState(t, s, ""))), rep.StateKeys)
}

func TestAuditFindsTampering(t *testing.T) {
	ctx := context.Background()
	const bad = testFirst + 33
	summaryWith := func(s *Store, edit func(*blockSummary)) []byte {
		raw, _, err := s.getRaw(heightKey(prefixBlock, bad))
		require.NoError(t, err)
		sum, ok := decodeSummary(raw)
		require.True(t, ok)
		edit(&sum)
		return sum.encode()
	}
	tests := []struct {
		name    string
		key     func(s *Store) []byte
		value   func(s *Store) []byte // nil deletes
		replay  bool
		verdict Verdict
		kind    DivergenceKind
		height  uint64
	}{
		{"record edited", func(*Store) []byte { return heightKey(prefixRecords, bad) },
			func(*Store) []byte { return encodeRecords([][]byte{[]byte("?:forged")}) }, false, Divergent, DivergentOpsHash, bad},
		{"consensus hash edited", func(*Store) []byte { return heightKey(prefixBlock, bad) },
			func(s *Store) []byte { return summaryWith(s, func(b *blockSummary) { b.ConsensusHash[3] ^= 1 }) }, false, Divergent, DivergentConsensusHash, bad},
		{"ops hash edited", func(*Store) []byte { return heightKey(prefixBlock, bad) },
			func(s *Store) []byte { return summaryWith(s, func(b *blockSummary) { b.OpsHash[0] ^= 1 }) }, false, Divergent, DivergentOpsHash, bad},
		{"state value edited", func(*Store) []byte { return stateKey([]byte("name/n3.id")) },
			func(*Store) []byte { return []byte("forged") }, true, Divergent, DivergentState, testFirst + 69},
		{"state key added", func(*Store) []byte { return stateKey([]byte("name/zz")) },
			func(*Store) []byte { return []byte("forged") }, true, Divergent, DivergentState, testFirst + 69},
		{"state key removed", func(*Store) []byte { return stateKey(chKey(testFirst)) },
			nil, true, Divergent, DivergentState, testFirst + 69},
		{"input edited", func(*Store) []byte { return heightKey(prefixInputs, bad) },
			func(*Store) []byte {
				return encodeInputs([]ops.Op{{Opcode: ops.OpNameUpdate, Kind: ops.KindNameUpdate, Name: "forged.id"}})
			}, true, Divergent, DivergentReplay, bad},
		{"summary missing", func(*Store) []byte { return heightKey(prefixBlock, bad) }, nil, false, Unreadable, 0, 0},
		{"records undecodable", func(*Store) []byte { return heightKey(prefixRecords, bad) },
			func(*Store) []byte { return []byte{0xff} }, false, Unreadable, 0, 0},
		{"inputs undecodable", func(*Store) []byte { return heightKey(prefixInputs, bad) },
			func(*Store) []byte { return []byte{1, 2, 3} }, true, Unreadable, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := replayedStore(t, vfs.NewMem(), "db", 70)
			defer s.Close()
			var err error
			if v := tc.value; v != nil {
				err = s.db.Set(tc.key(s), v(s), pebble.Sync)
			} else {
				err = s.db.Delete(tc.key(s), pebble.Sync)
			}
			require.NoError(t, err)
			var opts AuditOptions
			if tc.replay {
				opts.Replayer, opts.VerifyPriors = fakeEngine(testFirst), true
			}
			rep, err := AuditStore(ctx, s, opts)
			require.NoError(t, err)
			require.Equal(t, tc.verdict, rep.Verdict, "%+v", rep)
			require.Equal(t, int(tc.verdict), rep.Verdict.ExitCode())
			if tc.verdict == Unreadable {
				require.Error(t, rep.Err)
				return
			}
			require.NotNil(t, rep.Divergence)
			require.Equal(t, tc.kind, rep.Divergence.Kind, "%+v", rep.Divergence)
			require.Equal(t, tc.height, rep.Divergence.Height)
			require.NotEqual(t, rep.Divergence.Expected, rep.Divergence.Actual)

			// The same damage travels into an exported file, where the
			// file audit finds it too (export copies, it does not check).
			var buf bytes.Buffer
			_, err = Export(ctx, s, &buf)
			require.NoError(t, err)
			frep, err := AuditFile(ctx, bytes.NewReader(buf.Bytes()), opts)
			require.NoError(t, err)
			require.Equal(t, Divergent, frep.Verdict, "%+v", frep)
			require.Equal(t, tc.kind, frep.Divergence.Kind)
			require.Equal(t, tc.height, frep.Divergence.Height)
			// Import refuses hash divergences outright.
			if tc.kind == DivergentOpsHash || tc.kind == DivergentConsensusHash {
				_, err = Import(ctx, bytes.NewReader(buf.Bytes()), "copy", Options{FS: vfs.NewMem()})
				require.Error(t, err)
				require.True(t, isCode(err, ErrOpsHashMismatch) || isCode(err, ErrConsensusHashMismatch), "%v", err)
			}
		})
	}
}

func isCode(err error, c ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

func TestAuditFileUnreadable(t *testing.T) {
	ctx := context.Background()
	s := replayedStore(t, vfs.NewMem(), "db", 10)
	file := exportBytes(t, s)
	require.NoError(t, s.Close())
	file[len(file)/2] ^= 0x40
	rep, err := AuditFile(ctx, bytes.NewReader(file), AuditOptions{})
	require.NoError(t, err)
	require.Equal(t, Unreadable, rep.Verdict)
	require.ErrorIs(t, rep.Err, ErrFileChecksum)
	require.Equal(t, 2, rep.Verdict.ExitCode())
}

// TestAuditRecordedChains stores every recorded scenario of the reference's
// consensus vectors (records as the reference serialized them, hashes as it
// reported them) and audits the store and its exported file.
func TestAuditRecordedChains(t *testing.T) {
	ctx := context.Background()
	type scenario struct {
		first  uint64
		blocks []testvectors.BlockRecord
	}
	byKey := map[string]*scenario{}
	var order []string
	err := testvectors.ReadJSONLFile(testvectors.Path("consensus", "blocks.jsonl"), func(_ int, r *testvectors.BlockRecord) error {
		k := r.Version + "/" + r.Scenario
		sc := byKey[k]
		if sc == nil {
			sc = &scenario{first: r.FirstBlock}
			byKey[k] = sc
			order = append(order, k)
		}
		sc.blocks = append(sc.blocks, *r)
		return nil
	})
	require.NoError(t, err)
	audited := 0
	for i, k := range order {
		if testing.Short() && i%10 != 0 {
			continue
		}
		sc := byKey[k]
		sort.Slice(sc.blocks, func(i, j int) bool { return sc.blocks[i].Block < sc.blocks[j].Block })
		fs := vfs.NewMem()
		s := openMem(t, fs, "db")
		for _, b := range sc.blocks {
			c := &consensus.BlockCommit{Height: b.Block, OpsHash: b.OpsHash, ConsensusHash: b.ReportedHash}
			for _, r := range b.SerializedOps {
				c.Records = append(c.Records, []byte(r))
			}
			require.NoError(t, s.CommitBlock(c), k)
		}
		rep, err := AuditStore(ctx, s, AuditOptions{})
		require.NoError(t, err)
		require.Equal(t, Verified, rep.Verdict, "%s: %+v", k, rep.Divergence)
		require.Equal(t, sc.blocks[len(sc.blocks)-1].ReportedHash, rep.TipConsensusHash)
		file := exportBytes(t, s)
		frep, err := AuditFile(ctx, bytes.NewReader(file), AuditOptions{})
		require.NoError(t, err)
		require.Equal(t, Verified, frep.Verdict, k)
		require.NoError(t, s.Close())
		audited++
	}
	t.Logf("audited %d recorded scenarios", audited)
	require.Greater(t, audited, 20)
}
