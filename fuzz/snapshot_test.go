package fuzz

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/testvectors"
)

// snapshotSeed exports a store holding the first recorded scenario of the
// consensus vectors, with some state and inputs added.
func snapshotSeed(f *testing.F) []byte {
	f.Helper()
	ctx := context.Background()
	fs := vfs.NewMem()
	st, err := snapshot.Open(ctx, "seed", snapshot.Options{Network: "testnet", ParamsFingerprint: "fuzz", FS: fs})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	var scenario string
	err = testvectors.ReadJSONLFile(testvectors.Path("consensus", "blocks.jsonl"), func(_ int, r *testvectors.BlockRecord) error {
		if scenario == "" {
			scenario = r.Version + r.Scenario
		}
		if r.Version+r.Scenario != scenario {
			return nil
		}
		c := &consensus.BlockCommit{Height: r.Block, OpsHash: r.OpsHash, ConsensusHash: r.ReportedHash,
			Writes: []consensus.Write{{Key: []byte("height"), Value: []byte(r.Scenario)}},
			Inputs: []ops.Op{{Opcode: ops.OpNameUpdate, Kind: ops.KindNameUpdate, Name: "a.id", BlockHeight: r.Block}},
		}
		for _, s := range r.SerializedOps {
			c.Records = append(c.Records, []byte(s))
		}
		return st.CommitBlock(c)
	})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := snapshot.Export(ctx, st, &buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzSnapshotFile feeds arbitrary bytes to the snapshot file reader. It
// must never panic, must fail only with typed errors, and Import and the file
// audit must agree: a file imports exactly when its audit verifies it (or
// finds nothing worse than divergent hashes, which Import refuses).
func FuzzSnapshotFile(f *testing.F) {
	seed := snapshotSeed(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte("SPVCSNAP"))
	f.Add([]byte{})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := snapshot.AuditFile(ctx, bytes.NewReader(data), snapshot.AuditOptions{})
		if err != nil {
			t.Fatalf("audit failed to run: %v", err)
		}
		fs := vfs.NewMem()
		_, ierr := snapshot.Import(ctx, bytes.NewReader(data), "store", snapshot.Options{FS: fs})
		var e *snapshot.Error
		if ierr != nil && !errors.As(ierr, &e) {
			t.Fatalf("untyped import error: %v", ierr)
		}
		switch rep.Verdict {
		case snapshot.Verified:
			if ierr != nil {
				t.Fatalf("audit verified a file import refused: %v", ierr)
			}
			st, err := snapshot.Open(ctx, "store", snapshot.Options{FS: fs, ReadOnly: true})
			if err != nil {
				t.Fatalf("imported store does not open: %v", err)
			}
			tip, ok, _ := st.Tip()
			ch, _ := st.ConsensusHash(tip)
			st.Close()
			if !ok || tip != rep.Tip || ch != rep.TipConsensusHash {
				t.Fatalf("imported tip %d %s, audit saw %d %s", tip, ch, rep.Tip, rep.TipConsensusHash)
			}
		case snapshot.Divergent, snapshot.Unreadable:
			if ierr == nil {
				t.Fatalf("import accepted a file the audit found %s", rep.Verdict)
			}
			if _, err := fs.Stat("store"); err == nil {
				t.Fatal("a refused import created its destination")
			}
		}
	})
}
