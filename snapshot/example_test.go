package snapshot_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/consensus/digest"
	"github.com/spvcheck/spvcheck/snapshot"
)

// Example commits two blocks, rewinds one, exports the store, imports the
// file into a new store and audits it.
func Example() {
	ctx := context.Background()
	fs := vfs.NewMem() // a real caller leaves FS nil for the OS filesystem
	opts := snapshot.Options{Network: "regtest", ParamsFingerprint: "example", FS: fs}
	st, err := snapshot.Open(ctx, "state", opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	const first = 100
	empty := digest.OpsHash(nil)
	ch100, _ := digest.ConsensusHash(empty, nil)
	ch101, _ := digest.ConsensusHash(empty, []string{ch100})
	for _, c := range []*consensus.BlockCommit{
		{Height: first, OpsHash: empty, ConsensusHash: ch100,
			Writes: []consensus.Write{{Key: []byte("name/alice.id"), Value: []byte("owner-1")}}},
		{Height: first + 1, OpsHash: empty, ConsensusHash: ch101,
			Writes: []consensus.Write{{Key: []byte("name/alice.id"), Value: []byte("owner-2")}}},
	} {
		if err := st.CommitBlock(c); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := st.Rewind(ctx, 1); err != nil { // block 101 was reorged away
		fmt.Println(err)
		return
	}
	owner, _ := st.Get([]byte("name/alice.id"))
	tip, _, _ := st.Tip()
	fmt.Printf("tip %d, alice.id owned by %s\n", tip, owner)

	var file bytes.Buffer
	if _, err := snapshot.Export(ctx, st, &file); err != nil {
		fmt.Println(err)
		return
	}
	info, err := snapshot.Import(ctx, bytes.NewReader(file.Bytes()), "copy", snapshot.Options{FS: fs})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("imported blocks %d..%d, tip consensus hash %s\n", info.First, info.Tip, info.TipConsensusHash)

	report, err := snapshot.AuditFile(ctx, bytes.NewReader(file.Bytes()), snapshot.AuditOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("audit: %s (exit %d)\n", report.Verdict, report.Verdict.ExitCode())
	// Output:
	// tip 100, alice.id owned by owner-1
	// imported blocks 100..100, tip consensus hash 2a9148d8b13939723d2aca16c75c6d68
	// audit: verified (exit 0)
}
